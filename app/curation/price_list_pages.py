"""The operators' price list pages: a segment's or a company's price lists and their entries."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Template

from app import forms, grids
from app.accounts.roles import CompanyKind
from app.auth import PrincipalRequest, operators_only, principal_of
from app.curation import (
    choices,
    price_list_grid,
    price_lists,
)
from app.curation.page_forms import (
    ENTRY_FIELDS,
    ENTRY_WHERE,
    PRICE_LIST_FIELDS,
    EntryForm,
    PriceListForm,
    form_moment,
    required_number,
    see_other,
    whole_number,
)
from app.curation.schemas import (
    EntriesIn,
    EntryIn,
    PriceListIn,
)
from app.errors import DomainError, FieldErrors, InvalidInput


class PriceListPages(Controller):
    path = "/operator/curation"
    guards = [operators_only]
    include_in_schema = False

    # Price lists ----------------------------------------------------------------------------

    async def _price_lists_page(self, request: PrincipalRequest, *, error: DomainError | None = None,
                                form: PriceListForm | None = None) -> Template:
        """The price lists; after a refusal, the reason beside the field its message names, and what was typed."""
        state = (await price_list_grid.price_list_spec()).read(request.query_params)
        page = grids.page_template(
            "curation/price_lists.html", await price_list_grid.price_list_grid(state),
            segments=await choices.segment_choices(), buyers=await choices.companies_of_kind(CompanyKind.BUYER),
            errors=forms.errors_by_field(error, named=PRICE_LIST_FIELDS), form=form or PriceListForm(),
        )
        if error:
            page.status_code = error.status_code
        return page

    @get("/price-lists")
    async def price_lists(self, request: PrincipalRequest) -> Template:
        return await self._price_lists_page(request)

    @get(["/price-lists/export.csv", "/price-lists/export.xlsx"])
    async def price_lists_export(self, request: PrincipalRequest) -> Response[bytes]:
        state = (await price_list_grid.price_list_spec()).read(request.query_params)
        return await grids.export_response(price_list_grid.price_list_grid, state, request.url.path,
                                           price_list_grid.EXPORT_HEADER, price_list_grid.export_row,
                                           zone=principal_of(request).time_zone)

    @post("/price-lists", status_code=303)
    async def create_price_list(self, request: PrincipalRequest, data: URLEncodedBody[PriceListForm]) -> (
        Response[Any]
    ):
        zone = principal_of(request).time_zone
        try:
            created = await price_lists.create_price_list(principal_of(request), forms.read({
                "name": data.name, "currency": data.currency,
                "segment_id": whole_number(data.segment_id, "segment_id") if data.owner == "segment" else None,
                "company_id": whole_number(data.company_id, "company_id") if data.owner == "company" else None,
                "valid_from": form_moment(data.valid_from, "valid_from", zone),
                "valid_to": form_moment(data.valid_to, "valid_to", zone),
            }, PriceListIn, fields=PRICE_LIST_FIELDS))
        except DomainError as exc:
            return await self._price_lists_page(request, error=exc, form=data)
        flash(request, f"Price list {created.price_list.name} is created; add its prices below.", "success")
        return see_other(f"/operator/curation/price-lists/{created.price_list.id}")

    async def _price_list_page(
        self, request: PrincipalRequest, price_list_id: int, *, error: DomainError | None = None,
        form: EntryForm | None = None,
    ) -> Template:
        summary = await price_lists.price_list_summary(price_list_id)
        state = price_list_grid.entry_spec(price_list_id).read(request.query_params)
        if isinstance(error, InvalidInput) and not isinstance(error, FieldErrors):
            error = InvalidInput(ENTRY_WHERE.sub("", error.message))
        page = grids.page_template(
            "curation/price_list.html", await price_list_grid.entry_grid(price_list_id, state), pl=summary,
            listings=await choices.listing_choices(), errors=forms.errors_by_field(error, named=ENTRY_FIELDS),
            form=form or EntryForm(),
        )
        if error:
            page.status_code = error.status_code
        return page

    @get("/price-lists/{price_list_id:int}")
    async def price_list(self, request: PrincipalRequest, price_list_id: FromPath[int]) -> Template:
        return await self._price_list_page(request, price_list_id)

    @get(["/price-lists/{price_list_id:int}/export.csv", "/price-lists/{price_list_id:int}/export.xlsx"])
    async def price_list_export(self, request: PrincipalRequest, price_list_id: FromPath[int]) -> Response[bytes]:
        summary = await price_lists.price_list_summary(price_list_id)
        state = price_list_grid.entry_spec(price_list_id).read(request.query_params)
        return await grids.export_response(partial(price_list_grid.entry_grid, price_list_id), state,
                                           request.url.path, price_list_grid.ENTRY_EXPORT_HEADER,
                                           partial(price_list_grid.entry_export_row, summary.currency),
                                           zone=principal_of(request).time_zone)

    @post("/price-lists/{price_list_id:int}/entries", status_code=303)
    async def add_entry(
        self, request: PrincipalRequest, price_list_id: FromPath[int], data: URLEncodedBody[EntryForm]
    ) -> Response[Any]:
        try:
            entry = EntryIn(listing_id=required_number(data.listing_id, "listing_id"),
                            min_qty=required_number(data.min_qty, "min_qty"),
                            unit_price=forms.amount(data.unit_price, principal_of(request).locale, "unit_price",
                                                    "Unit price"))
            await price_lists.set_entries(principal_of(request), price_list_id, EntriesIn(entries=[entry]))
        except DomainError as exc:
            return await self._price_list_page(request, price_list_id, error=exc, form=data)
        flash(request, "The price is saved; buyers see it on their next page.", "success")
        return see_other(f"/operator/curation/price-lists/{price_list_id}")
