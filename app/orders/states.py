"""A purchase order's states and moves, and the shipment, receipt and order group rules: the one module that knows them.

placed → confirmed (the vendor, with an expected ship date) | rejected (the vendor, with a reason) | cancelled (the
buyer, before confirmation); confirmed → partially_shipped → shipped → delivered (the buyer records receipt of
everything ordered). After confirmation the buyer cannot cancel; it asks: confirmed → cancellation_requested, which
the vendor accepts (→ cancelled) or refuses (→ confirmed again; the buyer may also withdraw its request). Each move
names who may make it; the pure `check_transition` says why a move is refused (HTTP 409).

An order whose checkout matched an approval rule (or a soft budget, or a user's limit: app/spending) starts as
pending_approval instead: its vendor sees nothing of it until every approval is given (→ placed, by the approver who
gives the last one); a rejection by an approver, the requester's withdrawal or the expiry sweep cancel it
(pending_approval → cancelled), which gives back its stock and contract quantity like any cancellation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

# The stored names live below every area, where spending and billing read them too; the moves live here.
from app.order_statuses import RELEASED, GroupStatus, OrderStatus

Line = TypeVar("Line", bound=Hashable)  # how the user knows an order line (its position), named in the messages


class Actor(StrEnum):
    BUYER = "buyer"  # a user of the ordering company who may act on this order
    VENDOR = "vendor"  # a user of the vendor company the order is addressed to
    APPROVER = "approver"  # a buyer user who may give an approval the order waits for
    SYSTEM = "system"  # a job or the sweeper: it expires orders left waiting for approval


class TransitionError(ValueError):
    """The move is not allowed; the message says why."""


class LineCountError(ValueError):
    """A count of shipped or received units does not fit the order; the message names the line and why, `line` is
    the line's position when one line is at fault (for a page to say it beside that line's field)."""

    def __init__(self, message: str, line: Hashable | None = None) -> None:
        super().__init__(message)
        self.line = line


class ShipmentError(LineCountError):
    """A shipment does not fit the order; the message names the line and why."""


class ReceiptError(LineCountError):
    """A receipt does not fit what was shipped; the message names the line and why."""


@dataclass(frozen=True, slots=True)
class Move:
    actors: frozenset[Actor]
    action: str  # completes "Only the vendor can …"


_S = OrderStatus
_SHIP = Move(frozenset({Actor.VENDOR}), "ship this order")

_MOVES: dict[tuple[OrderStatus, OrderStatus], Move] = {
    (_S.PENDING_APPROVAL, _S.PLACED): Move(frozenset({Actor.APPROVER}), "approve this order"),
    (_S.PENDING_APPROVAL, _S.CANCELLED): Move(
        frozenset({Actor.BUYER, Actor.APPROVER, Actor.SYSTEM}), "withdraw, reject or expire this order"
    ),
    (_S.PLACED, _S.CONFIRMED): Move(frozenset({Actor.VENDOR}), "confirm this order"),
    (_S.PLACED, _S.REJECTED): Move(frozenset({Actor.VENDOR}), "reject this order"),
    (_S.PLACED, _S.CANCELLED): Move(frozenset({Actor.BUYER}), "cancel this order"),
    (_S.CONFIRMED, _S.CANCELLATION_REQUESTED): Move(frozenset({Actor.BUYER}), "request the cancellation of this order"),
    (_S.CANCELLATION_REQUESTED, _S.CANCELLED): Move(frozenset({Actor.VENDOR}), "accept the cancellation of this order"),
    (_S.CANCELLATION_REQUESTED, _S.CONFIRMED): Move(
        frozenset({Actor.BUYER, Actor.VENDOR}), "withdraw or refuse this cancellation request"
    ),
    (_S.CONFIRMED, _S.PARTIALLY_SHIPPED): _SHIP,
    (_S.CONFIRMED, _S.SHIPPED): _SHIP,
    # Not a change of status, but a move all the same: another part shipped, checked like the first one.
    (_S.PARTIALLY_SHIPPED, _S.PARTIALLY_SHIPPED): _SHIP,
    (_S.PARTIALLY_SHIPPED, _S.SHIPPED): _SHIP,
    (_S.SHIPPED, _S.DELIVERED): Move(frozenset({Actor.BUYER}), "record receipt of this order"),
}
MOVES: Mapping[tuple[OrderStatus, OrderStatus], Move] = MappingProxyType(_MOVES)

TERMINAL = frozenset({_S.REJECTED, _S.DELIVERED, _S.CANCELLED})
_RECEIVING = frozenset({_S.PARTIALLY_SHIPPED, _S.SHIPPED})

_WHY_NOT = {
    _S.PENDING_APPROVAL: "it waits for approval",
    _S.PLACED: "the vendor has not confirmed it yet",
    _S.CONFIRMED: "it is confirmed",
    _S.CANCELLATION_REQUESTED: "its cancellation was requested and awaits the vendor's answer",
    _S.PARTIALLY_SHIPPED: "part of it has been shipped",
    _S.SHIPPED: "it has been shipped",
    _S.DELIVERED: "it has been delivered",
    _S.REJECTED: "it was rejected",
    _S.CANCELLED: "it was cancelled",
}
_WHY_NOT_THIS = {
    (_S.CONFIRMED, _S.CANCELLED): "it is confirmed, so request its cancellation",
    (_S.CONFIRMED, _S.DELIVERED): "nothing has been shipped yet",
    (_S.PARTIALLY_SHIPPED, _S.DELIVERED): "not all of it has been shipped yet",
}


def _why_not(current: OrderStatus, target: OrderStatus) -> str:
    if (current, target) in _WHY_NOT_THIS:
        return _WHY_NOT_THIS[(current, target)]
    if current is target and current not in TERMINAL:
        return f"it is already {current.label}"
    return _WHY_NOT[current]


def check_transition(current: OrderStatus, target: OrderStatus, actor: Actor) -> None:
    """Raise `TransitionError` with the reason unless `actor` may move an order from `current` to `target`."""
    move = _MOVES.get((current, target))
    if move is None:
        raise TransitionError(f"This order cannot become {target.label}: {_why_not(current, target)}.")
    if actor not in move.actors:
        who = " or the ".join(sorted(a.value for a in move.actors))
        raise TransitionError(f"Only the {who} can {move.action}.")


def is_open(status: OrderStatus) -> bool:
    """An open order still has a way to go; rejected, cancelled and delivered orders are done."""
    return status not in TERMINAL


def check_confirmation(expected_ship_date: date | None, today: date) -> date:
    """The vendor confirms with an expected ship date, today or later; returns it."""
    if expected_ship_date is None:
        raise TransitionError("An expected ship date is needed to confirm this order.")
    if expected_ship_date < today:
        raise TransitionError("The expected ship date cannot be in the past.")
    return expected_ship_date


def check_rejection(reason: str | None) -> str:
    """The vendor rejects with a reason the buyer can read; returns it without surrounding blanks."""
    cleaned = (reason or "").strip()
    if not cleaned:
        raise TransitionError("A reason is needed to reject this order.")
    return cleaned


def _check_lines(ordered: Mapping[Line, int], counted: Mapping[Line, int], error: type[LineCountError]) -> None:
    if not ordered or any(quantity < 1 for quantity in ordered.values()):
        raise ValueError("an order has at least one line, each of at least 1 unit")
    for line, quantity in counted.items():
        if line not in ordered:
            raise error(f"Line {line} is not on this order.")
        if quantity < 0:
            raise error(f"Line {line}: a quantity cannot be negative.", line)


def shipment_status(ordered: Mapping[Line, int], shipped: Mapping[Line, int]) -> OrderStatus:
    """The status an order's shipments give it: shipped when every line is shipped in full, else partially shipped.

    `shipped` is the total shipped per line so far, this shipment included (a missing line has none). More than was
    ordered on a line, a line not on the order, or nothing shipped at all is refused with a `ShipmentError`. Whether
    the order may be shipped at all is the move's business: `check_transition(current, <this status>, actor)`.
    """
    _check_lines(ordered, shipped, ShipmentError)
    for line, message in over_shipped(ordered, shipped).items():
        raise ShipmentError(message, line)
    if not any(shipped.values()):
        raise ShipmentError("Nothing has been shipped on this order.")
    if all(shipped.get(line, 0) == quantity for line, quantity in ordered.items()):
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED


def over_shipped(ordered: Mapping[Line, int], shipped: Mapping[Line, int]) -> dict[Line, str]:
    """Every line whose total shipped (`shipped`, this shipment included) passes what was ordered, with why: a
    page says them all at once, beside each line."""
    return {line: f"Line {line}: {quantity} shipped in all would be more than the {ordered[line]} ordered."
            for line, quantity in shipped.items() if line in ordered and quantity > ordered[line]}


def over_received(shipped: Mapping[Line, int], received: Mapping[Line, int]) -> dict[Line, str]:
    """Every line whose total received (`received`, this receipt included) passes what was shipped, with why."""
    return {line: f"Line {line}: {quantity} received in all would be more than the {shipped.get(line, 0)} shipped."
            for line, quantity in received.items() if quantity > shipped.get(line, 0)}


def receipt_check(
    status: OrderStatus, ordered: Mapping[Line, int], shipped: Mapping[Line, int], received: Mapping[Line, int]
) -> OrderStatus:
    """The status after the buyer's receipts: delivered once everything ordered has been received, else unchanged.

    `shipped` and `received` are the totals per line so far, this receipt included. The buyer records receipt of
    what has arrived, in parts if need be, while the order is partially shipped or shipped; it never receives more
    of a line than was shipped (`ReceiptError`). When this returns delivered, the move is still checked:
    `check_transition(status, OrderStatus.DELIVERED, actor)`.
    """
    if status not in _RECEIVING:
        reason = "nothing has been shipped yet" if is_open(status) else _WHY_NOT[status]
        raise ReceiptError(f"Nothing can be received on this order: {reason}.")
    _check_lines(ordered, received, ReceiptError)
    for line, message in over_received(shipped, received).items():
        raise ReceiptError(message, line)
    if all(received.get(line, 0) == quantity for line, quantity in ordered.items()):
        return OrderStatus.DELIVERED
    return status


def group_status(vendor_order_statuses: Iterable[OrderStatus]) -> GroupStatus:
    """The status of an order group, summarizing its vendor orders (one per vendor of the checkout).

    Rejected and cancelled orders drop out of the summary; of the orders left:
    - none left (every order cancelled or rejected) → cancelled;
    - every one waiting for approval → pending approval;
    - every one delivered → delivered (one delivered and one rejected: what is still coming has come);
    - every one still placed (no vendor has answered) → placed;
    - otherwise (confirmed, shipping, a cancellation awaiting its answer, or delivered beside open ones) → in progress.
    Each vendor order keeps its own status beside the summary. An empty group is refused (`ValueError`).
    """
    statuses = list(vendor_order_statuses)
    if not statuses:
        raise ValueError("an order group has at least one vendor order")
    live = [status for status in statuses if status not in RELEASED]
    if not live:
        return GroupStatus.CANCELLED
    if all(status is OrderStatus.PENDING_APPROVAL for status in live):
        return GroupStatus.PENDING_APPROVAL
    if all(status is OrderStatus.DELIVERED for status in live):
        return GroupStatus.DELIVERED
    if all(status is OrderStatus.PLACED for status in live):
        return GroupStatus.PLACED
    return GroupStatus.IN_PROGRESS
