"""HTTP API and pages of the curation area: operators only (the category tree excepted)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import forms, grids
from app.accounts.roles import CompanyKind
from app.auth import PrincipalRequest, authenticated, operators_only, principal_of
from app.catalog.states import ListingStatus, RuleEffect, RuleTarget
from app.clock import LocalTimeError, local_to_utc
from app.curation import (
    categories,
    choices,
    confirmations,
    events,
    listings,
    price_list_grid,
    price_lists,
    products,
    queue,
    rules,
    segment_grid,
    segments,
)
from app.curation.schemas import (
    ApproveIn,
    CategoryIn,
    CategoryOut,
    CategoryTreeNode,
    CompanySegmentIn,
    CompanySegmentOut,
    CuratedProductOut,
    EntriesIn,
    EntryIn,
    EventPage,
    FeatureIn,
    ListingDetail,
    MergeIn,
    MergeOut,
    PriceListIn,
    PriceListOut,
    PriceListSummary,
    QueuePage,
    RejectIn,
    RuleIn,
    RuleOut,
    SegmentIn,
    SegmentOut,
    SuspendOut,
)
from app.errors import DomainError, FieldErrors, InvalidInput

# --- API ----------------------------------------------------------------------------------------


class CurationApi(Controller):
    path = "/api/v1/curation"
    tags = ["curation"]
    guards = [operators_only]

    @get("/listings", summary="The curation queue: listings by status, vendor, category, text, submission date")
    async def list_listings(
        self,
        status: FromQuery[str] = ListingStatus.PENDING.value,
        vendor: FromQuery[int | None] = None,
        category: FromQuery[int | None] = None,
        q: FromQuery[str] = "",
        submitted_from: FromQuery[date | None] = None,
        submitted_to: FromQuery[date | None] = None,
        page: FromQuery[int] = 1,
    ) -> QueuePage:
        return await listings.list_listings(listings.QueueFilters(
            status=status or None, vendor_id=vendor, category_id=category, text=q,
            submitted_from=submitted_from, submitted_to=submitted_to, page=page,
        ))

    @get("/listings/{listing_id:int}", summary="A listing with its product and suggested matches")
    async def get_listing(self, listing_id: FromPath[int]) -> ListingDetail:
        return await listings.listing_detail(listing_id)

    @post("/listings/{listing_id:int}/approve", status_code=200,
          summary="Approve: match to product_id, or without one create a product from the listing")
    async def approve(self, request: PrincipalRequest, listing_id: FromPath[int], data: JSONBody[ApproveIn]) -> (
        ListingDetail
    ):
        return await listings.approve_listing(principal_of(request), listing_id, data.product_id)

    @post("/listings/{listing_id:int}/reject", status_code=200, summary="Reject a pending listing with a reason")
    async def reject(self, request: PrincipalRequest, listing_id: FromPath[int], data: JSONBody[RejectIn]) -> (
        ListingDetail
    ):
        return await listings.reject_listing(principal_of(request), listing_id, data.reason)

    @post("/listings/{listing_id:int}/suspend", status_code=200, summary="Suspend an approved or pending listing")
    async def suspend(self, request: PrincipalRequest, listing_id: FromPath[int]) -> ListingDetail:
        return await listings.suspend_listing(principal_of(request), listing_id)

    @post("/vendors/{vendor_id:int}/suspend-listings", status_code=200,
          summary="Suspend every approved and pending listing of a vendor at once")
    async def suspend_vendor(self, request: PrincipalRequest, vendor_id: FromPath[int]) -> SuspendOut:
        return await listings.suspend_vendor_listings(principal_of(request), vendor_id)

    @post("/products/{product_id:int}/merge", status_code=200,
          summary="Merge a duplicate product into another: its listings move, it becomes merged")
    async def merge(self, request: PrincipalRequest, product_id: FromPath[int], data: JSONBody[MergeIn]) -> MergeOut:
        return await products.merge_products(principal_of(request), product_id, data.into_product_id)

    @post("/products/{product_id:int}/feature", status_code=200, summary="Feature or unfeature a product")
    async def feature(self, request: PrincipalRequest, product_id: FromPath[int], data: JSONBody[FeatureIn]) -> (
        CuratedProductOut
    ):
        return await products.feature_product(principal_of(request), product_id, data.featured)

    @get("/events", summary="The curation audit log, newest first")
    async def events(
        self,
        listing: FromQuery[int | None] = None,
        product: FromQuery[int | None] = None,
        action: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> EventPage:
        return await events.list_events(listing_id=listing, product_id=product, action=action, page=page)


class CategoryApi(Controller):
    path = "/api/v1/categories"
    tags = ["categories"]
    guards = [authenticated]

    @post("/", guards=[operators_only], status_code=201, summary="Add a category (operators)")
    async def create(self, request: PrincipalRequest, data: JSONBody[CategoryIn]) -> CategoryOut:
        return await categories.create_category(principal_of(request), data)

    @get("/", summary="The category tree (a buyer's: what its segment may browse)")
    async def tree(self, request: PrincipalRequest) -> list[CategoryTreeNode]:
        return await categories.category_tree(principal_of(request))


class SegmentApi(Controller):
    path = "/api/v1/segments"
    tags = ["segments"]
    guards = [operators_only]

    @post("/", status_code=201, summary="Add a customer segment")
    async def create(self, request: PrincipalRequest, data: JSONBody[SegmentIn]) -> SegmentOut:
        return await segments.create_segment(principal_of(request), data)

    @get("/", summary="Every segment with its rules and member companies")
    async def list_segments(self) -> list[SegmentOut]:
        return await segments.list_segments()

    @post("/{segment_id:int}/rules", status_code=201, summary="Allow or deny a category, product or vendor")
    async def add_rule(self, request: PrincipalRequest, segment_id: FromPath[int], data: JSONBody[RuleIn]) -> RuleOut:
        return await segments.add_rule(principal_of(request), segment_id, data)

    @delete("/{segment_id:int}/rules/{rule_id:int}", status_code=204, summary="Remove a rule")
    async def delete_rule(self, request: PrincipalRequest, segment_id: FromPath[int], rule_id: FromPath[int]) -> None:
        await segments.delete_rule(principal_of(request), segment_id, rule_id)


class CompanySegmentApi(Controller):
    path = "/api/v1/companies/{company_id:int}/segment"
    tags = ["segments"]
    guards = [operators_only]

    @put("/", summary="Put a buyer company into a segment (null takes it out)")
    async def set_segment(
        self, request: PrincipalRequest, company_id: FromPath[int], data: JSONBody[CompanySegmentIn]
    ) -> CompanySegmentOut:
        return await segments.set_company_segment(principal_of(request), company_id, data.segment_id)


class PriceListApi(Controller):
    path = "/api/v1/price-lists"
    tags = ["price lists"]
    guards = [operators_only]

    @post("/", status_code=201, summary="A price list for one segment or one buyer company, with entries")
    async def create(self, request: PrincipalRequest, data: JSONBody[PriceListIn]) -> PriceListOut:
        return await price_lists.create_price_list(principal_of(request), data)

    @get("/", summary="Every price list, optionally of one segment or company")
    async def list_price_lists(
        self, segment: FromQuery[int | None] = None, company: FromQuery[int | None] = None
    ) -> list[PriceListSummary]:
        return await price_lists.list_price_lists(segment, company)

    @get("/{price_list_id:int}", summary="A price list with its entries")
    async def get_price_list(self, price_list_id: FromPath[int]) -> PriceListOut:
        return await price_lists.get_price_list(price_list_id)

    @post("/{price_list_id:int}/entries", status_code=200,
          summary="Add entries (replacing the same listing and min_qty), or replace them all")
    async def set_entries(
        self, request: PrincipalRequest, price_list_id: FromPath[int], data: JSONBody[EntriesIn]
    ) -> PriceListOut:
        return await price_lists.set_entries(principal_of(request), price_list_id, data)


# --- pages --------------------------------------------------------------------------------------


@dataclass
class ApproveForm:
    product_id: str = ""


@dataclass
class RejectForm:
    reason: str = ""


@dataclass
class ProductForm:
    featured: str = ""
    into_product_id: str = ""
    listing_id: str = ""  # the listing page to go back to
    confirmed: str = ""  # "yes" from the merge's confirmation page


@dataclass
class VendorForm:
    vendor_id: str = ""
    confirmed: str = ""


@dataclass
class SegmentForm:
    name: str = ""
    description: str = ""


@dataclass
class RuleForm:
    effect: str = ""
    target: str = ""
    target_id: str = ""


@dataclass
class MemberForm:
    company_id: str = ""
    segment_id: str = ""


@dataclass
class PriceListForm:
    name: str = ""
    owner: str = "segment"
    segment_id: str = ""
    company_id: str = ""
    currency: str = "EUR"
    valid_from: str = ""
    valid_to: str = ""


@dataclass
class EntryForm:
    listing_id: str = ""
    min_qty: str = "1"
    unit_price: str = ""


SEGMENT_FIELDS = {"name": ("name", "Name"), "description": ("description", "Description")}
PRICE_LIST_FIELDS = {"name": ("name", "Name"), "currency": ("currency", "Currency"),
                     "segment_id": ("segment_id", "Segment"), "company_id": ("company_id", "Buyer company"),
                     "valid_from": ("valid_from", "Valid from"), "valid_to": ("valid_to", "Valid until"),
                     "give": ("segment_id", "Give")}
ENTRY_FIELDS = {"listing_id": ("listing_id", "Approved listing"), "min_qty": ("min_qty", "From quantity"),
                "unit_price": ("unit_price", "Unit price"), "listing": ("listing_id", "Listing")}
# "entries[1] (listing 4, from 10): " before a price list entry's problem: the page sends one entry, its fields name it.
_ENTRY_WHERE = re.compile(r"^entries\[\d+\][^:]*: ")


def _int(value: str | None, what: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number") from None


def _required_int(value: str | None, what: str) -> int:
    number = _int(value, what)
    if number is None:
        raise InvalidInput(f"{what} is needed")
    return number


def _date(value: str | None, what: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a date such as 2026-11-23") from None


def _moment(value: str | None, what: str, time_zone: str) -> datetime | None:
    """A `datetime-local` field, read in the operator's time zone (the page names it)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return local_to_utc(text, time_zone)
    except LocalTimeError as exc:
        if "does not exist" in str(exc):
            raise InvalidInput(f"{what}: {exc}") from None
        raise InvalidInput(f"{what} must be a date and time such as 2026-11-23T08:00") from None


def _back(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


class CurationPages(Controller):
    path = "/operator/curation"
    guards = [operators_only]
    include_in_schema = False

    # The queue ------------------------------------------------------------------------------

    @get("/")
    async def queue_page(self, request: PrincipalRequest) -> Template:
        state = (await queue.queue_spec()).read(request.query_params)
        return grids.page_template("curation/queue.html", await queue.queue_grid(state), max_bulk=grids.MAX_BULK,
                                   vendors=await choices.companies_of_kind(CompanyKind.VENDOR))

    @get(["/export.csv", "/export.xlsx"])
    async def queue_export(self, request: PrincipalRequest) -> Response[bytes]:
        state = (await queue.queue_spec()).read(request.query_params)
        return await grids.export_response(queue.queue_grid, state, request.url.path, queue.EXPORT_HEADER,
                                           queue.export_row, zone=principal_of(request).time_zone)

    @post("/listings/bulk", status_code=303)
    async def bulk(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        back = forms.back_to(form, "/operator/curation")
        try:
            ticked = grids.ticked(form.getall("listing_id", []), "listings")
            action = form.get("action")
            if not forms.confirmed(form):  # many listings at once: name them and ask first
                return forms.confirmation(await confirmations.bulk_move(action or "", ticked, back,
                                                                        principal_of(request).place))
            if action == "approve":
                done = await queue.approve_many(principal_of(request), ticked)
                flash(request, f"{done} listing(s) approved.", "success")
            elif action == "suspend":
                done = await queue.suspend_many(principal_of(request), ticked)
                flash(request, f"{done} listing(s) suspended.", "success")
            else:
                raise InvalidInput("Choose Approve or Suspend for the ticked listings.")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return _back(back)

    @post("/vendors/suspend-listings", status_code=303)
    async def suspend_vendor(self, request: PrincipalRequest, data: URLEncodedBody[VendorForm]) -> Response[Any]:
        try:
            vendor_id = _required_int(data.vendor_id, "a vendor")
            if data.confirmed != "yes":
                return forms.confirmation(await confirmations.vendor_suspension(vendor_id))
            result = await listings.suspend_vendor_listings(principal_of(request), vendor_id)
        except DomainError as exc:
            flash(request, exc.message, "error")
            return _back("/operator/curation")
        flash(request, f"{len(result.suspended_listing_ids)} listing(s) of the vendor are suspended.", "success")
        return _back("/operator/curation")

    # One listing ----------------------------------------------------------------------------

    async def _listing_page(
        self, listing_id: int, *, error: DomainError | None = None, field: str = "form",
        typed: dict[str, str] | None = None,
    ) -> Template:
        """The listing; after a refusal, the reason beside `field` and every value typed (`typed`)."""
        return Template(
            template_name="curation/listing.html",
            context={"detail": await listings.listing_detail(listing_id), "errors": forms.errors_by_field(error, field),
                     "typed": typed or {}, "reason_limit": rules.REASON_MAX_LENGTH},
            status_code=error.status_code if error else 200,
        )

    @get("/listings/{listing_id:int}")
    async def listing(self, listing_id: FromPath[int]) -> Template:
        return await self._listing_page(listing_id)

    @post("/listings/{listing_id:int}/approve", status_code=303)
    async def approve(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: URLEncodedBody[ApproveForm]
    ) -> Response[Any]:
        try:
            detail = await listings.approve_listing(principal_of(request), listing_id,
                                                    _int(data.product_id, "product"))
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc, field="product_id",
                                            typed={"product_id": data.product_id})
        flash(request, f"Listing {detail.listing.sku} is approved as product {detail.listing.product_id}.", "success")
        return _back(f"/operator/curation/listings/{listing_id}")

    @post("/listings/{listing_id:int}/reject", status_code=303)
    async def reject(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: URLEncodedBody[RejectForm]
    ) -> Response[Any]:
        try:
            detail = await listings.reject_listing(principal_of(request), listing_id, data.reason)
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc, field="reason", typed={"reason": data.reason})
        flash(request, f"Listing {detail.listing.sku} is rejected; the vendor sees your reason.", "success")
        return _back(f"/operator/curation/listings/{listing_id}")

    @post("/listings/{listing_id:int}/suspend", status_code=303)
    async def suspend(self, request: PrincipalRequest, listing_id: FromPath[int]) -> Response[Any]:
        if not forms.confirmed(await request.form()):  # say what suspending does and ask once more
            return forms.confirmation(await confirmations.listing_suspension(listing_id, principal_of(request).place))
        try:
            detail = await listings.suspend_listing(principal_of(request), listing_id)
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc)
        flash(request, f"Listing {detail.listing.sku} is suspended.", "success")
        return _back(f"/operator/curation/listings/{listing_id}")

    @post("/products/{product_id:int}/feature", status_code=303)
    async def feature(
        self, request: PrincipalRequest, product_id: FromPath[int], data: URLEncodedBody[ProductForm]
    ) -> Response[Any]:
        back = f"/operator/curation/listings/{_int(data.listing_id, 'listing')}" if data.listing_id else (
            "/operator/curation/events")
        try:
            product = await products.feature_product(principal_of(request), product_id, data.featured == "1")
        except DomainError as exc:
            flash(request, exc.message, "error")
            return _back(back)
        flash(request, f"{product.name} is {'featured' if product.featured else 'no longer featured'}.", "success")
        return _back(back)

    @post("/products/{product_id:int}/merge", status_code=303)
    async def merge(
        self, request: PrincipalRequest, product_id: FromPath[int], data: URLEncodedBody[ProductForm]
    ) -> Response[Any]:
        back = f"/operator/curation/listings/{_int(data.listing_id, 'listing')}" if data.listing_id else (
            "/operator/curation/events")
        try:
            into = _required_int(data.into_product_id, "The surviving product's number")
            if data.confirmed != "yes":  # merging cannot be undone: say what it does and ask once more
                return Template(template_name="curation/merge_confirm.html", context={
                    "merge": await products.merge_preview(product_id, into), "listing_id": data.listing_id})
            result = await products.merge_products(principal_of(request), product_id, into)
        except DomainError as exc:
            if data.listing_id:  # from the listing's page: back to it, the refusal beside the product number typed
                return await self._listing_page(_int(data.listing_id, "listing") or 0, error=exc,
                                                field="into_product_id",
                                                typed={"into_product_id": data.into_product_id})
            flash(request, exc.message, "error")
            return _back(back)
        flash(request, f"{result.product.name} is merged into {result.survivor.name}; "
                       f"{len(result.moved_listing_ids)} listing(s) moved.", "success")
        return _back(back)

    # Audit log ------------------------------------------------------------------------------

    @get("/events")
    async def events(self, request: PrincipalRequest) -> Template:
        grid = await events.event_grid(events.EVENT_GRID.read(request.query_params))
        return grids.page_template("curation/events.html", grid)

    @get(["/events/export.csv", "/events/export.xlsx"])
    async def events_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(events.event_grid, events.EVENT_GRID.read(request.query_params),
                                           request.url.path, events.EXPORT_HEADER, events.export_row,
                                           zone=principal_of(request).time_zone)

    # Segments -------------------------------------------------------------------------------

    async def _segments_page(self, request: PrincipalRequest, *, error: DomainError | None = None, form: Any = None,
                             field: str = "form", named: Mapping[str, tuple[str, str]] | None = None,
                             conflicts: bool = False, segment_id: int | None = None) -> Template:
        """The segments; after a refusal, the reason beside `field` (or the field its message names, `named`) and
        what was typed in the form sent (a rule's, in its segment's form: `segment_id`)."""
        grid = await segment_grid.segment_grid(segment_grid.SEGMENT_GRID.read(request.query_params))
        page = grids.page_template(
            "curation/segments.html", grid, segments=await choices.segment_choices(),
            buyers=await choices.companies_of_kind(CompanyKind.BUYER),
            effects=[e.value for e in RuleEffect], targets=[t.value for t in RuleTarget],
            errors=forms.errors_by_field(error, field, conflicts=conflicts, named=named),
            form=dataclasses.asdict(form) if form is not None else {}, form_segment=segment_id,
            limits=forms.max_lengths(SegmentIn),
        )
        if error:
            page.status_code = error.status_code
        return page

    @get("/segments")
    async def segments(self, request: PrincipalRequest) -> Template:
        return await self._segments_page(request)

    @get(["/segments/export.csv", "/segments/export.xlsx"])
    async def segments_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(segment_grid.segment_grid,
                                           segment_grid.SEGMENT_GRID.read(request.query_params), request.url.path,
                                           segment_grid.EXPORT_HEADER, segment_grid.export_row,
                                           zone=principal_of(request).time_zone)

    @post("/segments", status_code=303)
    async def create_segment(self, request: PrincipalRequest, data: URLEncodedBody[SegmentForm]) -> Response[Any]:
        try:
            segment = await segments.create_segment(principal_of(request), forms.read(
                {"name": data.name, "description": data.description}, SegmentIn, fields=SEGMENT_FIELDS))
        except DomainError as exc:  # a name taken (409) is about the name typed
            return await self._segments_page(request, error=exc, form=data, field="name", named=SEGMENT_FIELDS,
                                             conflicts=True)
        flash(request, f"Segment {segment.name} is created.", "success")
        return _back("/operator/curation/segments")

    @post("/segments/{segment_id:int}/rules", status_code=303)
    async def add_rule(
        self, request: PrincipalRequest, segment_id: FromPath[int], data: URLEncodedBody[RuleForm]
    ) -> Response[Any]:
        try:
            rule = await segments.add_rule(principal_of(request), segment_id, RuleIn(
                effect=data.effect, target=data.target, target_id=_required_int(data.target_id, "target_id")))
        except DomainError as exc:  # the segment's own target field; a rule already there (409) is about it too
            field = f"target_id-{segment_id}"
            return await self._segments_page(request, error=exc, form=data, field=field, conflicts=True,
                                             segment_id=segment_id, named={"target_id": (field, "Target #")})
        flash(request, f"Rule added: {rule.effect} {rule.target} {rule.target_name}.", "success")
        return _back("/operator/curation/segments")

    @post("/segments/{segment_id:int}/rules/{rule_id:int}/delete", status_code=303)
    async def delete_rule(
        self, request: PrincipalRequest, segment_id: FromPath[int], rule_id: FromPath[int]
    ) -> Response[Any]:
        if not forms.confirmed(await request.form()):  # the segment's buyers see another catalog at once: ask first
            return forms.confirmation(await confirmations.rule_removal(segment_id, rule_id))
        await segments.delete_rule(principal_of(request), segment_id, rule_id)
        flash(request, "The rule is removed.", "success")
        return _back("/operator/curation/segments")

    @post("/segments/members", status_code=303)
    async def set_member(self, request: PrincipalRequest, data: URLEncodedBody[MemberForm]) -> Response[Any]:
        try:
            await segments.set_company_segment(principal_of(request), _required_int(data.company_id, "company_id"),
                                               _int(data.segment_id, "segment"))
        except DomainError as exc:
            return await self._segments_page(request, error=exc, form=data, field="company_id",
                                             named={"segment_id": ("segment_id", "Segment"),
                                                    "company_id": ("company_id", "Buyer company")})
        flash(request, "The company's segment is saved.", "success")
        return _back("/operator/curation/segments")

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
                "segment_id": _int(data.segment_id, "segment_id") if data.owner == "segment" else None,
                "company_id": _int(data.company_id, "company_id") if data.owner == "company" else None,
                "valid_from": _moment(data.valid_from, "valid_from", zone),
                "valid_to": _moment(data.valid_to, "valid_to", zone),
            }, PriceListIn, fields=PRICE_LIST_FIELDS))
        except DomainError as exc:
            return await self._price_lists_page(request, error=exc, form=data)
        flash(request, f"Price list {created.price_list.name} is created; add its prices below.", "success")
        return _back(f"/operator/curation/price-lists/{created.price_list.id}")

    async def _price_list_page(
        self, request: PrincipalRequest, price_list_id: int, *, error: DomainError | None = None,
        form: EntryForm | None = None,
    ) -> Template:
        summary = await price_lists.price_list_summary(price_list_id)
        state = price_list_grid.entry_spec(price_list_id).read(request.query_params)
        if isinstance(error, InvalidInput) and not isinstance(error, FieldErrors):
            error = InvalidInput(_ENTRY_WHERE.sub("", error.message))
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
            entry = EntryIn(listing_id=_required_int(data.listing_id, "listing_id"),
                            min_qty=_required_int(data.min_qty, "min_qty"),
                            unit_price=forms.amount(data.unit_price, principal_of(request).locale, "unit_price",
                                                    "Unit price"))
            await price_lists.set_entries(principal_of(request), price_list_id, EntriesIn(entries=[entry]))
        except DomainError as exc:
            return await self._price_list_page(request, price_list_id, error=exc, form=data)
        flash(request, "The price is saved; buyers see it on their next page.", "success")
        return _back(f"/operator/curation/price-lists/{price_list_id}")


ROUTES: list[ControllerRouterHandler] = [
    CurationApi, CategoryApi, SegmentApi, CompanySegmentApi, PriceListApi, CurationPages,
]
