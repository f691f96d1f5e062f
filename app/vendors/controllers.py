"""The vendor portal over HTTP: listings and feed imports, as API and as pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Response, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Stream, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import Principal, PrincipalRequest, principal_of, sellers_only
from app.catalog.states import ListingStatus
from app.errors import DomainError, InvalidInput
from app.forms import amount, back_to, confirmation, confirmed, errors_by_field
from app.locales import DEFAULT_LOCALE
from app.money import amount_input
from app.vendors import confirmations, import_reports, services
from app.vendors.feed import COLUMNS
from app.vendors.import_reports import full_report, get_import, report_csv
from app.vendors.import_start import start_import
from app.vendors.listing_rules import FIELDS, SUBMIT, WITHDRAW
from app.vendors.schemas import (
    ImportOut,
    ImportRowError,
    ImportUpload,
    ListingIn,
    ListingOut,
    ListingPage,
    ListingPatch,
)

MAX_FEED_BYTES = 256 * 1024 * 1024
TIER_ROWS = 5
Multipart = Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)]


async def _start(principal: Principal, upload: ImportUpload) -> int:
    return await start_import(
        principal.company_id,
        principal.user_id,
        upload.file.filename,
        upload.file.file,
        all_or_nothing=upload.all_or_nothing,
    )


# --- API ----------------------------------------------------------------------------------------


class ListingApi(Controller):
    path = "/api/v1/listings"
    tags = ["vendor listings"]
    guards = [sellers_only]

    @post("/", status_code=201, summary="Create a draft listing of your company")
    async def create(self, request: PrincipalRequest, data: JSONBody[ListingIn]) -> ListingOut:
        return await services.create_listing(principal_of(request), data.fields())

    @get("/", summary="Your company's listings, newest first; filter by status")
    async def list_listings(
        self,
        request: PrincipalRequest,
        status: FromQuery[ListingStatus | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> ListingPage:
        return await services.list_listings(principal_of(request), status, limit, offset)

    @get("/{listing_id:int}", summary="One of your listings")
    async def get_listing(self, request: PrincipalRequest, listing_id: FromPath[int]) -> ListingOut:
        return await services.get_listing(principal_of(request), listing_id)

    @patch("/{listing_id:int}", summary="Change some fields; changed product facts send an approved listing back")
    async def update(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: JSONBody[ListingPatch]
    ) -> ListingOut:
        return await services.update_listing(principal_of(request), listing_id, data.fields())

    @post("/{listing_id:int}/submit", status_code=200, summary="Send a draft or rejected listing to curation")
    async def submit(self, request: PrincipalRequest, listing_id: FromPath[int]) -> ListingOut:
        return await services.submit_listing(principal_of(request), listing_id)

    @post("/{listing_id:int}/withdraw", status_code=200, summary="Take a pending or approved listing back to draft")
    async def withdraw(self, request: PrincipalRequest, listing_id: FromPath[int]) -> ListingOut:
        return await services.withdraw_listing(principal_of(request), listing_id)

    @post(
        "/import",
        status_code=202,
        request_max_body_size=MAX_FEED_BYTES,
        summary="Upload a CSV or XLSX feed; rows are upserted by SKU by a job (poll /api/v1/jobs/{id})",
    )
    async def import_feed(self, request: PrincipalRequest, data: Multipart) -> ImportOut:
        principal = principal_of(request)
        return await get_import(principal, await _start(principal, data), errors_shown=0)


class JobApi(Controller):
    path = "/api/v1/jobs"
    tags = ["vendor listings"]
    guards = [sellers_only]

    @get("/{import_id:int}", summary="A feed import of yours: status, progress and the report of rejected rows")
    async def get_job(self, request: PrincipalRequest, import_id: FromPath[int]) -> ImportOut:
        return await get_import(principal_of(request), import_id)

    @get(
        "/{import_id:int}/errors.csv",
        summary="Every rejected row of a feed import of yours, as CSV (row, column, reason)",
        media_type="text/csv",
    )
    async def get_job_errors(self, request: PrincipalRequest, import_id: FromPath[int]) -> Stream:
        return _report_download(await full_report(principal_of(request), import_id), import_id)


def _report_download(batches: AsyncIterator[list[ImportRowError]], import_id: int) -> Stream:
    async def chunks() -> AsyncIterator[bytes]:
        yield ("\ufeff" + report_csv([], header=True)).encode()  # the BOM: spreadsheets then read UTF-8
        async for batch in batches:
            yield report_csv(batch).encode()

    return Stream(
        chunks(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-rejected-rows.csv"'},
    )


# --- pages --------------------------------------------------------------------------------------


@dataclass
class ListingForm:
    sku: str = ""
    title: str = ""
    brand: str = ""
    mpn: str = ""
    gtin: str = ""
    category_id: str = ""
    description: str = ""
    unit: str = "pcs"
    pack_size: str = "1"
    min_order_qty: str = "1"
    stock: str = "0"
    lead_time_days: str = "0"
    base_price: str = ""
    currency: str = "EUR"
    tax_rate: str = ""
    tier_qty_1: str = ""
    tier_price_1: str = ""
    tier_qty_2: str = ""
    tier_price_2: str = ""
    tier_qty_3: str = ""
    tier_price_3: str = ""
    tier_qty_4: str = ""
    tier_price_4: str = ""
    tier_qty_5: str = ""
    tier_price_5: str = ""

    def fields(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """The listing's fields for the rules, prices read as the vendor writes amounts ("4,50" in German)."""
        raw = {name: value for name, value in asdict(self).items() if name in FIELDS}
        raw["base_price"] = amount(self.base_price, locale, "base_price", "Price")
        raw["tiers"] = [
            (getattr(self, f"tier_qty_{i}"), amount(getattr(self, f"tier_price_{i}"), locale, f"tier_price_{i}",
                                                    f"Tier {i} price"))
            for i in range(1, TIER_ROWS + 1)
            if getattr(self, f"tier_qty_{i}").strip() or getattr(self, f"tier_price_{i}").strip()
        ]
        return raw

    @classmethod
    def of(cls, listing: ListingOut, locale: str = DEFAULT_LOCALE) -> ListingForm:
        form = cls(
            **{
                name: "" if getattr(listing, name) is None else str(getattr(listing, name))
                for name in FIELDS
                if name != "tiers"
            }
        )
        for i, tier in enumerate(listing.tiers[:TIER_ROWS], start=1):
            setattr(form, f"tier_qty_{i}", str(tier.min_qty))
            setattr(form, f"tier_price_{i}", amount_input(tier.unit_price, locale))
        form.base_price = amount_input(listing.base_price, locale)
        return form


@dataclass
class ImportForm:
    all_or_nothing: str = ""


LISTING_EXPORT_HEADER = ("SKU", "Title", "Brand", "MPN", "GTIN", "Unit", "Price", "Currency", "Stock",
                         "Lead time (days)", "Status", "Rejection reason")


def _listing_export_row(listing: ListingOut) -> tuple[Any, ...]:
    return (listing.sku, listing.title, listing.brand, listing.mpn, listing.gtin, listing.unit, listing.base_price,
            listing.currency, listing.stock, listing.lead_time_days, listing.status, listing.rejection_reason)


class ListingPages(Controller):
    path = "/vendor/listings"
    guards = [sellers_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        grid = await services.listing_grid(principal_of(request), services.LISTING_GRID.read(request.query_params))
        return grids.page_template("vendors/listings.html", grid, max_bulk=grids.MAX_BULK)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(services.listing_grid, principal_of(request)), services.LISTING_GRID.read(request.query_params),
            request.url.path, LISTING_EXPORT_HEADER, _listing_export_row, zone=principal_of(request).time_zone)

    @post("/bulk", status_code=303)
    async def bulk(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        moves = {"submit": SUBMIT, "withdraw": WITHDRAW}
        try:
            ticked = grids.ticked(form.getall("listing_id", []), "listings")
            if form.get("action") not in moves:
                raise InvalidInput("Choose Submit or Withdraw for the ticked listings.")
            if not confirmed(form):  # many listings at once: name them and ask first
                return confirmation(await confirmations.bulk_move(
                    principal_of(request), form["action"], ticked, back_to(form, "/vendor/listings")))
            done = await services.move_listings(principal_of(request), ticked, moves[form["action"]])
            flash(request, f"{done} listing(s) {'sent to curation' if form['action'] == 'submit' else 'withdrawn'}.",
                  "success")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return Redirect(path=back_to(form, "/vendor/listings"), status_code=303)

    @get("/new")
    async def new(self) -> Template:
        return _form_page(ListingForm(), None)

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest, data: URLEncodedBody[ListingForm]) -> Response[Any]:
        try:
            principal = principal_of(request)
            listing = await services.create_listing(principal, data.fields(principal.locale))
        except DomainError as exc:
            return _form_page(data, None, exc)
        flash(request, f"Listing {listing.sku} is saved as a draft. Submit it when it is ready.", "success")
        return Redirect(path=f"/vendor/listings/{listing.id}", status_code=303)

    @get("/{listing_id:int}")
    async def edit(self, request: PrincipalRequest, listing_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        listing = await services.get_listing(principal, listing_id)
        return _form_page(ListingForm.of(listing, principal.locale), listing)

    @post("/{listing_id:int}", status_code=303)
    async def update(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: URLEncodedBody[ListingForm]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            listing = await services.update_listing(principal, listing_id, data.fields(principal.locale))
        except DomainError as exc:
            return _form_page(data, await services.get_listing(principal, listing_id), exc)
        flash(request, f"Listing {listing.sku} is saved ({listing.status}).", "success")
        return Redirect(path=f"/vendor/listings/{listing.id}", status_code=303)

    @post("/{listing_id:int}/submit", status_code=303)
    async def submit(self, request: PrincipalRequest, listing_id: FromPath[int]) -> Response[Any]:
        listing = await services.submit_listing(principal_of(request), listing_id)
        flash(request, f"Listing {listing.sku} is sent to curation.", "success")
        return Redirect(path=f"/vendor/listings/{listing.id}", status_code=303)

    @post("/{listing_id:int}/withdraw", status_code=303)
    async def withdraw(self, request: PrincipalRequest, listing_id: FromPath[int]) -> Response[Any]:
        if not confirmed(await request.form()):  # an approved listing leaves the catalog: say so and ask first
            return confirmation(await confirmations.withdrawal(principal_of(request), listing_id))
        listing = await services.withdraw_listing(principal_of(request), listing_id)
        flash(request, f"Listing {listing.sku} is withdrawn to draft.", "success")
        return Redirect(path=f"/vendor/listings/{listing.id}", status_code=303)


def _form_page(form: ListingForm, listing: ListingOut | None, error: DomainError | None = None) -> Template:
    return Template(
        template_name="vendors/listing_form.html",
        context={"form": form, "listing": listing, "tier_rows": range(1, TIER_ROWS + 1),
                 "errors": errors_by_field(error)},
        status_code=error.status_code if error else 200,
    )


class ImportPages(Controller):
    path = "/vendor/imports"
    guards = [sellers_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        return await _imports_page(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(partial(import_reports.import_grid, principal_of(request)),
                                           import_reports.IMPORT_GRID.read(request.query_params), request.url.path,
                                           import_reports.EXPORT_HEADER, import_reports.export_row,
                                           zone=principal_of(request).time_zone)

    @post("/", status_code=303, request_max_body_size=MAX_FEED_BYTES)
    async def upload(self, request: PrincipalRequest, data: Multipart) -> Response[Any]:
        principal = principal_of(request)
        try:
            import_id = await _start(principal, data)
        except DomainError as exc:  # beside the file, with the mode chosen kept
            return await _imports_page(request, exc, {"all_or_nothing": str(data.all_or_nothing).lower()})
        flash(request, f"{data.file.filename} is uploaded; its rows are being imported.", "success")
        return Redirect(path=f"/vendor/imports/{import_id}", status_code=303)

    @get("/{import_id:int}")
    async def show(self, request: PrincipalRequest, import_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        feed_import = await get_import(principal, import_id, errors_shown=0)
        state = import_reports.rejected_spec(import_id).read(request.query_params)
        return grids.page_template("vendors/import.html",
                                   await import_reports.rejected_grid(principal, import_id, state), job=feed_import)

    @get(["/{import_id:int}/export.csv", "/{import_id:int}/export.xlsx"])
    async def rejected_export(self, request: PrincipalRequest, import_id: FromPath[int]) -> Response[bytes]:
        principal = principal_of(request)
        state = import_reports.rejected_spec(import_id).read(request.query_params)
        return await grids.export_response(partial(import_reports.rejected_grid, principal, import_id), state,
                                           request.url.path, import_reports.REJECTED_EXPORT_HEADER,
                                           import_reports.rejected_export_row, zone=principal_of(request).time_zone)

    @get("/{import_id:int}/errors.csv")
    async def errors(self, request: PrincipalRequest, import_id: FromPath[int]) -> Stream:
        return _report_download(await full_report(principal_of(request), import_id), import_id)


async def _imports_page(request: PrincipalRequest, error: DomainError | None = None,
                        typed: dict[str, str] | None = None) -> Template:
    grid = await import_reports.import_grid(principal_of(request),
                                            import_reports.IMPORT_GRID.read(request.query_params))
    page = grids.page_template("vendors/imports.html", grid, columns=COLUMNS, max_bytes=MAX_FEED_BYTES,
                               errors=errors_by_field(error, "file"), typed=typed or {})
    page.status_code = error.status_code if error else 200
    return page


ROUTES: list[ControllerRouterHandler] = [ListingApi, JobApi, ListingPages, ImportPages]
