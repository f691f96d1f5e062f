"""What checkout and the order API take and return (money as decimal strings, dates as ISO dates)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from app.catalog.pricing import PriceSource
from app.orders.schemas import ObjectId, Quantity
from app.orders.states import GroupStatus, OrderStatus

MAX_CHECKOUT_LINES = 5_000
MAX_NOTE = 2_000
MAX_REASON = 1_000

PoNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=50, description="Your own purchase order number",
                                       examples=["PO-2026-0042"])]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]
Reason = Annotated[str, msgspec.Meta(max_length=MAX_REASON)]


class ExpectedLineIn(msgspec.Struct, forbid_unknown_fields=True):
    """A cart line as you last saw it (from `GET /api/v1/cart`): checkout goes ahead only if it is still so."""

    line_id: ObjectId
    quantity: Quantity
    unit_price: Annotated[Decimal | None, msgspec.Meta(description="The line's unit_price as shown")] = None
    net: Annotated[Decimal | None, msgspec.Meta(description="The line's net as shown")] = None


class CheckoutIn(msgspec.Struct, forbid_unknown_fields=True):
    """Check out the whole cart: one purchase order per vendor (and currency).

    `expected_lines` are the cart's lines as you confirmed them; when a price, a rule or an offer's availability has
    changed since, the checkout is refused with 409 and `extra` lists each change, so you can confirm the new figures.
    """

    po_number: PoNumber
    expected_lines: Annotated[list[ExpectedLineIn], msgspec.Meta(min_length=1, max_length=MAX_CHECKOUT_LINES)]
    delivery_address_id: Annotated[ObjectId | None, msgspec.Meta(
        description="One of your company's delivery addresses; empty: the default one")] = None
    billing_address_id: Annotated[ObjectId | None, msgspec.Meta(
        description="One of your company's billing addresses; empty: the default one, if any")] = None
    requested_delivery_date: date | None = None
    note: Note = ""
    cost_center_id: Annotated[ObjectId | None, msgspec.Meta(
        description="The cost center to charge: one of the buyer's; empty: its only one (required if it has several)"
    )] = None
    on_behalf_of: Annotated[ObjectId | None, msgspec.Meta(description=(
        "Operators and assigned vendor sales users: the buyer user to check out for (its cart, at its prices, under "
        "its company's rules, recorded as placed by you on its behalf); a buyer user the caller may not act for is a "
        "404 like a missing one. A vendor sales user checks out only its own company's lines of that cart. Empty: "
        "your own cart (buyer users)."))] = None


class CheckoutChangeOut(msgspec.Struct):
    """One thing that changed since you last saw the cart (in a 409's `extra`)."""

    line_id: int | None
    change: str
    message: str


class OrderLineOut(msgspec.Struct):
    id: int
    position: int
    listing_id: int
    product_id: int | None
    sku: str
    name: str
    unit: str
    quantity: int
    unit_price: Decimal
    currency: str
    tax_rate: Annotated[Decimal, msgspec.Meta(description="Percent")]
    net: Decimal
    tax: Decimal
    gross: Decimal
    price_source: PriceSource
    price_reason: str
    price_reference: str
    contract_quantity: Annotated[int, msgspec.Meta(description="Units taken from a contract's quantity")]
    shipped: int
    received: int


class ShipmentLineOut(msgspec.Struct):
    line_id: int
    position: int
    quantity: int


class ShipmentOut(msgspec.Struct):
    id: int
    number: int
    carrier: str
    tracking_number: str
    note: str
    shipped_at: datetime
    lines: list[ShipmentLineOut]


class ReceiptOut(msgspec.Struct):
    id: int
    note: str
    received_at: datetime
    lines: list[ShipmentLineOut]


class OrderEventOut(msgspec.Struct):
    at: datetime
    kind: str
    status: OrderStatus
    side: str
    actor: str
    note: str


class OrderSummaryOut(msgspec.Struct):
    """A purchase order in a list."""

    id: int
    number: str
    group_id: int
    group_number: str
    po_number: str
    status: OrderStatus
    buyer_id: int
    buyer: str
    vendor_id: int
    vendor: str
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    line_count: int
    placed_at: datetime
    placed_by: str
    expected_ship_date: date | None
    # Set when someone else placed it for the buyer user (#14): "Sam Sales (Vendor A GmbH)".
    placed_on_behalf_by: str = ""


class OrderOut(msgspec.Struct):
    """One vendor's purchase order with its lines, shipments, receipts and timeline."""

    id: int
    number: str
    group_id: int
    group_number: str
    po_number: str
    status: OrderStatus
    buyer_id: int
    buyer: str
    vendor_id: int
    vendor: str
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    placed_at: datetime
    placed_by: str
    delivery_address: str
    billing_address: str
    requested_delivery_date: date | None
    note: str
    expected_ship_date: date | None
    rejection_reason: str
    cancellation_reason: str
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    receipts: list[ReceiptOut]
    events: list[OrderEventOut]
    placed_on_behalf_by: str = ""


class OrderGroupOut(msgspec.Struct):
    """One checkout: your purchase order number and the purchase order each vendor received."""

    id: int
    number: str
    po_number: str
    status: GroupStatus
    placed_at: datetime
    orders: list[OrderSummaryOut]


class OrderPage(msgspec.Struct):
    items: list[OrderSummaryOut]
    total: int
    page: int
    per_page: int


class OrderSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PLACED_FIRST = "placed_first"  # those awaiting the vendor's answer first, then newest first: the vendor's inbox


class ConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    expected_ship_date: date
    note: Note = ""


class OrderRejectIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_REASON)]


class OrderCancelIn(msgspec.Struct, forbid_unknown_fields=True):
    """Cancel a placed order, or ask the vendor to cancel a confirmed one."""

    reason: Reason = ""


class CancellationAnswer(StrEnum):
    ACCEPT = "accept"  # the vendor cancels the order
    REFUSE = "refuse"  # the vendor keeps it: back to confirmed
    WITHDRAW = "withdraw"  # the buyer takes its request back


class CancellationIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: CancellationAnswer
    note: Note = ""


class QuantityLineIn(msgspec.Struct, forbid_unknown_fields=True):
    line_id: ObjectId
    quantity: Quantity


class ShipmentIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[QuantityLineIn], msgspec.Meta(min_length=1, max_length=MAX_CHECKOUT_LINES)]
    carrier: Annotated[str, msgspec.Meta(max_length=100)] = ""
    tracking_number: Annotated[str, msgspec.Meta(max_length=100)] = ""
    note: Note = ""


class ReceiptIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[QuantityLineIn], msgspec.Meta(min_length=1, max_length=MAX_CHECKOUT_LINES)]
    note: Note = ""


class ReorderOut(msgspec.Struct):
    """What a reorder put in your cart, and what it could not or priced differently."""

    added: int
    skipped: Annotated[list[CheckoutChangeOut], msgspec.Meta(description="Lines no longer available: not added")]
    changed: Annotated[list[CheckoutChangeOut], msgspec.Meta(description="Lines added at a different price today")]
