"""Demo billing made through the real services: payment terms (Acme net 30, net 60 with Globex; Northwind net 45),
invoices of what the demo orders shipped in every state (issued, partly paid, paid, overdue, cancelled), and Acme's
credit limit set a little above its exposure. Idempotent: an invoice whose number the vendor used is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_UP, Decimal

from app.accounts import services as accounts
from app.billing import company_credit
from app.billing.credit import exposure_of
from app.billing.schemas import CreditIn, PaymentTermsIn
from app.billing.tables import CreditLimit, Invoice
from app.clock import utcnow
from app.demo.rfqs import demo_principal
from app.invoicing import issuing, payments
from app.invoicing.overdue import mark_overdue
from app.invoicing.schemas import InvoiceIn, PaymentIn
from app.orders.tables import Shipment

OPERATOR = "operator@market.example"


@dataclass(frozen=True)
class DemoInvoice:
    number: str
    vendor: str  # the vendor user's e-mail
    po_number: str  # the buyer's checkout whose shipments it bills
    days_ago: int  # issued this many days ago
    paid: str = ""  # "part", "full" or "" (none)
    cancelled: bool = False


DEMO_INVOICES = (
    # Globex bills ACME-2027-0002 by mistake first (cancelled with a credit note), then again; paid in full.
    DemoInvoice("GX-INV-0999", "sales@globex.example", "ACME-2027-0002", 25, cancelled=True),
    DemoInvoice("GX-INV-1002", "sales@globex.example", "ACME-2027-0002", 20, paid="full"),
    # Globex's half shipment of the gloves: issued, partly paid.
    DemoInvoice("GX-INV-1001", "sales@globex.example", "ACME-2027-0001", 5, paid="part"),
    # Initech's office supplies, net 30, issued 40 days ago: overdue by 10 days, not paid.
    DemoInvoice("IN-2027-0042", "sales@initech.example", "ACME-2027-0001", 40),
)


async def _terms() -> None:
    operator = await demo_principal(OPERATOR)
    acme = await accounts.find_company_id("buyer", "Acme Hospital Group")
    northwind = await accounts.find_company_id("buyer", "Northwind Schools")
    globex = await accounts.find_company_id("vendor", "Globex Medical Supplies")
    for company, vendor, terms in ((acme, None, "net_30"), (acme, globex, "net_60"), (northwind, None, "net_45")):
        if company is not None:
            await company_credit.set_payment_terms(operator, company, PaymentTermsIn(terms=terms, vendor_id=vendor))


async def _shipments(vendor_company: int, po_number: str) -> list[int]:
    rows = await Shipment.select(Shipment.id).where(
        (Shipment.order.vendor == vendor_company) & (Shipment.order.group.po_number == po_number)
    ).order_by(Shipment.id)
    return [row["id"] for row in rows]


async def ensure_demo_invoice(demo: DemoInvoice) -> int | None:
    vendor = await demo_principal(demo.vendor)
    done = await Invoice.select(Invoice.id).where(
        (Invoice.vendor == vendor.company_id) & (Invoice.number == demo.number)).first()
    if done is not None:
        return done["id"]
    shipments = await _shipments(vendor.company_id, demo.po_number)
    if not shipments:
        return None
    issued = await issuing.issue(vendor, InvoiceIn(number=demo.number, shipment_ids=shipments,
                                                   issued_on=utcnow().date() - timedelta(days=demo.days_ago)))
    invoice_id = issued.invoice.id
    if demo.cancelled:
        await payments.cancel(vendor, invoice_id, "Billed to the wrong PO number: replaced by the next invoice.")
    elif demo.paid:
        amount = issued.invoice.gross if demo.paid == "full" else (issued.invoice.gross * Decimal("0.4")).quantize(
            Decimal("0.01"))
        await payments.record_payment(vendor, invoice_id, PaymentIn(amount=amount, reference="SEPA transfer"))
    return invoice_id


async def _credit_limit() -> None:
    """Acme's limit: its exposure rounded up to the next 1,000, plus 1,000 — close, so a big order is refused."""
    acme = await accounts.find_company_id("buyer", "Acme Hospital Group")
    if acme is None or await CreditLimit.exists().where(CreditLimit.company == acme):
        return
    operator = await demo_principal(OPERATOR)
    admin = await demo_principal("admin@acme.example")
    exposure = (await exposure_of(acme, admin.currency)).total
    limit = (exposure / 1000).quantize(Decimal(1), rounding=ROUND_UP) * 1000 + 1000
    await company_credit.set_credit(operator, acme, CreditIn(currency=admin.currency, limit=limit))


async def load_demo_billing() -> list[int]:
    await _terms()
    invoices = [await ensure_demo_invoice(demo) for demo in DEMO_INVOICES]
    await mark_overdue()
    await _credit_limit()
    return [invoice for invoice in invoices if invoice is not None]
