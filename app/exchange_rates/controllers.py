"""Exchange rates over HTTP: the API (bearer token; buyers and operators read, operators add and import) and the
operators' page (/operator/exchange-rates) with the same services."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.accounts.roles import BUYER_ROLES, OPERATOR_ROLES
from app.auth import Principal, PrincipalRequest, authenticated, operators_only, principal_of, requires_roles
from app.errors import DomainError, FieldErrors
from app.exchange_rates import services
from app.exchange_rates.schemas import ExchangeRateIn, ExchangeRateOut, ExchangeRatePageOut, RateImportOut
from app.files import MultipartBody, bytes_response, read_upload
from app.forms import errors_by_field
from app.openapi import MEDIA_TYPES

CSV = "text/csv"
rate_readers = requires_roles(*BUYER_ROLES, *OPERATOR_ROLES)
# The multipart envelope around a file of MAX_IMPORT_BYTES.
MAX_IMPORT_BODY = services.MAX_IMPORT_BYTES + 64 * 1024


class ExchangeRateApi(Controller):
    path = "/api/v1/exchange-rates"
    tags = ["exchange rates"]
    guards = [authenticated, rate_readers]

    @get("/", summary="Exchange rates, newest day first (buyers and operators)")
    async def list_rates(self, page: FromQuery[int] = 1, per_page: FromQuery[int] = services.PER_PAGE,
                         base: FromQuery[str] = "", quote: FromQuery[str] = "") -> ExchangeRatePageOut:
        return await services.list_rates(page, per_page, base[:10], quote[:10])

    @post("/", guards=[operators_only], status_code=201,
          summary="Add a rate: 1 base = rate quote from valid_on on (operators); 409 if the pair has one that day")
    async def add(self, request: PrincipalRequest, data: JSONBody[ExchangeRateIn]) -> ExchangeRateOut:
        return await services.add_rate(principal_of(request), data)

    @post("/import", guards=[operators_only], status_code=201, request_max_body_size=MAX_IMPORT_BODY,
          summary="Import a CSV file of rates (base,quote,rate,valid_on[,source]), all or nothing (operators)")
    async def import_file(self, request: PrincipalRequest, data: MultipartBody) -> RateImportOut:
        content = await read_upload(data.file, services.MAX_IMPORT_BYTES)
        return await services.import_rates(principal_of(request), content)

    @get("/export.csv", opt={MEDIA_TYPES: [CSV]}, summary="Every rate as CSV, as the import reads it")
    async def export(self) -> Response[bytes]:
        return bytes_response(await services.export_csv(), CSV, "exchange-rates.csv")


# --- the operators' page -------------------------------------------------------------------------------------------


async def rates_page(principal: Principal, error: DomainError | None = None, form: dict[str, str] | None = None,
                     field: str = "form", page: int = 1) -> Template:
    rates = await services.list_rates(page, services.PER_PAGE)
    return Template(
        template_name="exchange_rates/rates.html",
        context={"rates": rates, "errors": errors_by_field(error, field), "form": form or {},
                 "max_bytes": services.MAX_IMPORT_BYTES, "max_rows": services.MAX_IMPORT_ROWS,
                 "today": date.today().isoformat()},
        status_code=error.status_code if error else 200,
    )


def _rate_in(form: dict[str, str]) -> ExchangeRateIn:
    try:
        valid_on = date.fromisoformat(form.get("valid_on", "").strip())
    except ValueError:
        raise FieldErrors("Valid from must be a date such as 2026-11-30.",
                          {"valid_on": "Valid from must be a date such as 2026-11-30."}) from None
    return ExchangeRateIn(base=form.get("base", "")[:10], quote=form.get("quote", "")[:10],
                          rate=form.get("rate", "")[:40], valid_on=valid_on, source=form.get("source", "")[:200])


class ExchangeRatePages(Controller):
    path = "/operator/exchange-rates"
    guards = [authenticated, operators_only]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, page: FromQuery[int] = 1) -> Template:
        return await rates_page(principal_of(request), page=max(1, page))

    @post("/", status_code=303)
    async def add(self, request: PrincipalRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        try:
            rate = await services.add_rate(principal, _rate_in(data))
        except DomainError as exc:
            return await rates_page(principal, exc, data, "rate")
        flash(request, f"The rate {rate.label} is kept.", "success")
        return Redirect(path="/operator/exchange-rates", status_code=303)

    @post("/import", status_code=303, request_max_body_size=MAX_IMPORT_BODY)
    async def import_file(self, request: PrincipalRequest, data: MultipartBody) -> Response[Any]:
        principal = principal_of(request)
        try:
            content = await read_upload(data.file, services.MAX_IMPORT_BYTES)
            result = await services.import_rates(principal, content)
        except DomainError as exc:
            return await rates_page(principal, exc, field="file")
        flash(request, f"{result.imported} rate{'s' * (result.imported != 1)} imported.", "success")
        return Redirect(path="/operator/exchange-rates", status_code=303)

    @get("/export.csv")
    async def export(self) -> Response[bytes]:
        return bytes_response(await services.export_csv(), CSV, "exchange-rates.csv")


ROUTES: list[ControllerRouterHandler] = [ExchangeRateApi, ExchangeRatePages]
