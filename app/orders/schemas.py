"""What the cart API takes and returns: lines in, the cart priced live out (money as decimal strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from app.catalog.pricing import PriceSource

MAX_QUANTITY = 10_000_000  # as the catalog's product page: a quantity a buyer may price or order
MAX_ID = 2**31 - 1

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY, description="Units, at least 1", examples=[10])]
ObjectId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


class CartLineIn(msgspec.Struct, forbid_unknown_fields=True):
    """Add to the cart: a listing (one vendor's offer), or a product and the best offer for you is chosen.

    Exactly one of `listing_id` and `product_id`. A listing already in the cart gets the quantity added.
    """

    quantity: Quantity
    listing_id: ObjectId | None = None
    product_id: ObjectId | None = None


class CartLinePatch(msgspec.Struct, forbid_unknown_fields=True):
    """The line's new quantity."""

    quantity: Quantity


class ProblemCode(StrEnum):
    """Why a line cannot be ordered as it is."""

    UNAVAILABLE = "unavailable"  # suspended, withdrawn, or no longer visible to the buyer's company
    OUT_OF_STOCK = "out_of_stock"
    BELOW_MINIMUM = "below_minimum"
    NOT_A_PACK_MULTIPLE = "not_a_pack_multiple"
    BEYOND_STOCK = "beyond_stock"


class LineProblemOut(msgspec.Struct):
    code: ProblemCode
    message: Annotated[str, msgspec.Meta(description="The rule broken and what could be ordered instead")]
    allowed: Annotated[list[int], msgspec.Meta(description="The nearest quantities that could be ordered")]


class PricePartOut(msgspec.Struct):
    """Part of a line at one price: the whole line, or what a contract still covers, or the rest beyond it."""

    quantity: int
    unit_price: Decimal
    currency: str
    price_source: PriceSource
    price_reason: Annotated[str, msgspec.Meta(description="Why this price, in your words")]
    price_reference: str
    net: Decimal
    tax: Decimal
    gross: Decimal


class CartLineOut(msgspec.Struct):
    """A line priced live for its quantity. An unavailable line shows no offer details and no price."""

    id: int
    listing_id: int
    quantity: int
    available: Annotated[bool, msgspec.Meta(description="False: the offer is no longer available to your company")]
    orderable: Annotated[bool, msgspec.Meta(description="True when the line has no problem: it counts in the totals")]
    problems: list[LineProblemOut]
    added_at: datetime
    product_id: int | None = None
    sku: str = ""
    name: str = ""
    unit: str = ""
    vendor_id: int | None = None
    vendor: str = ""
    min_order_qty: int | None = None
    pack_size: int | None = None
    stock: int | None = None
    unit_price: Annotated[Decimal | None, msgspec.Meta(description="Your unit price at this quantity")] = None
    currency: str | None = None
    price_source: PriceSource | None = None
    price_reason: Annotated[str | None, msgspec.Meta(description="Why this price, in your words")] = None
    price_reference: str | None = None
    net: Decimal | None = None
    tax_rate: Annotated[Decimal | None, msgspec.Meta(description="Percent")] = None
    tax: Decimal | None = None
    gross: Decimal | None = None
    parts: Annotated[list[PricePartOut], msgspec.Meta(
        description="The line's prices: one part, or two when a contract covers only part of the quantity (the "
                    "line's unit_price and price_reason are the first part's; net, tax and gross add the parts, "
                    "and are empty in the rare line whose parts are in two currencies)"
    )] = []


class CartTotalOut(msgspec.Struct):
    """Net, tax and gross of the orderable lines in one currency."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    line_count: int


class VendorTotalOut(msgspec.Struct):
    """A vendor's orderable lines in one currency: what its purchase order would be."""

    vendor_id: int
    vendor: str
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    line_count: int


class CartOut(msgspec.Struct):
    """Your cart, priced now. Totals count the orderable lines only, one per currency: never one sum of two."""

    lines: list[CartLineOut]
    vendor_totals: list[VendorTotalOut]
    currency_totals: list[CartTotalOut]
    problem_count: Annotated[int, msgspec.Meta(description="Lines that cannot be ordered as they are")]
