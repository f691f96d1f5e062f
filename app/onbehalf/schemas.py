"""What the on-behalf API takes and returns."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.accounts.schemas import Email


class SalesRepIn(msgspec.Struct, forbid_unknown_fields=True):
    """The e-mail of a vendor's sales user (role `vendor_sales`) to let order for the company."""

    email: Email


class SalesRepOut(msgspec.Struct):
    """A vendor sales user assigned to a buyer company: it may build carts and order for the company's users."""

    user_id: int
    name: str
    email: str
    vendor_id: int
    vendor: str
    assigned_at: datetime


class CustomerOut(msgspec.Struct):
    """A buyer user the caller may order for: its cart is at /api/v1/on-behalf/{user_id}/cart."""

    user_id: int
    name: str
    email: str
    company_id: int
    company: str
