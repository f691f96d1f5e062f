"""Domain errors, raised by services, and their one mapping to HTTP (JSON for the API, pages otherwise)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no; `status_code` is how HTTP callers hear it."""

    status_code = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class InvalidInput(DomainError):
    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?{urlencode({'next': target})}")


def _page(request: Request[Any, Any, Any], status_code: int, message: str) -> Response[Any]:
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "message": message},
        status_code=status_code,
    )


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if exc.status_code == 401 and not is_api(request):
        return login_redirect(request)
    if is_api(request):
        return Response({"detail": exc.message}, status_code=exc.status_code, headers=exc.headers)
    return _page(request, exc.status_code, exc.message)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 401 and not is_api(request):
        return login_redirect(request)
    if is_api(request):
        body: dict[str, Any] = {"detail": exc.detail}
        if getattr(exc, "extra", None):
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers)
    return _page(request, exc.status_code, exc.detail)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "Something went wrong on our side. It has been logged; please try again."
    if is_api(request):
        return Response({"detail": message}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
    return _page(request, 500, message)


def handle_integrity_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, sqlite3.IntegrityError) and str(exc) == "datatype mismatch":
        return handle_out_of_range(request, exc)  # SQLite's word for a LIMIT/OFFSET beyond 64 bits
    # The constraint that caught a race another request won: nothing was written.
    log.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
    message = "This conflicts with data saved at the same moment (a duplicate?). Reload and try again."
    if is_api(request):
        return Response({"detail": message}, status_code=409)
    return _page(request, 409, message)


def handle_out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database cannot hold (an id, a page, a quantity past its column's range) reached a query:
    nothing can match it and nothing was written, so it is the request to fix, not a server error."""
    log.info("value out of range on %s %s: %s", request.method, request.url.path, exc)
    message = "A number in this request is out of range: check the ids, page numbers and quantities you sent."
    if isinstance(exc, asyncpg.exceptions.DataError) and not (
        isinstance(exc, asyncpg.exceptions.NumericValueOutOfRangeError) or "out of int" in str(exc)
    ):
        message = "A value in this request does not fit (too long, or malformed): check what you sent."
    if is_api(request):
        return Response({"detail": message}, status_code=400)
    return _page(request, 400, message)


EXCEPTION_HANDLERS = {
    sqlite3.IntegrityError: handle_integrity_error,
    asyncpg.exceptions.IntegrityConstraintViolationError: handle_integrity_error,
    # A Python int past the column's type: SQLite binds 64 bits; asyncpg refuses what the parameter's type
    # cannot hold, and PostgreSQL the rest (its "data exception" class: values, never the app's state).
    OverflowError: handle_out_of_range,
    asyncpg.exceptions.DataError: handle_out_of_range,
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
}
