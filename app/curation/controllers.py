"""HTTP API of the curation area: operators only (the category tree excepted). Its pages are `pages` (the
queue, a listing, the audit log), `segment_pages` and `price_list_pages`."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, operators_only, principal_of
from app.catalog.states import ListingStatus
from app.curation import (
    categories,
    events,
    listings,
    price_lists,
    products,
    segments,
)
from app.curation.pages import CurationPages
from app.curation.price_list_pages import PriceListPages
from app.curation.schemas import (
    ApproveIn,
    CategoryIn,
    CategoryOut,
    CategoryTreeNode,
    CompanySegmentIn,
    CompanySegmentOut,
    CuratedProductOut,
    EntriesIn,
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
from app.curation.segment_pages import SegmentPages

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


ROUTES: list[ControllerRouterHandler] = [
    CurationApi, CategoryApi, SegmentApi, CompanySegmentApi, PriceListApi, CurationPages, SegmentPages,
    PriceListPages,
]
