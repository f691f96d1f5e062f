"""The moves of a purchase order after checkout: the vendor confirms or rejects it and ships it (in parts if need be),
the buyer cancels it or asks for its cancellation and records receipt. Each move locks the order's row, is checked by
`orders/states.py` (409 saying why), writes a timeline event and tells the other side through the outbox. A rejected
or cancelled order gives back its reserved stock and the contract quantity it took, in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app import db
from app.auth import Principal
from app.clock import utcnow
from app.errors import Conflict, InvalidInput
from app.orders import mail
from app.orders.access import OrderHead, actor_of, order_for
from app.orders.order_schemas import (
    CancellationAnswer,
    CancellationIn,
    ConfirmIn,
    OrderCancelIn,
    OrderOut,
    OrderRejectIn,
    ReceiptIn,
    ShipmentIn,
)
from app.orders.states import (
    RELEASED,
    Actor,
    LineCountError,
    OrderStatus,
    ReceiptError,
    ShipmentError,
    TransitionError,
    check_confirmation,
    check_rejection,
    check_transition,
    group_status,
    receipt_check,
    shipment_status,
)
from app.orders.tables import (
    OrderEvent,
    OrderGroup,
    OrderLine,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    Shipment,
    ShipmentLine,
)
from app.orders.views import order_detail

# Give back what a released order took: its lines' reserved stock, and their contract quantity (never below zero,
# as `contract_consumption.give_back` says: an amendment may have lowered what was committed meanwhile).
_GIVE_BACK_STOCK = """
UPDATE listing SET stock = stock + (SELECT SUM(ol.stock_reserved) FROM order_line ol
                                    WHERE ol."order" = {} AND ol.listing = listing.id)
WHERE id IN (SELECT listing FROM order_line WHERE "order" = {} AND stock_reserved > 0)
"""
_GIVE_BACK_CONTRACTS = """
UPDATE contract_line SET consumed_qty = MAX(0, consumed_qty - (SELECT SUM(ol.at_contract) FROM order_line ol
                                                  WHERE ol."order" = {} AND ol.contract_line = contract_line.id))
WHERE id IN (SELECT contract_line FROM order_line WHERE "order" = {} AND at_contract > 0)
"""


class LineRefused(InvalidInput):
    """A shipment's or receipt's count refused for one line (`line_id`): a page says it beside that line's field."""

    def __init__(self, message: str, line_id: int | None) -> None:
        super().__init__(message)
        self.line_id = line_id


def _refused(exc: LineCountError, lines: Mapping[int, dict[str, Any]]) -> LineRefused:
    by_position = {line["position"]: line_id for line_id, line in lines.items()}
    return LineRefused(str(exc), by_position.get(exc.line))


async def confirm(principal: Principal, order_id: int, data: ConfirmIn) -> OrderOut:
    """The vendor accepts the order and says when it expects to ship it."""
    now = utcnow()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        _check(head.status, OrderStatus.CONFIRMED, actor)
        try:
            ship_date = check_confirmation(data.expected_ship_date, now.date())
        except TransitionError as exc:
            raise InvalidInput(str(exc)) from None
        await _move(head, OrderStatus.CONFIRMED, actor, principal, "confirmed", data.note, now,
                    {PurchaseOrder.expected_ship_date: ship_date})
        await mail.tell(head, Actor.BUYER, f"Order {head.number} confirmed",
                        f"The vendor confirmed order {head.number} and expects to ship it on {ship_date.isoformat()}.")
    return await order_detail(order_id)


async def reject(principal: Principal, order_id: int, data: OrderRejectIn) -> OrderOut:
    """The vendor refuses the order, with a reason; the stock and contract quantity it took come back."""
    now = utcnow()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        _check(head.status, OrderStatus.REJECTED, actor)
        try:
            reason = check_rejection(data.reason)
        except TransitionError as exc:
            raise InvalidInput(str(exc)) from None
        await _move(head, OrderStatus.REJECTED, actor, principal, "rejected", reason, now,
                    {PurchaseOrder.rejection_reason: reason})
        await mail.tell(head, Actor.BUYER, f"Order {head.number} rejected",
                        f"The vendor rejected order {head.number}: {reason}")
    return await order_detail(order_id)


async def cancel(principal: Principal, order_id: int, data: OrderCancelIn) -> OrderOut:
    """The buyer cancels an order the vendor has not confirmed, or asks the vendor to cancel a confirmed one."""
    now = utcnow()
    reason = data.reason.strip()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        if head.status is OrderStatus.PENDING_APPROVAL:  # its vendor knows nothing of it: nothing to tell them
            raise Conflict(f"Order {head.number} waits for approval: withdraw it instead "
                           f"(POST /api/v1/orders/{head.id}/withdraw).")
        target = OrderStatus.CANCELLATION_REQUESTED if head.status is OrderStatus.CONFIRMED else OrderStatus.CANCELLED
        _check(head.status, target, actor)
        if target is OrderStatus.CANCELLED:
            await _move(head, target, actor, principal, "cancelled", reason, now,
                        {PurchaseOrder.cancellation_reason: reason})
            await mail.tell(head, Actor.VENDOR, f"Order {head.number} cancelled by the buyer",
                            f"The buyer cancelled order {head.number}." + (f" Reason: {reason}" if reason else ""))
        else:
            await _move(head, target, actor, principal, "cancellation requested", reason, now,
                        {PurchaseOrder.cancellation_reason: reason})
            await mail.tell(head, Actor.VENDOR, f"Order {head.number}: the buyer asks to cancel it",
                            f"The buyer asks you to cancel order {head.number}." + (f" Reason: {reason}" if reason
                                                                                      else "")
                            + " Accept or refuse the request.")
    return await order_detail(order_id)


async def answer_cancellation(principal: Principal, order_id: int, data: CancellationIn) -> OrderOut:
    """The vendor accepts (cancelled) or refuses (confirmed again) a cancellation request; the buyer may withdraw it."""
    now = utcnow()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        if head.status is not OrderStatus.CANCELLATION_REQUESTED:
            raise Conflict(f"Order {head.number} has no cancellation request to answer: it is {head.status.label}.")
        wants_vendor = data.answer in (CancellationAnswer.ACCEPT, CancellationAnswer.REFUSE)
        if wants_vendor != (actor is Actor.VENDOR):
            who = "vendor" if wants_vendor else "buyer"
            raise Conflict(f"Only the {who} can {data.answer.value} this cancellation request.")
        target = OrderStatus.CANCELLED if data.answer is CancellationAnswer.ACCEPT else OrderStatus.CONFIRMED
        _check(head.status, target, actor)
        kind = {CancellationAnswer.ACCEPT: "cancellation accepted", CancellationAnswer.REFUSE: "cancellation refused",
                CancellationAnswer.WITHDRAW: "cancellation withdrawn"}[data.answer]
        await _move(head, target, actor, principal, kind, data.note, now, {})
        other = Actor.BUYER if actor is Actor.VENDOR else Actor.VENDOR
        await mail.tell(head, other, f"Order {head.number}: {kind}",
                        f"Order {head.number}: {kind}." + (f" Note: {data.note.strip()}" if data.note.strip() else ""))
    return await order_detail(order_id)


async def ship(principal: Principal, order_id: int, data: ShipmentIn) -> OrderOut:
    """The vendor records a shipment of some or all of what is left to ship."""
    now = utcnow()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        lines = await _lines(order_id)
        adding = _quantities(data.lines, lines)
        ordered = {line["position"]: line["quantity"] for line in lines.values()}
        shipped = {line["position"]: line["shipped_qty"] + adding.get(line_id, 0) for line_id, line in lines.items()}
        try:
            target = shipment_status(ordered, shipped)
        except ShipmentError as exc:
            raise _refused(exc, lines) from None
        _check(head.status, target, actor)
        count = await Shipment.count().where(Shipment.order == order_id)
        number = count + 1
        shipment = await Shipment.insert(Shipment(
            order=order_id, number=number, carrier=data.carrier.strip(), tracking_number=data.tracking_number.strip(),
            note=data.note.strip(), shipped_at=now, shipped_by=principal.user_id,
        )).returning(Shipment.id)
        await ShipmentLine.insert(*[ShipmentLine(shipment=shipment[0]["id"], order_line=line_id, quantity=quantity)
                                    for line_id, quantity in adding.items()])
        await _add_counts("shipped_qty", adding)
        tracking = f" ({data.carrier.strip()} {data.tracking_number.strip()})".rstrip() if data.carrier.strip() \
            or data.tracking_number.strip() else ""
        await _move(head, target, actor, principal, f"shipment {number}", data.note, now, {})
        await mail.tell(head, Actor.BUYER, f"Order {head.number}: shipment {number} sent",
                        f"The vendor shipped part {number} of order {head.number}{tracking}"
                        + (": everything ordered is on its way." if target is OrderStatus.SHIPPED else "."))
    return await order_detail(order_id)


async def receive(principal: Principal, order_id: int, data: ReceiptIn) -> OrderOut:
    """The buyer records what arrived; the order is delivered once everything ordered has been received."""
    now = utcnow()
    async with db.transaction():
        head, actor = await _locked(principal, order_id)
        lines = await _lines(order_id)
        adding = _quantities(data.lines, lines)
        ordered = {line["position"]: line["quantity"] for line in lines.values()}
        shipped = {line["position"]: line["shipped_qty"] for line in lines.values()}
        received = {line["position"]: line["received_qty"] + adding.get(line_id, 0)
                    for line_id, line in lines.items()}
        if actor is not Actor.BUYER:
            raise Conflict("Only the buyer can record receipt of this order.")
        try:
            target = receipt_check(head.status, ordered, shipped, received)
        except ReceiptError as exc:
            # The order's state refuses any receipt (409); a quantity beyond what was shipped is the input's (400).
            if str(exc).startswith("Nothing can be received"):
                raise Conflict(str(exc)) from None
            raise _refused(exc, lines) from None
        if target is not head.status:
            _check(head.status, target, actor)
        receipt = await Receipt.insert(Receipt(order=order_id, note=data.note.strip(), received_at=now,
                                               received_by=principal.user_id)).returning(Receipt.id)
        await ReceiptLine.insert(*[ReceiptLine(receipt=receipt[0]["id"], order_line=line_id, quantity=quantity)
                                   for line_id, quantity in adding.items()])
        await _add_counts("received_qty", adding)
        await _move(head, target, actor, principal, "delivered" if target is OrderStatus.DELIVERED else "receipt",
                    data.note, now, {})
        if target is OrderStatus.DELIVERED:
            await mail.tell(head, Actor.VENDOR, f"Order {head.number} delivered",
                            f"The buyer recorded receipt of everything on order {head.number}.")
    return await order_detail(order_id)


# --- the common steps ----------------------------------------------------------------------------


async def _locked(principal: Principal, order_id: int) -> tuple[OrderHead, Actor]:
    head = await order_for(principal, order_id, lock=True)
    return head, actor_of(principal, head)


def _check(current: OrderStatus, target: OrderStatus, actor: Actor) -> None:
    try:
        check_transition(current, target, actor)
    except TransitionError as exc:
        raise Conflict(str(exc)) from None


async def _lines(order_id: int) -> dict[int, dict[str, Any]]:
    rows = await OrderLine.select(
        OrderLine.id, OrderLine.position, OrderLine.quantity, OrderLine.shipped_qty, OrderLine.received_qty
    ).where(OrderLine.order == order_id)
    return {row["id"]: row for row in rows}


def _quantities(asked: list[Any], lines: Mapping[int, dict[str, Any]]) -> dict[int, int]:
    """The quantities per order line of a shipment or receipt; a line of another order is named as not on this one."""
    found: dict[int, int] = {}
    for item in asked:
        if item.line_id not in lines:
            raise InvalidInput(f"line_id {item.line_id} is not a line of this order.")
        found[item.line_id] = found.get(item.line_id, 0) + item.quantity
    return found


async def _add_counts(column: str, adding: dict[int, int]) -> None:
    assert column in ("shipped_qty", "received_qty")  # a column name of ours, never input
    if db.is_sqlite():
        await OrderLine.raw(
            f"UPDATE order_line SET {column} = {column} + t.quantity FROM (SELECT json_extract(value, '$[0]') AS id,"  # noqa: S608
            " json_extract(value, '$[1]') AS quantity FROM json_each({})) AS t WHERE order_line.id = t.id",
            json.dumps([[line_id, quantity] for line_id, quantity in adding.items()]),
        )
    else:
        await OrderLine.raw(
            f"UPDATE order_line SET {column} = order_line.{column} + t.quantity"  # noqa: S608
            " FROM unnest({}::bigint[], {}::int[]) AS t(id, quantity) WHERE order_line.id = t.id",
            list(adding), list(adding.values()),
        )


async def _move(head: OrderHead, target: OrderStatus, actor: Actor, principal: Principal, kind: str, note: str,
                now: datetime, columns: dict[Any, Any]) -> None:
    await move_order(head, target, actor, principal.user_id, kind, note, now, columns)


async def move_order(head: OrderHead, target: OrderStatus, actor: Actor, user_id: int | None, kind: str, note: str,
                     now: datetime, columns: dict[Any, Any] | None = None) -> None:
    """Write the new status (and `columns`), its timeline event, the group's summary, and give back what a
    released order took. The caller checked the move and holds the order's lock."""
    columns = columns or {}
    await PurchaseOrder.update({PurchaseOrder.status: target.value, PurchaseOrder.updated_at: now, **columns}).where(
        PurchaseOrder.id == head.id
    )
    await OrderEvent.insert(OrderEvent(order=head.id, status=target.value, kind=kind, side=actor.value,
                                       actor=user_id, note=note.strip(), at=now))
    if target in RELEASED and head.status not in RELEASED:
        await OrderLine.raw(_GIVE_BACK_STOCK, head.id, head.id)
        give_back = _GIVE_BACK_CONTRACTS if db.is_sqlite() else _GIVE_BACK_CONTRACTS.replace("MAX(", "GREATEST(")
        await OrderLine.raw(give_back, head.id, head.id)
    statuses = await PurchaseOrder.select(PurchaseOrder.status).where(PurchaseOrder.group == head.group_id)
    await OrderGroup.update({
        OrderGroup.status: group_status(OrderStatus(row["status"]) for row in statuses).value,
        OrderGroup.updated_at: now,
    }).where(OrderGroup.id == head.group_id)
