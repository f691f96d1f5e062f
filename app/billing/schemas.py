"""What the billing API takes and answers about a company: payment terms and credit. msgspec Structs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec


class PaymentTermsIn(msgspec.Struct, forbid_unknown_fields=True):
    """`terms`: prepaid, net_30, net_60, net_90, net_<days> or a number of days (0 to 365). With `vendor_id`, the
    terms of that vendor relationship only; `terms` null removes them (the company's own terms apply again)."""

    terms: str | int | None
    vendor_id: int | None = None


class VendorTermsOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    terms: str
    days: int


class PaymentTermsOut(msgspec.Struct):
    company_id: int
    terms: str
    days: int
    label: str
    vendors: list[VendorTermsOut]


class CreditIn(msgspec.Struct, forbid_unknown_fields=True):
    """The limit in `currency` (a decimal string; 0 = prepaid only); `may_exceed` lets orders past it through."""

    currency: str
    limit: Decimal
    may_exceed: bool = False


class OverdueInvoiceOut(msgspec.Struct):
    id: int
    number: str
    vendor_name: str
    due_on: date
    days_overdue: int
    open_amount: Decimal
    currency: str


class CreditOut(msgspec.Struct):
    company_id: int
    company_name: str
    has_limit: bool
    currency: str
    limit: Decimal | None
    may_exceed: bool
    exposure: Decimal
    orders_not_invoiced: Decimal
    invoices_open: Decimal
    available: Decimal | None
    overdue_invoices: list[OverdueInvoiceOut]
