"""Domain errors, raised by services, and their one mapping to HTTP (JSON for the API, pages otherwise); a bad
request body is a 400 that says what is wrong with it (a field past its bound, nesting too deep, not UTF-8)."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any
from urllib.parse import unquote_to_bytes, urlencode, urlsplit

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException, SerializationException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no; `status_code` is how HTTP callers hear it."""

    status_code = 400

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, extra: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        # Details a program acts on (the API's `extra`): each change a checkout found, for instance.
        self.extra = extra


class InvalidInput(DomainError):
    status_code = 400


class FieldErrors(InvalidInput):
    """Several inputs are wrong at once: `message` says all of it for the API; `fields` maps each form field to
    what is wrong with it in the user's words, so a page shows each next to its field (key "form": the whole form)."""

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


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


def _page(request: Request[Any, Any, Any], status_code: int, message: str, back: str | None = None) -> Response[Any]:
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "message": message, "back": back},
        status_code=status_code,
    )


def _back(request: Request[Any, Any, Any]) -> str | None:
    """The page of this site the request came from (its form), to link back to; None if another site's."""
    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path.startswith("/") or referer.path.startswith("//") or (
        referer.netloc and referer.netloc != request.url.netloc
    ):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def too_large(request: Request[Any, Any, Any]) -> str:
    """A body past its route's limit, said with the limit (the body was not read: nothing of it can be kept)."""
    handler = request.scope.get("route_handler")
    limit = (handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler)
             else request.app.request_max_body_size)
    if not limit:
        return RequestEntityTooLarge.detail
    return (f"This is larger than the {limit / (1024 * 1024):.0f} MB this accepts, so nothing was saved: "
            "send a smaller file or shorter text.")


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if exc.status_code == 401 and not is_api(request):
        return login_redirect(request)
    if is_api(request):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers)
    return _page(request, exc.status_code, exc.message)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 401 and not is_api(request):
        return login_redirect(request)
    detail = too_large(request) if isinstance(exc, RequestEntityTooLarge) else _detail(exc)
    if is_api(request):
        body: dict[str, Any] = {"detail": detail}
        if getattr(exc, "extra", None):
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers)
    return _page(request, exc.status_code, detail, _back(request) if exc.status_code == 413 else None)


# --- what a field's bound says --------------------------------------------------------------------

_LENGTH = re.compile(r"Expected `(str|array|object)` of length (<=|>=) (\d+)")


def field_problem(key: str | None, message: str) -> str:
    """One field's validation message (msgspec's words, as Litestar reports them) with the field's name and,
    for a length bound, the limit in words: "title must be at most 200 characters long"."""
    match = _LENGTH.fullmatch(message)
    if match is None:
        return f"{key}: {message}" if key else message
    kind, bound, limit = match.groups()
    subject = key or "the value"
    if kind == "str":
        if bound == ">=" and limit == "1":
            return f"{subject} must not be empty"
        return f"{subject} must be {'at least' if bound == '>=' else 'at most'} {limit} characters long"
    if bound == ">=":
        return f"{subject} must have at least {limit} item{'' if limit == '1' else 's'}"
    return f"{subject} must have at most {limit} items"


def _detail(exc: HTTPException) -> str:
    """The one line a page or a client shows: a body the JSON decoder refused says so ("Input data was
    truncated" alone does not); a validation error names each field and its problem, such as its limit
    (`extra` keeps them apart for programs)."""
    if isinstance(exc.__cause__, SerializationException):
        return f"The request body is not valid JSON: {exc.detail}"
    extra = getattr(exc, "extra", None)
    if not isinstance(exc, ValidationException) or not isinstance(extra, list):
        return exc.detail
    problems = [field_problem(item.get("key"), str(item.get("message", "")))
                for item in extra if isinstance(item, dict)]
    return f"{exc.detail}: {'; '.join(problems)}" if problems else exc.detail


def invalid_input(exc: msgspec.ValidationError) -> InvalidInput:
    """A form's value that breaks a schema's bound (read with `msgspec.convert`), said as the API says it."""
    message, _, path = str(exc).partition(" - at `$")
    return InvalidInput(field_problem(path.strip("`").lstrip(".") or None, message))


# --- bodies no decoder should be given ------------------------------------------------------------

# No request of ours nests deeper than a few levels (an RFQ's lines, an amendment's tiers); decoders recurse
# once per level and give up with a RecursionError somewhere near a thousand, depending on the stack.
MAX_BODY_DEPTH = 32
TOO_DEEP = f"The request body is nested too deeply: at most {MAX_BODY_DEPTH} levels of arrays and objects."
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON string, possessive so a body of unclosed quotes costs one pass; an unclosed string runs to the end.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the arrays and objects of a JSON body nest deeper than `limit` (brackets inside strings do not
    count). Linear in the body; most bodies have too few brackets to need the walk."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def body_problem(body: bytes, content_type: str) -> str | None:
    """What makes a (non-multipart) request body unreadable, or None."""
    if nested_deeper_than(body, MAX_BODY_DEPTH):
        return TOO_DEEP
    if (content_type == "application/json" or content_type.endswith("+json")) and not _is_utf8(body):
        return "The request body is not valid UTF-8: send JSON encoded as UTF-8."
    # Litestar reads raw bytes of a form as Latin-1 and a percent-escape that is not UTF-8 as U+FFFD: refuse both
    # rather than store mangled text.
    if content_type == "application/x-www-form-urlencoded" and not (
        body.isascii() and _is_utf8(unquote_to_bytes(body))
    ):
        return "The form data is not valid: send it URL-encoded, with non-ASCII characters as UTF-8."
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BodyCheckMiddleware(ASGIMiddleware):
    """Refuses a body no decoder should be given, with a 400 that says why, before any handler, Litestar's
    readers or the back office (a Starlette app) decode it: nested too deeply for a recursive decoder, or JSON
    and form data that are not UTF-8. Multipart uploads pass unread (Litestar streams them)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        content_type = _content_type(scope)
        if scope["method"] not in BODY_METHODS or content_type == "multipart/form-data":
            await next_app(scope, receive, send)
            return
        body = await _read_body(scope, receive)
        if body is None:  # the client left
            return
        problem = body_problem(body, content_type)
        if problem:
            raise ClientException(problem)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await next_app(scope, replay, send)


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1").partition(";")[0].strip().lower()
    return ""


async def _read_body(scope: Scope, receive: Receive) -> bytes | None:
    """The whole body, within the route's size limit (413 past it, as Litestar's own reader says)."""
    handler = scope.get("route_handler")
    limit = (handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler)
             else scope["litestar_app"].request_max_body_size)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise RequestEntityTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# Where request bytes become values: Litestar's JSON, form and multipart readers, and the `json` module (the
# back office, a Starlette app, reads JSON with it). A decoding error raised anywhere else is our own bug.
_BODY_DECODERS = ("litestar.serialization", "litestar._multipart", "litestar._parsers", "json", "starlette")
_UNREADABLE = (
    (RecursionError, TOO_DEEP),
    (UnicodeDecodeError, "The request body is not valid text in its character set: send UTF-8."),
    (LookupError, "The request names a character set this server does not know: send UTF-8."),
)


def _raised_decoding_a_body(exc: Exception) -> bool:
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return any(module == name or module.startswith(f"{name}.") for name in _BODY_DECODERS)


def handle_unreadable_body(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A decoder gave up on the request's bytes where the body check cannot look (a multipart part not in its
    character set, or naming an unknown one; a body sent as multipart to a JSON endpoint): the request to fix.
    The same error raised outside a decoder is a server error (a KeyError is a LookupError, too)."""
    if not _raised_decoding_a_body(exc) or (isinstance(exc, LookupError) and type(exc) is not LookupError):
        return handle_unexpected(request, exc)
    message = next(text for kind, text in _UNREADABLE if isinstance(exc, kind))
    log.info("unreadable body on %s %s: %r", request.method, request.url.path, exc)
    if is_api(request):
        return Response({"detail": message}, status_code=400)
    return _page(request, 400, message)


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


def handle_transaction_rollback(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """PostgreSQL gave up this transaction to let a concurrent one finish (a deadlock between two writers, say a
    checkout and a feed import touching the same listings): nothing was written, and the same request can simply be
    sent again."""
    log.warning("transaction rolled back by the database on %s %s: %s", request.method, request.url.path, exc)
    message = "Another change to the same data was being saved at the same moment: nothing was saved; try again."
    if is_api(request):
        return Response({"detail": message}, status_code=409, headers={"Retry-After": "1"})
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
    asyncpg.exceptions.TransactionRollbackError: handle_transaction_rollback,
    # A Python int past the column's type: SQLite binds 64 bits; asyncpg refuses what the parameter's type
    # cannot hold, and PostgreSQL the rest (its "data exception" class: values, never the app's state).
    OverflowError: handle_out_of_range,
    asyncpg.exceptions.DataError: handle_out_of_range,
    RecursionError: handle_unreadable_body,
    UnicodeDecodeError: handle_unreadable_body,
    LookupError: handle_unreadable_body,
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
}
