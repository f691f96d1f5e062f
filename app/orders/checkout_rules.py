"""Checkout's pure rules: what changed since the buyer last saw its cart, and how a cart splits into purchase orders.

No I/O: `app/orders/checkout.py` loads the cart priced now, calls these, and writes what they planned.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.locales import DEFAULT_LOCALE
from app.money import format_money
from app.orders.cart_totals import LineAmounts, PricedLine, Total, currency_totals


@dataclass(frozen=True, slots=True)
class SeenLine:
    """A cart line as the buyer confirmed it (`expected`) or as it is now (`current`)."""

    line_id: int
    quantity: int
    unit_price: Decimal | None
    net: Decimal | None
    problem: str | None = None  # now: why the line cannot be ordered as it is; None when it can
    currency: str | None = None  # now: the line's currency, to write its amounts in


@dataclass(frozen=True, slots=True)
class Change:
    line_id: int | None
    change: str  # added, removed, quantity, price, problem
    message: str


def changes_since(expected: Sequence[SeenLine], current: Sequence[SeenLine], locale: str = DEFAULT_LOCALE) -> (
    list[Change]
):
    """Everything that keeps the cart from being checked out as the buyer confirmed it, line by line.

    A line added or removed since, another quantity, another unit price or net (a price list, a contract used up by
    someone else's order), and any line that cannot be ordered now (unavailable, out of stock, below the minimum),
    even if the buyer saw it so: checkout never drops a line silently. Empty: check out.
    """
    found: list[Change] = []
    now = {line.line_id: line for line in current}
    seen = {line.line_id: line for line in expected}
    for line in expected:
        if line.line_id not in now:
            found.append(Change(line.line_id, "removed", f"Line {line.line_id} is no longer in your cart."))
    for line in current:
        before = seen.get(line.line_id)
        if line.problem is not None:
            found.append(Change(line.line_id, "problem", line.problem))
        elif before is None:
            found.append(Change(line.line_id, "added", f"Line {line.line_id} was added to your cart since."))
        elif before.quantity != line.quantity:
            found.append(Change(line.line_id, "quantity",
                                f"Line {line.line_id}: the quantity is now {line.quantity}, not {before.quantity}."))
        elif not _same(before.unit_price, line.unit_price) or not _same(before.net, line.net):
            found.append(Change(line.line_id, "price", _price_message(line, before, locale)))
    return found


def _same(seen: Decimal | None, now: Decimal | None) -> bool:
    # A figure the buyer did not send is not compared; one it sent must match to the cent.
    return seen is None or (now is not None and seen == now)


def _price_message(line: SeenLine, before: SeenLine, locale: str) -> str:
    def amount(value: Decimal | None, unit_price: bool = False) -> str:
        if value is None or line.currency is None:
            return str(value)
        return format_money(value, line.currency, locale, unit_price=unit_price)

    if not _same(before.unit_price, line.unit_price):
        return (f"Line {line.line_id}: the unit price is now {amount(line.unit_price, True)}, "
                f"not {amount(before.unit_price, True)}.")
    return f"Line {line.line_id}: the net is now {amount(line.net)}, not {amount(before.net)}."


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """One order line to write: a cart line's part at one price. `source` carries what the writer needs."""

    cart_line_id: int
    vendor_id: Hashable
    currency: str
    quantity: int
    amounts: LineAmounts
    source: object = None


@dataclass(slots=True)
class PlannedOrder:
    """One vendor's purchase order in one currency: its lines in cart order, positions from 1, and its total."""

    vendor_id: Hashable
    currency: str
    lines: list[PlannedLine] = field(default_factory=list)
    total: Total | None = None


def plan_orders(lines: Iterable[PlannedLine]) -> list[PlannedOrder]:
    """One purchase order per vendor and currency, in the order the vendors first appear in the cart.

    A vendor whose lines are priced in two currencies (a contract in USD beside a list price in EUR) gets two orders:
    an order is in one currency, and amounts in two are never added.
    """
    orders: dict[tuple[Hashable, str], PlannedOrder] = {}
    for line in lines:
        key = (line.vendor_id, line.currency)
        orders.setdefault(key, PlannedOrder(vendor_id=line.vendor_id, currency=line.currency)).lines.append(line)
    for order in orders.values():
        (order.total,) = currency_totals(
            PricedLine(vendor_id=order.vendor_id, currency=order.currency, amounts=line.amounts)
            for line in order.lines
        )
    return list(orders.values())
