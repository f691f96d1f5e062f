"""What the curation API takes and returns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from app.curation.rules import REASON_MAX_LENGTH

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Price = Annotated[str, msgspec.Meta(max_length=40, examples=["12.50", "0.0035"],
                                    description="A decimal string, at most 4 decimals")]
# A code the services check against its list (effect, target, currency); the bound only stops a megabyte.
MAX_CODE = 50
# Entries in one request: a segment's list of a whole catalog is a few thousand.
MAX_ENTRIES = 10_000


# --- listings and products ----------------------------------------------------------------------


class ListingSummary(msgspec.Struct):
    id: int
    vendor_id: int
    vendor_name: str
    sku: str
    title: str
    brand: str
    mpn: str
    gtin: str
    category_id: int | None
    category_name: str | None
    status: str
    base_price: Decimal
    currency: str
    product_id: int | None
    submitted_at: datetime | None


class QueuePage(msgspec.Struct):
    items: list[ListingSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class CuratedProductOut(msgspec.Struct):
    id: int
    name: str
    brand: str
    mpn: str
    gtin: str
    category_id: int | None
    unit: str
    description: str
    status: str
    merged_into_id: int | None
    featured: bool


class SuggestionOut(msgspec.Struct):
    product: CuratedProductOut
    score: int
    reasons: list[str]


class ListingDetail(msgspec.Struct):
    listing: ListingSummary
    description: str
    unit: str
    rejection_reason: str
    product: CuratedProductOut | None
    suggestions: list[SuggestionOut]


class ApproveIn(msgspec.Struct, forbid_unknown_fields=True):
    # An existing product to match the listing to; without one, a product is created from the listing.
    product_id: int | None = None


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=REASON_MAX_LENGTH,
                                        examples=["The GTIN does not match the product pictured."])]


class SuspendOut(msgspec.Struct):
    vendor_id: int
    suspended_listing_ids: list[int]


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    into_product_id: int


class MergeOut(msgspec.Struct):
    product: CuratedProductOut
    survivor: CuratedProductOut
    moved_listing_ids: list[int]


class FeatureIn(msgspec.Struct, forbid_unknown_fields=True):
    featured: bool


class EventOut(msgspec.Struct):
    id: int
    action: str
    actor_id: int | None
    actor_email: str | None
    listing_id: int | None
    product_id: int | None
    details: dict[str, Any]
    created_at: datetime


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    page: int
    per_page: int


# --- categories ---------------------------------------------------------------------------------


class CategoryIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    parent_id: int | None = None


class CategoryOut(msgspec.Struct):
    id: int
    name: str
    parent_id: int | None
    path: str


class CategoryTreeNode(msgspec.Struct):
    id: int
    name: str
    parent_id: int | None
    path: str
    children: list[CategoryTreeNode]


# --- segments -----------------------------------------------------------------------------------


class SegmentIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["Healthcare"])]
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class RuleIn(msgspec.Struct, forbid_unknown_fields=True):
    effect: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["allow", "deny"])]
    target: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["category", "product", "vendor"])]
    target_id: int


class RuleOut(msgspec.Struct):
    id: int
    segment_id: int
    effect: str
    target: str
    target_id: int
    target_name: str
    created_at: datetime


class MemberOut(msgspec.Struct):
    company_id: int
    company_name: str


class SegmentOut(msgspec.Struct):
    id: int
    name: str
    description: str
    rules: list[RuleOut]
    members: list[MemberOut]


class CompanySegmentIn(msgspec.Struct, forbid_unknown_fields=True):
    # null takes the company out of its segment.
    segment_id: int | None


class CompanySegmentOut(msgspec.Struct):
    company_id: int
    segment_id: int | None


# --- price lists --------------------------------------------------------------------------------


class EntryIn(msgspec.Struct, forbid_unknown_fields=True):
    listing_id: int
    unit_price: Price
    min_qty: int = 1


class PriceListIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    currency: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["EUR"])]
    segment_id: int | None = None
    company_id: int | None = None
    valid_from: Annotated[datetime | None, msgspec.Meta(description="Aware, e.g. 2026-01-01T00:00:00Z")] = None
    valid_to: Annotated[datetime | None, msgspec.Meta(description="Aware, after valid_from; open-ended if null")] = None
    entries: Annotated[list[EntryIn], msgspec.Meta(max_length=MAX_ENTRIES)] = []


class EntriesIn(msgspec.Struct, forbid_unknown_fields=True):
    entries: Annotated[list[EntryIn], msgspec.Meta(max_length=MAX_ENTRIES)]
    # true: these entries replace every entry of the list; false: they are added, replacing the same tier.
    replace_all: bool = False


class EntryOut(msgspec.Struct):
    id: int
    listing_id: int
    listing_sku: str
    listing_title: str
    vendor_name: str
    min_qty: int
    unit_price: Decimal


class PriceListSummary(msgspec.Struct):
    id: int
    name: str
    segment_id: int | None
    segment_name: str | None
    company_id: int | None
    company_name: str | None
    currency: str
    valid_from: datetime | None
    valid_to: datetime | None
    entry_count: int
    created_at: datetime


class PriceListOut(msgspec.Struct):
    price_list: PriceListSummary
    entries: list[EntryOut]
