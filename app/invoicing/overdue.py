"""The daily overdue job: open invoices past their due date become overdue once, and the buyer is told once.

Idempotent: the one UPDATE moves only `issued` invoices whose due date has passed, so a second run (or a second
sweeper) finds nothing to do. Overdue is also derivable at any moment (`invoice_states.is_overdue`): the credit
check and the pages never wait for this job.
"""

from __future__ import annotations

from datetime import date

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import AWARDER_ROLES
from app.billing.invoice_states import InvoiceStatus, Party, check_transition
from app.billing.tables import Invoice
from app.clock import utcnow
from app.invoicing.views import invoice_path
from app.money import format_money, from_minor
from app.notifications.services import queue_email

_MARK = """
UPDATE invoice SET status = 'overdue', overdue_since = {}, updated_at = {}
WHERE status = 'issued' AND due_on < {}
RETURNING id, number, buyer, currency, gross - paid AS open, due_on
"""
_VENDORS = "SELECT i.id AS id, c.name AS vendor FROM invoice i JOIN company c ON c.id = i.vendor WHERE {ids}"


async def mark_overdue(today: date | None = None) -> list[int]:
    """Mark the invoices due before `today` overdue and tell their buyers; returns the ids moved now."""
    today = today or utcnow().date()
    check_transition(InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE, Party.SYSTEM)
    day = today.isoformat() if db.is_sqlite() else today
    async with db.transaction():
        moved = await Invoice.raw(_MARK, day, utcnow(), day)
        if not moved:
            return []
        fragment, arg = db.in_ids("i.id", [row["id"] for row in moved])
        vendors = {row["id"]: row["vendor"] for row in await Invoice.raw(_VENDORS.format(ids=fragment), arg)}
        recipients = await addresses_of({row["buyer"] for row in moved}, AWARDER_ROLES)
        for row in moved:
            amount = from_minor(int(row["open"]))
            for address in recipients.get(row["buyer"], []):
                await queue_email(
                    to=address, subject=f"Invoice {row['number']} from {vendors[row['id']]} is overdue",
                    body=lambda place, row=row, amount=amount: (
                        f"{format_money(amount, row['currency'], place.locale)} of invoice {row['number']} was due on "
                        f"{row['due_on']} and is not paid. Orders on account stop while an invoice stays overdue."
                        "\n\nOpen the invoice:"),
                    link=invoice_path(row["id"]))
    return [row["id"] for row in moved]
