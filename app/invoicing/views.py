"""Reading invoices: the list (payables, receivables with ageing, or all) and one invoice, each scoped by
`invoicing/access.py` so that another tenant's invoice is as missing as one that never existed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.auth import Principal
from app.billing.credit import as_date
from app.billing.invoice_states import InvoiceStatus
from app.billing.tables import Invoice
from app.billing.terms import Ageing, ageing_bucket, days_overdue, terms_code
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.invoicing.access import NO_SUCH_INVOICE, scope_sql
from app.invoicing.schemas import InvoiceLineOut, InvoiceOut, InvoicePage, InvoiceSummaryOut, PaymentOut
from app.money import from_minor
from app.orders.cart_totals import to_currency

MAX_PER_PAGE = 100
_SUMMARY = """
SELECT i.id AS id, i.number AS number, i.status AS status, i.vendor AS vendor_id, v.name AS vendor,
       i.buyer AS buyer_id, b.name AS buyer, i.currency AS currency, i.net AS net, i.tax AS tax, i.gross AS gross,
       i.paid AS paid, i.terms_days AS terms_days, i.issued_on AS issued_on, i.due_on AS due_on
FROM invoice i JOIN company v ON v.id = i.vendor JOIN company b ON b.id = i.buyer
"""
_OPEN = "('issued', 'overdue')"


def invoice_path(invoice_id: int) -> str:
    return f"/invoices/{invoice_id}"


def _money(minor: int, currency: str) -> Decimal:
    return to_currency(from_minor(int(minor)), currency)  # type: ignore[arg-type]


def summary_of(row: dict[str, Any], today: date) -> InvoiceSummaryOut:
    status = InvoiceStatus(row["status"])
    due_on = as_date(row["due_on"])
    is_open = status in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)
    currency = row["currency"]
    return InvoiceSummaryOut(
        id=row["id"], number=row["number"], status=status, vendor_id=row["vendor_id"], vendor=row["vendor"],
        buyer_id=row["buyer_id"], buyer=row["buyer"], currency=currency, net=_money(row["net"], currency),
        tax=_money(row["tax"], currency), gross=_money(row["gross"], currency), paid=_money(row["paid"], currency),
        open_amount=_money(int(row["gross"]) - int(row["paid"]), currency) if is_open else _money(0, currency),
        terms=terms_code(int(row["terms_days"])), issued_on=as_date(row["issued_on"]), due_on=due_on,
        days_overdue=days_overdue(due_on, today) if is_open else 0,
        ageing=ageing_bucket(due_on, today) if is_open else Ageing.CURRENT,
    )


async def list_invoices(principal: Principal, *, status: InvoiceStatus | None = None, open_only: bool = False,
                        page: int = 1, per_page: int = 20) -> InvoicePage:
    """The invoices the caller may see, oldest due first; `open_only` keeps those still asking for money."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page is 1 or more and per_page 1 to {MAX_PER_PAGE}.")
    scope, args = scope_sql(principal)
    where = [scope]
    if status is not None:
        where.append("i.status = {}")
        args.append(status.value)
    if open_only:
        where.append(f"i.status IN {_OPEN}")
    clause = " AND ".join(where)
    count = await Invoice.raw(f"SELECT COUNT(*) AS n FROM invoice i WHERE {clause}", *args)  # noqa: S608
    rows = await Invoice.raw(
        f"{_SUMMARY} WHERE {clause} ORDER BY i.due_on, i.id LIMIT {per_page} OFFSET {(page - 1) * per_page}",
        *args)
    today = utcnow().date()
    return InvoicePage(items=[summary_of(row, today) for row in rows], total=int(count[0]["n"]), page=page,
                       per_page=per_page)


async def get_invoice(principal: Principal, invoice_id: int) -> InvoiceOut:
    """One invoice with its lines and payments, if the caller may see it (else the 404 of a missing one)."""
    scope, args = scope_sql(principal)
    rows = await Invoice.raw(f"{_SUMMARY} WHERE i.id = {{}} AND {scope}", invoice_id, *args)
    if not rows:
        raise NotFound(NO_SUCH_INVOICE)
    head = rows[0]
    currency = head["currency"]
    extra = await Invoice.select(Invoice.note, Invoice.cancellation_reason).where(Invoice.id == invoice_id).first()
    lines = await Invoice.raw(
        'SELECT il.*, po.number AS order_number FROM invoice_line il JOIN purchase_order po ON po.id = il."order" '
        "WHERE il.invoice = {} ORDER BY il.position", invoice_id)
    payments = await Invoice.raw(
        "SELECT * FROM invoice_payment WHERE invoice = {} ORDER BY paid_on, id", invoice_id)
    return InvoiceOut(
        invoice=summary_of(head, utcnow().date()), note=extra["note"] if extra else "",
        cancellation_reason=extra["cancellation_reason"] if extra else "",
        lines=[InvoiceLineOut(
            id=line["id"], position=line["position"], order_id=line["order"], order_number=line["order_number"],
            order_line_id=line["order_line"], shipment_id=line["shipment"], description=line["description"],
            quantity=line["quantity"], unit_price=from_minor(line["unit_price"]),  # type: ignore[arg-type]
            tax_rate=Decimal(str(line["tax_rate"])).quantize(Decimal("0.01")), net=_money(line["net"], currency),
            tax=_money(line["tax"], currency), gross=_money(line["gross"], currency)) for line in lines],
        payments=[PaymentOut(id=p["id"], amount=_money(p["amount"], currency), paid_on=as_date(p["paid_on"]),
                             reference=p["reference"], recorded_at=_moment(p["recorded_at"])) for p in payments],
    )


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
