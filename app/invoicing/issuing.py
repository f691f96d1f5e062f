"""A vendor issues an invoice for what it shipped, in one transaction.

Lines name order lines (or come from whole shipments) of the vendor's own orders to one buyer in one currency under
one payment term. With the order lines locked, each is checked: never more units than shipped and not yet invoiced
(cancelled invoices give theirs back), never above the order's unit price. Amounts use the cart's arithmetic
(`orders/cart_totals.line_amounts`, the order line's tax rate), the due date the terms recorded on the order. The
number is unique per vendor (an index: a race gets a 409). The buyer's admins and approvers are told.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import AWARDER_ROLES
from app.auth import Principal
from app.billing import credit
from app.billing.invoice_states import InvoiceStatus
from app.billing.tables import Invoice, InvoiceLine
from app.billing.terms import DEFAULT_DAYS, due_date, terms_label
from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.invoicing.schemas import InvoiceIn, InvoiceOut
from app.invoicing.views import get_invoice, invoice_path
from app.money import MoneyError, format_money, from_minor, round_to_minor, to_minor
from app.notifications.services import queue_email
from app.orders.cart_totals import line_amounts

MAX_LINES = 500
_LINES = """
SELECT ol.id AS id, ol.position AS position, ol."order" AS order_id, po.number AS order_number, po.buyer AS buyer_id,
       po.currency AS currency, po.payment_terms_days AS terms, po.status AS status, ol.name AS name, ol.sku AS sku,
       ol.unit_price AS unit_price, ol.tax_rate AS tax_rate, ol.shipped_qty AS shipped,
       COALESCE((SELECT SUM(il.quantity) FROM invoice_line il JOIN invoice i ON i.id = il.invoice
                 WHERE il.order_line = ol.id AND i.status <> 'cancelled'), 0) AS invoiced
FROM order_line ol JOIN purchase_order po ON po.id = ol."order"
WHERE {ids} AND po.vendor = {{}}
"""
_SHIPMENT_LINES = """
SELECT s.id AS shipment_id, sl.order_line AS order_line_id, sl.quantity AS quantity
FROM shipment s JOIN shipment_line sl ON sl.shipment = s.id JOIN purchase_order po ON po.id = s."order"
WHERE {ids} AND po.vendor = {{}} ORDER BY s.id, sl.id
"""


@dataclass(frozen=True, slots=True)
class _Wanted:
    order_line_id: int
    quantity: int
    unit_price: Decimal | None
    shipment_id: int | None


async def issue(principal: Principal, data: InvoiceIn) -> InvoiceOut:
    """Issue the vendor's invoice; see the module's docstring."""
    number = data.number.strip()
    if not number or len(number) > 50:
        raise InvalidInput("number: give your invoice number (1 to 50 characters).")
    if bool(data.lines) == bool(data.shipment_ids):
        raise InvalidInput("Give the shipments to invoice (shipment_ids) or the lines (lines), one of the two.")
    if len(data.lines) > MAX_LINES or len(data.shipment_ids) > MAX_LINES:
        raise InvalidInput(f"An invoice has at most {MAX_LINES} lines or shipments.")
    today = utcnow().date()
    issued_on = data.issued_on or today
    if issued_on > today:
        raise InvalidInput("issued_on: an invoice cannot be issued in the future.")
    try:
        async with db.transaction():
            if await Invoice.exists().where((Invoice.vendor == principal.company_id) & (Invoice.number == number)):
                raise _taken(number)
            wanted = await _from_shipments(principal, data.shipment_ids) if data.shipment_ids else [
                _Wanted(line.order_line_id, line.quantity, line.unit_price, None) for line in data.lines]
            invoice_id = await _write(principal, number, issued_on, data.note.strip(), wanted)
    except db.UNIQUE_VIOLATIONS:
        raise _taken(number) from None
    return await get_invoice(principal, invoice_id)


def _taken(number: str) -> Conflict:
    return Conflict(f"You already issued an invoice numbered {number}: give another number.")


async def _from_shipments(principal: Principal, shipment_ids: list[int]) -> list[_Wanted]:
    ids = sorted(set(shipment_ids))
    fragment, arg = db.in_ids("s.id", ids)
    rows = await Invoice.raw(_SHIPMENT_LINES.format(ids=fragment), arg, principal.company_id)
    if missing := set(ids) - {row["shipment_id"] for row in rows}:
        raise NotFound(f"No such shipment: {min(missing)}.")
    return [_Wanted(row["order_line_id"], row["quantity"], None, row["shipment_id"]) for row in rows]


async def _locked_lines(principal: Principal, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not db.is_sqlite():
        # The orders first, as fulfilment takes them (order, then lines: no cycle with a shipment being recorded);
        # billing's `refresh_billed` writes on them. Two invoices of one order line wait for each other: the second
        # sees what the first billed.
        await Invoice.raw('SELECT id FROM purchase_order WHERE id IN (SELECT "order" FROM order_line '
                          "WHERE id = ANY({}::bigint[])) ORDER BY id FOR UPDATE", ids)
        await Invoice.raw("SELECT id FROM order_line WHERE id = ANY({}::bigint[]) ORDER BY id FOR UPDATE", ids)
    fragment, arg = db.in_ids("ol.id", ids)
    rows = await Invoice.raw(_LINES.format(ids=fragment), arg, principal.company_id)
    return {row["id"]: row for row in rows}


def _check(wanted: list[_Wanted], lines: dict[int, dict[str, Any]]) -> None:
    if missing := {w.order_line_id for w in wanted} - set(lines):
        raise NotFound(f"No such order line: {min(missing)}.")
    heads = {(row["buyer_id"], row["currency"]) for row in lines.values()}
    if len(heads) > 1:
        raise InvalidInput("An invoice bills one buyer in one currency: invoice these orders separately.")
    if len({row["terms"] for row in lines.values()}) > 1:
        raise InvalidInput("These orders were placed under different payment terms: invoice them separately.")
    per_line: dict[int, int] = defaultdict(int)
    for item in wanted:
        row = lines[item.order_line_id]
        if item.quantity < 1:
            raise InvalidInput(f"Order {row['order_number']} line {row['position']}: a quantity is at least 1.")
        per_line[item.order_line_id] += item.quantity
        if item.unit_price is not None and not item.unit_price.is_finite():
            raise InvalidInput(f"Order {row['order_number']} line {row['position']}: give the unit price as a "
                               "decimal amount such as 9.50.")
        if item.unit_price is not None and not 0 <= item.unit_price <= from_minor(row["unit_price"]):  # type: ignore[operator]
            raise InvalidInput(f"Order {row['order_number']} line {row['position']}: the unit price is 0 to the "
                               f"order's {from_minor(row['unit_price'])}, not {item.unit_price}.")
    for line_id, quantity in per_line.items():
        row = lines[line_id]
        left = int(row["shipped"]) - int(row["invoiced"])
        if quantity > left:
            raise InvalidInput(f"Order {row['order_number']} line {row['position']}: {quantity} to invoice, but only "
                               f"{left} shipped and not yet invoiced.")


def _rate(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def _write(principal: Principal, number: str, issued_on: date, note: str, wanted: list[_Wanted]) -> int:
    lines = await _locked_lines(principal, sorted({w.order_line_id for w in wanted}))
    _check(wanted, lines)
    first = next(iter(lines.values()))
    currency, buyer_id = first["currency"], first["buyer_id"]
    terms = DEFAULT_DAYS if first["terms"] is None else int(first["terms"])
    built = []
    for item in wanted:
        row = lines[item.order_line_id]
        try:
            price = item.unit_price if item.unit_price is not None else from_minor(row["unit_price"])
            amounts = line_amounts(price, item.quantity, _rate(row["tax_rate"]), currency)  # type: ignore[arg-type]
            built.append((item, row, to_minor(price), amounts))  # type: ignore[arg-type]
        except MoneyError as exc:
            raise InvalidInput(f"Order {row['order_number']} line {row['position']}: {exc}.") from None
    net = sum((a.net for *_, a in built), Decimal(0))
    tax = sum((a.tax for *_, a in built), Decimal(0))
    now = utcnow()
    inserted = await Invoice.insert(Invoice(
        number=number, vendor=principal.company_id, buyer=buyer_id, status=InvoiceStatus.ISSUED.value,
        currency=currency, net=round_to_minor(net), tax=round_to_minor(tax), gross=round_to_minor(net + tax), paid=0,
        terms_days=terms, issued_on=issued_on, due_on=due_date(issued_on, terms), note=note[:2000],
        issued_by=principal.user_id, created_at=now, updated_at=now,
    )).returning(Invoice.id)
    invoice_id = inserted[0]["id"]
    await InvoiceLine.insert(*[
        InvoiceLine(invoice=invoice_id, position=position, order=row["order_id"], order_line=row["id"],
                    shipment=item.shipment_id, description=f"{row['sku']} {row['name']}"[:300],
                    quantity=item.quantity, unit_price=price, tax_rate=_rate(row["tax_rate"]),
                    net=round_to_minor(amounts.net), tax=round_to_minor(amounts.tax),
                    gross=round_to_minor(amounts.gross))
        for position, (item, row, price, amounts) in enumerate(built, start=1)
    ])
    await credit.refresh_billed([row["order_id"] for _, row, _, _ in built])  # billed in full: out of the exposure
    due = due_date(issued_on, terms)
    total = format_money(net + tax, currency)
    for address in (await addresses_of([buyer_id], AWARDER_ROLES)).get(buyer_id, []):
        await queue_email(
            to=address, subject=f"Invoice {number} from {principal.company_name}: {total}",
            body=lambda place, total=total: (
                f"{principal.company_name} invoiced {format_money(net + tax, currency, place.locale)} "
                f"({terms_label(terms)}), due on {due.isoformat()}.\n\nOpen the invoice:"),
            link=invoice_path(invoice_id))
    return invoice_id
