"""What the requisition list API takes and returns: named lists of products or offers and quantities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from app.orders.schemas import ObjectId, Quantity

MAX_LINES = 500
MAX_NAME = 120
MAX_NOTE = 200

ListName = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME, examples=["Ward 3, weekly"])]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE, examples=["for the night shift"])]


class RequisitionLineIn(msgspec.Struct, forbid_unknown_fields=True):
    """A product (its best offer for you is chosen when the list goes to the cart) or one vendor's listing.

    Exactly one of `listing_id` and `product_id`. A product or listing already in the list gets the quantity added.
    """

    quantity: Quantity
    listing_id: ObjectId | None = None
    product_id: ObjectId | None = None
    note: Note = ""


RequisitionLines = Annotated[list[RequisitionLineIn], msgspec.Meta(max_length=MAX_LINES)]


class RequisitionListIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new list: its name, whether your colleagues may use it, and its first lines."""

    name: ListName
    shared: Annotated[bool, msgspec.Meta(description="Colleagues of your company may read it and order from it")] = (
        False
    )
    lines: RequisitionLines = []


class RequisitionListPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `lines`, when sent, replaces every line of the list."""

    name: ListName | msgspec.UnsetType = msgspec.UNSET
    shared: bool | msgspec.UnsetType = msgspec.UNSET
    lines: RequisitionLines | msgspec.UnsetType = msgspec.UNSET


class RequisitionFromCartIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new list made of your cart's lines."""

    name: ListName
    shared: bool = False


class RequisitionLinePatch(msgspec.Struct, forbid_unknown_fields=True):
    """A line's new quantity."""

    quantity: Quantity


class RequisitionFromOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    """An order's lines into one of your lists (`list_id`) or into a new one (`name`, and whether it is shared)."""

    list_id: ObjectId | None = None
    name: ListName | None = None
    shared: bool = False


class RequisitionToCartIn(msgspec.Struct, forbid_unknown_fields=True):
    """Which lines go to your cart: leave `line_ids` out (or send no body) for the whole list."""

    line_ids: Annotated[list[ObjectId], msgspec.Meta(min_length=1, max_length=MAX_LINES)] | None = None


class RequisitionLineOut(msgspec.Struct):
    """A line as you may see it now. An unavailable line shows neither name nor offer: it can no longer be ordered."""

    id: int
    product_id: int | None
    listing_id: Annotated[int | None, msgspec.Meta(description="Empty: the best offer is chosen at the cart")]
    quantity: int
    note: str
    added_at: datetime
    available: Annotated[bool, msgspec.Meta(
        description="False: the product or offer is no longer available to your company"
    )]
    name: str = ""
    unit: str = ""
    sku: Annotated[str, msgspec.Meta(description="The vendor's article number, for a line naming a listing")] = ""
    vendor_id: int | None = None
    vendor: str = ""
    gtin: str = ""
    mpn: str = ""


class RequisitionListSummaryOut(msgspec.Struct):
    id: int
    name: str
    shared: bool
    owner_id: int | None
    owner: Annotated[str, msgspec.Meta(description="The name of the colleague who keeps the list")]
    mine: bool
    can_change: Annotated[bool, msgspec.Meta(description="You own it, or you are an admin of your company")]
    line_count: int
    created_at: datetime
    updated_at: datetime


class RequisitionListOut(msgspec.Struct):
    id: int
    name: str
    shared: bool
    owner_id: int | None
    owner: str
    mine: bool
    can_change: bool
    line_count: int
    created_at: datetime
    updated_at: datetime
    lines: list[RequisitionLineOut]


class SkipReason(StrEnum):
    """Why a line did not go to the cart."""

    UNAVAILABLE = "unavailable"  # the listing, or every offer of the product, is no longer visible to the buyer


class RequisitionAddedOut(msgspec.Struct):
    line_id: int
    listing_id: Annotated[int, msgspec.Meta(description="The offer added: the line's own, or the best for you")]
    quantity: int


class RequisitionSkippedOut(msgspec.Struct):
    line_id: int
    reason: SkipReason
    message: str


class RequisitionToCartOut(msgspec.Struct):
    """What went to your cart (in one step: all of it or, on an error, nothing), and what could not, and why."""

    added: list[RequisitionAddedOut]
    skipped: list[RequisitionSkippedOut]


class RequisitionFromOrderOut(msgspec.Struct):
    """The list the order's lines went to, how many of them, and what was left out and why."""

    requisition_list: RequisitionListOut
    added: int
    skipped: list[str]
