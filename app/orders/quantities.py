"""The quantity rules of a cart or order line against its listing: minimum order, pack size, stock.

Pure: a quantity is accepted when it is at least the minimum order quantity, a multiple of the pack size, and at most
the stock when the vendor tracks it (`stock=None`: not tracked). A refused quantity comes back as a `QuantityProblem`
naming the rule it broke and the nearest quantities that would be accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class QuantityRule(StrEnum):
    """Which rule a quantity broke; when several, the first in this order is named."""

    OUT_OF_STOCK = "out_of_stock"  # stock is tracked and does not cover even the smallest quantity sold
    BELOW_MINIMUM = "below_minimum"
    NOT_A_PACK_MULTIPLE = "not_a_pack_multiple"
    BEYOND_STOCK = "beyond_stock"


@dataclass(frozen=True, slots=True)
class QuantityProblem:
    rule: QuantityRule
    message: str  # for the buyer: the rule, then what could be ordered instead
    allowed: tuple[int, ...]  # the nearest accepted quantities below and above, ascending; empty when none


def smallest_allowed(min_order_qty: int, pack_size: int) -> int:
    """The smallest quantity sold: the first multiple of the pack size at or above the minimum order quantity."""
    return -(-min_order_qty // pack_size) * pack_size


def largest_allowed(pack_size: int, stock: int | None) -> int | None:
    """The largest quantity the stock allows, in whole packs; None when stock is not tracked."""
    return None if stock is None else stock // pack_size * pack_size


def nearest_allowed(quantity: int, min_order_qty: int, pack_size: int, stock: int | None) -> tuple[int, ...]:
    """The accepted quantities nearest to `quantity`: the largest at or below it and the smallest at or above it.

    One of them when `quantity` is accepted (itself) or lies outside what can be ordered; none when nothing can be.
    """
    _check_listing(min_order_qty, pack_size, stock)
    low, high = smallest_allowed(min_order_qty, pack_size), largest_allowed(pack_size, stock)
    if high is not None and high < low:
        return ()
    found = set()
    if quantity >= low:
        below = quantity // pack_size * pack_size
        found.add(below if high is None else min(below, high))
    if high is None or quantity <= high:
        above = -(-quantity // pack_size) * pack_size
        found.add(max(above, low))
    return tuple(sorted(found))


def check_quantity(quantity: int, min_order_qty: int, pack_size: int, stock: int | None) -> QuantityProblem | None:
    """None when a line of `quantity` may be ordered from this listing, else the first rule it breaks and what would do.

    The listing's values must be sane: a minimum and a pack size of at least 1, a tracked stock of 0 or more.
    """
    _check_listing(min_order_qty, pack_size, stock)
    if quantity >= min_order_qty and quantity % pack_size == 0 and (stock is None or quantity <= stock):
        return None
    allowed = nearest_allowed(quantity, min_order_qty, pack_size, stock)
    if not allowed:
        rule, reason = QuantityRule.OUT_OF_STOCK, "Out of stock."
        if stock:
            smallest = smallest_allowed(min_order_qty, pack_size)
            reason = f"Out of stock: {stock} left, but the smallest quantity sold is {smallest}."
    elif quantity < min_order_qty:
        rule, reason = QuantityRule.BELOW_MINIMUM, f"The minimum order quantity is {min_order_qty}."
    elif quantity % pack_size:
        rule = QuantityRule.NOT_A_PACK_MULTIPLE
        reason = f"Sold in packs of {pack_size}: order a multiple of {pack_size}."
    else:
        rule, reason = QuantityRule.BEYOND_STOCK, f"Only {stock} left in stock."
    if allowed:
        reason += f" You could order {' or '.join(str(q) for q in allowed)}."
    return QuantityProblem(rule=rule, message=reason, allowed=allowed)


def _check_listing(min_order_qty: int, pack_size: int, stock: int | None) -> None:
    if min_order_qty < 1 or pack_size < 1 or (stock is not None and stock < 0):
        raise ValueError(
            f"a listing needs a minimum and a pack size of at least 1 and a stock of 0 or more, "
            f"not {min_order_qty}, {pack_size}, {stock}"
        )
