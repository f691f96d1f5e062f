"""Checkout: the whole cart becomes one order group with one purchase order per vendor, in one transaction.

Inside the transaction the cart is priced again by the one resolver; if anything differs from what the buyer
confirmed (a price, a quantity rule, an offer no longer available, a contract used up by someone else's order), the
checkout is refused with each change (409) and nothing is written. Otherwise, still inside it:
- tracked stock is reserved with one conditional update (`stock >= wanted`): concurrent checkouts never sell more
  than the stock;
- each contract line's consumption is raised with one conditional update (`consumed + wanted <= committed`):
  concurrent checkouts never consume more than a contract holds; the 80 % and 100 % marks are written once each
  (a unique index) and both sides are told;
- the group, its purchase orders, their lines (with the captured unit price, currency, tax rate and the price's
  reason) and their first timeline event are written, the cart is emptied, and each vendor is told.
Before any of it, the spending step (app/spending/gate.py) picks the cost center, refuses an order a hard budget
cannot hold and finds the approvals the order needs: then its orders start as pending_approval, no vendor hears of
them, and the approvals service (app/orders/approvals.py) places them with the vendors once all are given.
The query count does not grow with the number of lines. An `Idempotency-Key` makes a retried or double-clicked
checkout answer the group it made, never a second one; the same key with another request is a 409.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from app import db
from app.accounts.addresses import address_for_order, address_text
from app.accounts.addresses_rules import AddressKind
from app.auth import Principal
from app.billing import credit
from app.catalog.contract_consumption import crossed_marks
from app.catalog.pricing import PriceSource
from app.clock import utcnow
from app.errors import Conflict, FieldErrors, InvalidInput
from app.money import to_minor
from app.orders import cart, mail, on_behalf
from app.orders.access import OrderHead
from app.orders.cart_totals import LineAmounts
from app.orders.checkout_rules import Change, PlannedLine, PlannedOrder, SeenLine, changes_since, plan_orders
from app.orders.order_schemas import CheckoutIn, OrderGroupOut
from app.orders.states import Actor, GroupStatus, OrderStatus
from app.orders.tables import CartLine, OrderEvent, OrderGroup, OrderLine, PurchaseOrder
from app.orders.views import group_out
from app.spending import gate as spending_gate

KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:")
CHANGED = "Your cart changed since you last saw it: review the changes and confirm again."

# Reserve tracked stock for many listings at once; the rows that could not cover their quantity are not returned.
_RESERVE_POSTGRES = """
UPDATE listing SET stock = listing.stock - t.quantity
FROM unnest({}::bigint[], {}::int[]) AS t(id, quantity)
WHERE listing.id = t.id AND listing.stock >= t.quantity
RETURNING listing.id
"""
_RESERVE_SQLITE = """
UPDATE listing SET stock = listing.stock - t.quantity
FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS quantity FROM json_each({})) AS t
WHERE listing.id = t.id AND listing.stock >= t.quantity
RETURNING listing.id
"""
# Consume contract lines; `committed_qty IS NULL` is an unlimited line. Returns the consumption after.
_CONSUME_POSTGRES = """
UPDATE contract_line SET consumed_qty = contract_line.consumed_qty + t.quantity
FROM unnest({}::bigint[], {}::int[]) AS t(id, quantity)
WHERE contract_line.id = t.id
  AND (contract_line.committed_qty IS NULL OR contract_line.consumed_qty + t.quantity <= contract_line.committed_qty)
RETURNING contract_line.id AS id, contract_line.consumed_qty AS consumed, contract_line.committed_qty AS committed
"""
_CONSUME_SQLITE = """
UPDATE contract_line SET consumed_qty = contract_line.consumed_qty + t.quantity
FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS quantity FROM json_each({})) AS t
WHERE contract_line.id = t.id
  AND (contract_line.committed_qty IS NULL OR contract_line.consumed_qty + t.quantity <= contract_line.committed_qty)
RETURNING contract_line.id AS id, contract_line.consumed_qty AS consumed, contract_line.committed_qty AS committed
"""
_MARKS = """
INSERT INTO contract_line_mark (line, mark, reached_at) VALUES {values}
ON CONFLICT (line, mark) DO NOTHING
RETURNING line, mark
"""
_MARKED_LINES = """
SELECT cl.id AS id, cl.description AS description, c.id AS contract_id, c.number AS number, c.buyer AS buyer,
       c.vendor AS vendor
FROM contract_line cl JOIN contract c ON c.id = cl.contract WHERE {ids}
"""


def check_idempotency_key(key: str | None) -> str | None:
    """The header's value, if any: 1 to 100 letters, digits and `-_.:` (a UUID fits)."""
    if key is None:
        return None
    if not 1 <= len(key) <= 100 or not set(key) <= KEY_ALPHABET:
        raise InvalidInput("Idempotency-Key: give 1 to 100 letters, digits, '-', '_', '.' or ':' (a UUID fits).")
    return key


def request_hash(data: CheckoutIn) -> str:
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


class PoNumberTaken(Conflict):
    """The buyer's PO number is already on one of its company's orders (a page says it beside the PO number)."""


async def checkout(principal: Principal, data: CheckoutIn, idempotency_key: str | None = None) -> OrderGroupOut:
    """Check out the caller's cart as it confirmed it; see the module's docstring."""
    # --- ordering on behalf (#14): from here on, the buyer user's own checkout, with who acted recorded ---
    principal = await on_behalf.checkout_principal(principal, data.on_behalf_of)
    # --- end of ordering on behalf ---
    key = check_idempotency_key(idempotency_key)
    fingerprint = request_hash(data)
    po_number = data.po_number.strip()
    if not po_number:
        raise FieldErrors("po_number must not be blank.", {"po_number": "PO number: enter your purchase order number."})
    now = utcnow()
    if data.requested_delivery_date is not None and data.requested_delivery_date < now.date():
        raise FieldErrors("requested_delivery_date cannot be in the past.", {
            "requested_delivery_date": "Requested delivery date: cannot be in the past; choose today or later."})
    if key is not None and (done := await _keyed_group(principal, key, fingerprint)) is not None:
        return done
    try:
        async with db.transaction():
            group_id = await _checkout(principal, data, po_number, key, fingerprint, now)
    except db.UNIQUE_VIOLATIONS:
        # A racing request with the same key won (answer its group), or the PO number is taken.
        if key is not None and (done := await _keyed_group(principal, key, fingerprint)) is not None:
            return done
        raise PoNumberTaken(await _po_number_taken(principal.company_id, po_number)) from None
    return await group_out(principal, group_id)


async def _keyed_group(principal: Principal, key: str, fingerprint: str) -> OrderGroupOut | None:
    group_id = await _keyed_group_id(principal, key, fingerprint)
    return None if group_id is None else await group_out(principal, group_id)


async def _keyed_group_id(principal: Principal, key: str, fingerprint: str) -> int | None:
    """The group this key already made for this company, if any; the same key with another request is a 409."""
    row = await OrderGroup.select(OrderGroup.id, OrderGroup.request_hash).where(
        (OrderGroup.company == principal.company_id) & (OrderGroup.idempotency_key == key)
    ).first()
    if row is None:
        return None
    if row["request_hash"] != fingerprint:
        raise Conflict("This Idempotency-Key was used for another checkout: use a new key for a new request.")
    return row["id"]


async def _po_number_taken(company_id: int, po_number: str) -> str:
    row = await OrderGroup.select(OrderGroup.number).where(
        (OrderGroup.company == company_id) & (OrderGroup.po_number == po_number)
    ).first()
    if row is None:  # not the PO number after all: say what is known
        return "The checkout could not be written: try again."
    return f"The purchase order number {po_number} is already used by order {row['number']}: give another one."


async def _checkout(principal: Principal, data: CheckoutIn, po_number: str, key: str | None, fingerprint: str,
                    now: datetime) -> int:
    if not db.is_sqlite():
        # One checkout of a cart at a time: a double click waits for the first, then answers what it made.
        await CartLine.raw('SELECT id FROM cart WHERE "user" = {} FOR UPDATE', principal.user_id)
    if key is not None and (done := await _keyed_group_id(principal, key, fingerprint)) is not None:
        return done
    if await OrderGroup.exists().where(
        (OrderGroup.company == principal.company_id) & (OrderGroup.po_number == po_number)
    ):
        raise PoNumberTaken(await _po_number_taken(principal.company_id, po_number))
    delivery = await address_for_order(principal.company_id, data.delivery_address_id, AddressKind.DELIVERY)
    if delivery is None:
        raise InvalidInput("delivery_address_id: your company has no default delivery address; name one, or ask "
                           "an admin to add one.")
    billing = await address_for_order(principal.company_id, data.billing_address_id, AddressKind.BILLING)

    live = await cart.live_lines(principal)
    if not live:
        raise Conflict("Your cart is empty.")
    expected = [SeenLine(line.line_id, line.quantity, line.unit_price, line.net) for line in data.expected_lines]
    current = [SeenLine(line.shown.id, line.shown.quantity, line.shown.unit_price, line.shown.net,
                        None if line.shown.orderable else line.shown.problems[0].message, line.shown.currency)
               for line in live]
    if changes := changes_since(expected, current, principal.locale):
        raise _changed(changes)

    planned = [
        PlannedLine(cart_line_id=line.shown.id, vendor_id=line.row["vendor_id"], currency=part.price.currency,
                    quantity=part.quantity, amounts=LineAmounts(net=shown.net, tax=shown.tax, gross=shown.gross),
                    source=(line, part, shown))
        for line in live for part, shown in zip(line.parts or (), line.shown.parts, strict=True)
    ]
    orders = plan_orders(planned)
    # --- spending (issue #14): cost center, hard budgets (locked), approvals, for the buyer the order is FOR ---
    spend = _spend(principal, data, live, orders, now)
    gate = await spending_gate.check(spend)
    # --- end of spending's check
    # An order waiting for approval takes its stock and contract quantity now, as a placed one does: the prices it
    # captured stand until it expires (even if the contract ends meanwhile), and an approved order must still be
    # there to ship; a rejection, withdrawal or expiry cancels it, which gives both back (fulfilment's release).
    # A contract line's consumed quantity therefore counts it at once; its 80 %/100 % e-mail goes to the buyer only.
    await _reserve_stock(live)
    await _consume_contracts(planned, now, tell_vendors=not gate.needs_approval)
    group_id = await _write(principal, data, po_number, key, fingerprint, now, delivery_id=delivery.id,
                            delivery_text=address_text(delivery),
                            billing_text=address_text(billing) if billing else "", orders=orders,
                            pending=gate.needs_approval)
    await spending_gate.record(gate, spend, group_id, now)  # spending (issue #14): the charge and approvals
    # -- billing (#14): the payment terms in force go on the orders; orders on account pass the credit check --
    await credit.on_checkout(principal.company_id, group_id, locale=principal.locale, actor_id=principal.user_id)
    # -- end billing --
    await CartLine.delete().where(CartLine.id.is_in([line.shown.id for line in live]))
    return group_id


def _spend(principal: Principal, data: CheckoutIn, live: list[cart.LiveLine], orders: list[PlannedOrder],
           now: datetime) -> spending_gate.OrderSpend:
    """What the spending step judges: the order's net per currency, categories and vendors, for its buyer user."""
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        amounts[order.currency] += order.total.net  # type: ignore[union-attr]
    return spending_gate.OrderSpend(
        company_id=principal.company_id, buyer_user_id=principal.user_id, cost_center_id=data.cost_center_id,
        amounts=dict(amounts), category_ids=frozenset(line.row["category_id"] for line in live
                                                      if line.row.get("category_id") is not None),
        vendor_ids=frozenset(order.vendor_id for order in orders), day=now.date(),
    )


def _changed(changes: list[Change]) -> Conflict:
    return Conflict(CHANGED, extra=[{"line_id": c.line_id, "change": c.change, "message": c.message}
                                    for c in changes])


async def _reserve_stock(live: list[cart.LiveLine]) -> None:
    wanted: dict[int, int] = defaultdict(int)
    for line in live:
        wanted[line.row["listing_id"]] += line.shown.quantity
    ids = sorted(wanted)
    if db.is_sqlite():
        rows = await CartLine.raw(_RESERVE_SQLITE, json.dumps([[i, wanted[i]] for i in ids]))
    else:
        # Rows locked in id order first: two checkouts of overlapping listings never wait for each other in a cycle.
        await CartLine.raw("SELECT id FROM listing WHERE id = ANY({}::bigint[]) ORDER BY id FOR UPDATE", ids)
        rows = await CartLine.raw(_RESERVE_POSTGRES, ids, [wanted[i] for i in ids])
    short = set(ids) - {row["id"] for row in rows}
    if short:
        raise _changed([
            Change(line.shown.id, "stock", f"Line {line.shown.id}: not enough in stock any more for "
                                           f"{line.shown.quantity}.")
            for line in live if line.row["listing_id"] in short
        ])


async def _consume_contracts(planned: list[PlannedLine], now: datetime, *, tell_vendors: bool = True) -> None:
    wanted: dict[int, int] = defaultdict(int)
    for line in planned:
        _, part, _ = line.source  # type: ignore[misc]
        if part.price.source is PriceSource.CONTRACT and part.price.contract_line_id is not None:
            wanted[part.price.contract_line_id] += part.quantity
    if not wanted:
        return
    ids = sorted(wanted)
    if db.is_sqlite():
        rows = await CartLine.raw(_CONSUME_SQLITE, json.dumps([[i, wanted[i]] for i in ids]))
    else:
        await CartLine.raw("SELECT id FROM contract_line WHERE id = ANY({}::bigint[]) ORDER BY id FOR UPDATE", ids)
        rows = await CartLine.raw(_CONSUME_POSTGRES, ids, [wanted[i] for i in ids])
    done = {row["id"]: row for row in rows}
    if short := set(ids) - set(done):
        # Someone else's order took what this cart was priced with: the buyer sees the new split and confirms.
        raise _changed([
            Change(line.cart_line_id, "price", f"Line {line.cart_line_id}: the contract price covers less than "
                                               "before (other orders used it): the rest is priced differently now.")
            for line in planned if line.source[1].price.contract_line_id in short  # type: ignore[index]
        ])
    crossed = [(line_id, mark) for line_id, row in done.items()
               for mark in crossed_marks(row["committed"], row["consumed"] - wanted[line_id], row["consumed"])]
    if crossed:
        await _mark(crossed, {line_id: done[line_id] for line_id, _ in crossed}, now, tell_vendors)


async def _mark(crossed: list[tuple[int, int]], rows: dict[int, dict[str, Any]], now: datetime,
                tell_vendors: bool) -> None:
    """Write each crossed mark once (a racing order may have written it) and tell both sides of the new ones (only
    the buyer's when the order waits for approval: its vendor hears nothing of it)."""
    values = ", ".join("({}, {}, {})" for _ in crossed)
    args: list[object] = [value for line_id, mark in crossed for value in (line_id, mark, now)]
    new = await CartLine.raw(_MARKS.format(values=values), *args)
    if not new:
        return
    ids_sql, ids_arg = db.in_ids("cl.id", sorted({row["line"] for row in new}))
    lines = {row["id"]: row for row in await CartLine.raw(_MARKED_LINES.format(ids=ids_sql), ids_arg)}
    for row in new:
        line = lines[row["line"]]
        consumption = rows[row["line"]]
        await mail.tell_contract_mark(line["buyer"], line["vendor"], line["contract_id"], line["number"],
                                      line["description"], row["mark"], consumption["consumed"],
                                      consumption["committed"], vendor_too=tell_vendors)


async def _write(principal: Principal, data: CheckoutIn, po_number: str, key: str | None, fingerprint: str,
                 now: datetime, *, delivery_id: int, delivery_text: str, billing_text: str,
                 orders: list[PlannedOrder], pending: bool = False) -> int:
    status = OrderStatus.PENDING_APPROVAL if pending else OrderStatus.PLACED
    inserted = await OrderGroup.insert(OrderGroup(
        number=f"~{secrets.token_hex(8)}", company=principal.company_id,
        placed_by=principal.user_id, **on_behalf.acted_by_columns(principal),
        po_number=po_number, idempotency_key=key, request_hash=fingerprint,
        delivery_address=delivery_id, delivery_address_text=delivery_text,
        billing_address_text=billing_text, requested_delivery_date=data.requested_delivery_date,
        note=data.note.strip(), placed_at=now, updated_at=now,
        status=(GroupStatus.PENDING_APPROVAL if pending else GroupStatus.PLACED).value,
    )).returning(OrderGroup.id)
    group_id = inserted[0]["id"]
    number = f"O-{group_id}"  # the id is known once inserted: the placeholder above lives inside this transaction
    await OrderGroup.update({OrderGroup.number: number}).where(OrderGroup.id == group_id)
    ids = await PurchaseOrder.insert(*[
        PurchaseOrder(
            number=f"{number}-{position}", group=group_id, position=position, buyer=principal.company_id,
            vendor=order.vendor_id, placed_by=principal.user_id, **on_behalf.acted_by_columns(principal),
            status=status.value,
            currency=order.currency, net=to_minor(order.total.net), tax=to_minor(order.total.tax),  # type: ignore[union-attr]
            gross=to_minor(order.total.gross), line_count=len(order.lines),  # type: ignore[union-attr]
            placed_at=now, updated_at=now,
        )
        for position, order in enumerate(orders, start=1)
    ]).returning(PurchaseOrder.id)
    order_ids = [row["id"] for row in ids]
    await OrderLine.insert(*[
        _order_line(order_id, position, line)
        for order_id, order in zip(order_ids, orders, strict=True)
        for position, line in enumerate(order.lines, start=1)
    ])
    await OrderEvent.insert(*[
        OrderEvent(order=order_id, status=status.value, kind="submitted for approval" if pending else "placed",
                   side=Actor.BUYER.value,
                   actor=principal.user_id, note=data.note.strip(), at=now)
        for order_id in order_ids
    ])
    if not pending:  # the vendors hear of an order waiting for approval only once it is approved
        for order_id, order, position in zip(order_ids, orders, range(1, len(orders) + 1), strict=True):
            await mail.tell_new_order(order_id, f"{number}-{position}", order.vendor_id,  # type: ignore[arg-type]
                                      principal.company_name, po_number, len(order.lines),
                                      order.total.net, order.currency,  # type: ignore[union-attr]
                                      note=on_behalf.placed_by_words(principal, "the buyer's"))
    # --- ordering on behalf (#14): the audit entry in this transaction, and the buyer user told ---
    await on_behalf.record_checkout(principal, group_id, number, [
        OrderHead(id=order_id, number=f"{number}-{position}", group_id=group_id, buyer_id=principal.company_id,
                  vendor_id=order.vendor_id, placed_by=principal.user_id,  # type: ignore[arg-type]
                  status=status, currency=order.currency)
        for order_id, order, position in zip(order_ids, orders, range(1, len(orders) + 1), strict=True)])
    # --- end of ordering on behalf ---
    return group_id


def _order_line(order_id: int, position: int, line: PlannedLine) -> OrderLine:
    live, part, shown = line.source  # type: ignore[misc]
    row = live.row
    price = part.price
    at_contract = part.quantity if price.source is PriceSource.CONTRACT and price.contract_line_id else 0
    return OrderLine(
        order=order_id, position=position, listing=row["listing_id"], product=row["product_id"], sku=row["sku"],
        name=(row["product_name"] or row["title"])[:300], unit=row["unit"], quantity=part.quantity,
        unit_price=to_minor(price.unit_price), currency=price.currency, tax_rate=live.shown.tax_rate,
        net=to_minor(shown.net), tax=to_minor(shown.tax), gross=to_minor(shown.gross),
        price_source=price.source.value, price_reason=shown.price_reason[:200], price_reference=price.reference[:50],
        contract_line=price.contract_line_id if at_contract else None, at_contract=at_contract,
        stock_reserved=part.quantity,
    )
