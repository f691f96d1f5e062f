"""What quick order takes and returns: pasted lines or a file in, one result per input line out."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from app.catalog.pricing import PriceSource
from app.orders.quantities import QuantityRule
from app.orders.quick_order_input import MAX_LINES, MAX_TEXT_CHARS


class QuickOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    """Lines pasted from a spreadsheet or typed: an article and a quantity a line."""

    text: Annotated[str, msgspec.Meta(
        max_length=MAX_TEXT_CHARS,
        description=f"One line per article: the article (a vendor's SKU, a GTIN or an MPN) and the quantity, "
                    f"separated by a tab, a semicolon, a comma or spaces. A header line such as \"sku;qty\" is "
                    f"skipped, blank lines too; at most {MAX_LINES:,} lines.",
        examples=["sku\tqty\nAB-1001\t10\n4006381333931\t5"],
    )]


class LineStatus(StrEnum):
    """What became of an input line."""

    ADDED = "added"  # one offer matched; it is in the cart
    AMBIGUOUS = "ambiguous"  # several offers matched; the best for you is in the cart, the others are listed
    REFUSED = "refused"  # nothing was added for this line; `code` and `message` say why


class RefusalCode(StrEnum):
    """Why a line was refused."""

    UNKNOWN_ARTICLE = "unknown_article"  # no offer you can order has this SKU, GTIN or MPN
    OUT_OF_STOCK = QuantityRule.OUT_OF_STOCK.value
    BELOW_MINIMUM = QuantityRule.BELOW_MINIMUM.value
    NOT_A_PACK_MULTIPLE = QuantityRule.NOT_A_PACK_MULTIPLE.value
    BEYOND_STOCK = QuantityRule.BEYOND_STOCK.value
    BAD_QUANTITY = "bad_quantity"  # not a whole number from 1 to the most a line may hold
    MALFORMED_LINE = "malformed_line"  # not an article and a quantity


class QuickOrderOfferOut(msgspec.Struct):
    """An offer that matched the article, priced for you at the line's quantity."""

    listing_id: int
    vendor_id: int
    vendor: str
    sku: str
    unit_price: Annotated[Decimal, msgspec.Meta(description="Your unit price at this quantity")]
    currency: str
    lead_time_days: int
    orderable: Annotated[bool, msgspec.Meta(description="Whether this offer accepts the quantity as it is")]


class QuickOrderChoiceOut(msgspec.Struct):
    """The offer chosen for an article: what went into the cart (or, for a refused quantity, the offer that
    refused it)."""

    listing_id: int
    product_id: int
    vendor_id: int
    vendor: str
    name: str
    sku: str
    quantity: Annotated[int, msgspec.Meta(description="Units of the article, its lines added up")]
    unit_price: Annotated[Decimal, msgspec.Meta(description="Your unit price at this quantity")]
    currency: str
    price_source: PriceSource
    price_reason: Annotated[str, msgspec.Meta(description="Why this price, in your words")]
    price_reference: str


class QuickOrderLineOut(msgspec.Struct):
    """One input line and what became of it."""

    line: Annotated[int, msgspec.Meta(description="The line's number in the text, or its row in the file")]
    article: Annotated[str, msgspec.Meta(description="The article as typed")]
    quantity_text: Annotated[str, msgspec.Meta(description="The quantity as typed")]
    status: LineStatus
    quantity: Annotated[int | None, msgspec.Meta(description="This line's quantity; empty when unreadable")] = None
    offer: QuickOrderChoiceOut | None = None
    other_offers: Annotated[list[QuickOrderOfferOut], msgspec.Meta(
        description="The other offers that matched the article, best first (several vendors sell it)"
    )] = []
    combined_lines: Annotated[list[int], msgspec.Meta(
        description="When the article is on several lines: all of them, added up into one quantity"
    )] = []
    code: RefusalCode | None = None
    message: Annotated[str, msgspec.Meta(description="What happened, or why the line was refused")] = ""
    allowed: Annotated[list[int], msgspec.Meta(
        description="For a quantity the offer refuses: the nearest quantities it accepts"
    )] = []


class QuickOrderCountsOut(msgspec.Struct):
    lines: int
    added: int
    ambiguous: int
    refused: int


class QuickOrderOut(msgspec.Struct):
    """Every input line with its outcome; the added and ambiguous ones are in your cart."""

    lines: list[QuickOrderLineOut]
    counts: QuickOrderCountsOut
    header_line: Annotated[int | None, msgspec.Meta(
        description="The line skipped as a header (\"sku;qty\"), if there was one"
    )] = None
