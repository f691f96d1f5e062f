"""Payments and credit notes: the vendor (or an operator) records a payment, partial ones summed, never above what is
open; the vendor cancels an unpaid invoice with a credit note. Each locks the invoice's row and is checked by
`billing/invoice_states.py` (409 saying why); a payment lowers the buyer's exposure as it commits."""

from __future__ import annotations

from app import db
from app.auth import Principal
from app.billing import credit
from app.billing.invoice_states import InvoiceStatus, TransitionError, after_payment, check_transition
from app.billing.tables import Invoice, InvoiceLine, InvoicePayment
from app.clock import utcnow
from app.errors import Conflict, Forbidden, InvalidInput
from app.invoicing.access import invoice_for, party_of
from app.invoicing.schemas import InvoiceOut, PaymentIn
from app.invoicing.views import get_invoice
from app.money import MoneyError, format_money, from_minor, to_minor


async def record_payment(principal: Principal, invoice_id: int, data: PaymentIn) -> InvoiceOut:
    """Record a payment on the invoice (its vendor or an operator); paid in full, it becomes paid."""
    if not data.amount.is_finite():
        raise InvalidInput("amount: give a decimal amount such as 120.50.")
    try:
        amount = to_minor(data.amount)
    except MoneyError as exc:
        raise InvalidInput(f"amount: {exc}") from None
    today = utcnow().date()
    paid_on = data.paid_on or today
    if paid_on > today:
        raise InvalidInput("paid_on: a payment cannot be recorded in the future.")
    async with db.transaction():
        head = await invoice_for(principal, invoice_id, lock=True)
        party = party_of(principal, head)
        if party is None:
            raise Forbidden("Only the vendor or the operator can record a payment on this invoice.")
        try:
            status = after_payment(head.status, head.gross, head.paid, amount)
            check_transition(head.status, status, party)
        except TransitionError as exc:
            open_amount = format_money(from_minor(head.gross - head.paid), head.currency)  # type: ignore[arg-type]
            raise Conflict(f"{exc} Invoice {head.number} has {open_amount} open.") from None
        now = utcnow()
        await InvoicePayment.insert(InvoicePayment(invoice=invoice_id, amount=amount, paid_on=paid_on,
                                                   reference=data.reference.strip()[:100],
                                                   recorded_by=principal.user_id, recorded_at=now))
        await Invoice.update({Invoice.paid: Invoice.paid + amount, Invoice.status: status.value,
                              Invoice.updated_at: now}).where(Invoice.id == invoice_id)
    return await get_invoice(principal, invoice_id)


async def cancel(principal: Principal, invoice_id: int, reason: str) -> InvoiceOut:
    """The vendor cancels an invoice nothing was paid on (a credit note); its units may be invoiced again."""
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput("reason: say why the invoice is cancelled; the buyer reads it.")
    async with db.transaction():
        head = await invoice_for(principal, invoice_id, lock=True)
        party = party_of(principal, head)
        if party is None:
            raise Forbidden("Only the vendor can cancel this invoice with a credit note.")
        try:
            check_transition(head.status, InvoiceStatus.CANCELLED, party)
        except TransitionError as exc:
            raise Conflict(str(exc)) from None
        if head.paid:
            raise Conflict(f"Invoice {head.number} has payments recorded: it cannot be cancelled.")
        await Invoice.update({
            Invoice.status: InvoiceStatus.CANCELLED.value, Invoice.cancellation_reason: cleaned[:2000],
            Invoice.updated_at: utcnow(),
        }).where(Invoice.id == invoice_id)
        # its units may be invoiced again: its orders hold credit again until they are
        orders = await InvoiceLine.select(InvoiceLine.order).where(InvoiceLine.invoice == invoice_id).distinct()
        await credit.refresh_billed([row["order"] for row in orders])
    return await get_invoice(principal, invoice_id)
