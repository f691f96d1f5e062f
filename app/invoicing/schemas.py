"""What the invoices API takes and answers. msgspec Structs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.billing.invoice_states import InvoiceStatus
from app.billing.terms import Ageing


class InvoiceLineIn(msgspec.Struct, forbid_unknown_fields=True):
    """Units of one order line; `unit_price` defaults to the order's and may not be above it."""

    order_line_id: int
    quantity: int
    unit_price: Decimal | None = None


class InvoiceIn(msgspec.Struct, forbid_unknown_fields=True):
    """An invoice of shipped units: give `shipment_ids` (everything they shipped) or `lines`, not both."""

    number: str
    lines: list[InvoiceLineIn] = []
    shipment_ids: list[int] = []
    issued_on: date | None = None
    note: str = ""


class PaymentIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Decimal
    paid_on: date | None = None
    reference: str = ""


class InvoiceCancelIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why the invoice is cancelled (the credit note's reason; the buyer reads it)."""

    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class InvoiceLineOut(msgspec.Struct):
    id: int
    position: int
    order_id: int
    order_number: str
    order_line_id: int
    shipment_id: int | None
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class PaymentOut(msgspec.Struct):
    id: int
    amount: Decimal
    paid_on: date
    reference: str
    recorded_at: datetime


class InvoiceSummaryOut(msgspec.Struct):
    id: int
    number: str
    status: InvoiceStatus
    vendor_id: int
    vendor: str
    buyer_id: int
    buyer: str
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    paid: Decimal
    open_amount: Decimal
    terms: str
    issued_on: date
    due_on: date
    days_overdue: int
    ageing: Ageing


class InvoiceOut(msgspec.Struct):
    invoice: InvoiceSummaryOut
    note: str
    cancellation_reason: str
    lines: list[InvoiceLineOut]
    payments: list[PaymentOut]


class InvoicePage(msgspec.Struct):
    items: list[InvoiceSummaryOut]
    total: int
    page: int
    per_page: int
