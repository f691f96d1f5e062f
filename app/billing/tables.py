"""Tables of billing: payment terms, credit limits, invoices with their lines and payments, and the audit of terms
and limits.

An invoice's number is unique per vendor, an invoice line never bills more than was shipped and not yet billed (the
invoicing service checks it with the order line locked), and a payment never takes an invoice past what it asks:
unique indexes and checks of the migrations (billing_2026_12_06t05_40_00_000000) are the last word on the first and
the last.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import Company
from app.billing.invoice_states import InvoiceStatus
from app.money import money_column
from app.orders.tables import OrderLine, PurchaseOrder, Shipment


class PaymentTerm(Table, tablename="payment_term"):
    """A buyer company's payment terms in days (0 is prepaid); with a vendor, the terms of that relationship only.

    (company, vendor) is unique, the company's default (no vendor) once: an index of the migrations."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.cascade, index=True)
    vendor = ForeignKey(Company, null=True, default=None, on_delete=OnDelete.cascade)
    days = Integer(null=False, help_text="0 = prepaid, 30 = net 30 …")
    updated_at = Timestamptz()
    updated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class CreditLimit(Table, tablename="credit_limit"):
    """How much a buyer company may owe on account, in one currency (0: prepaid only). The checkout locks this row."""

    company = ForeignKey(Company, null=False, unique=True, on_delete=OnDelete.cascade)
    currency = Varchar(length=3, null=False)
    amount = money_column(null=False)
    may_exceed = Boolean(default=False, help_text="The operator lets this company order past its limit")
    updated_at = Timestamptz()
    updated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class Invoice(Table, tablename="invoice"):
    """What a vendor bills a buyer for what it shipped; (vendor, number) is unique (an index of the migrations)."""

    number = Varchar(length=50, null=False, help_text="The vendor's own invoice number")
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, choices=InvoiceStatus, default=InvoiceStatus.ISSUED.value, index=True)
    currency = Varchar(length=3, null=False)
    net = money_column(null=False)
    tax = money_column(null=False)
    gross = money_column(null=False)
    paid = money_column(null=False, default=0, help_text="Payments recorded so far")
    terms_days = Integer(null=False)
    issued_on = Date(null=False)
    due_on = Date(null=False, index=True)
    overdue_since = Date(null=True, default=None, help_text="Set once by the daily job; never unset by it")
    note = Text(default="")
    cancellation_reason = Text(default="")
    issued_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.number])


class InvoiceLine(Table, tablename="invoice_line"):
    """Units of one order line billed at (at most) the order's price, with the order line's tax rate."""

    invoice = ForeignKey(Invoice, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.restrict, index=True)
    order_line = ForeignKey(OrderLine, null=False, on_delete=OnDelete.restrict, index=True)
    shipment = ForeignKey(Shipment, null=True, default=None, on_delete=OnDelete.set_null)
    description = Varchar(length=300, null=False)
    quantity = Integer(null=False)
    unit_price = money_column(null=False)
    tax_rate = Numeric(digits=(5, 2), null=False, help_text="Percent")
    net = money_column(null=False)
    tax = money_column(null=False)
    gross = money_column(null=False)


class InvoicePayment(Table, tablename="invoice_payment"):
    """A payment recorded against an invoice by its vendor or an operator."""

    invoice = ForeignKey(Invoice, null=False, on_delete=OnDelete.cascade, index=True)
    amount = money_column(null=False)
    paid_on = Date(null=False)
    reference = Varchar(length=100, default="")
    recorded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz()


class BillingAudit(Table, tablename="billing_audit"):
    """Who changed a company's credit limit or payment terms, when, and the values before and after (JSON)."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=30, null=False, help_text="credit_limit, payment_terms, credit_exceeded")
    actor = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    before = Text(default="")
    after = Text(default="")
    at = Timestamptz(index=True)


__all__ = ["BillingAudit", "CreditLimit", "Invoice", "InvoiceLine", "InvoicePayment", "PaymentTerm"]
