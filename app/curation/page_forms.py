"""The curation pages' forms as posted (every field a string, read by the handlers) and the readers of their
typed values: whole numbers and moments in the operator's time zone, each refused in the operator's words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from litestar.response import Redirect

from app.clock import LocalTimeError, local_to_utc
from app.errors import InvalidInput


@dataclass
class ApproveForm:
    product_id: str = ""


@dataclass
class RejectForm:
    reason: str = ""


@dataclass
class ProductForm:
    featured: str = ""
    into_product_id: str = ""
    listing_id: str = ""  # the listing page to go back to
    confirmed: str = ""  # "yes" from the merge's confirmation page


@dataclass
class VendorForm:
    vendor_id: str = ""
    confirmed: str = ""


@dataclass
class SegmentForm:
    name: str = ""
    description: str = ""


@dataclass
class RuleForm:
    effect: str = ""
    target: str = ""
    target_id: str = ""


@dataclass
class MemberForm:
    company_id: str = ""
    segment_id: str = ""


@dataclass
class PriceListForm:
    name: str = ""
    owner: str = "segment"
    segment_id: str = ""
    company_id: str = ""
    currency: str = "EUR"
    valid_from: str = ""
    valid_to: str = ""


@dataclass
class EntryForm:
    listing_id: str = ""
    min_qty: str = "1"
    unit_price: str = ""


SEGMENT_FIELDS = {"name": ("name", "Name"), "description": ("description", "Description")}
PRICE_LIST_FIELDS = {"name": ("name", "Name"), "currency": ("currency", "Currency"),
                     "segment_id": ("segment_id", "Segment"), "company_id": ("company_id", "Buyer company"),
                     "valid_from": ("valid_from", "Valid from"), "valid_to": ("valid_to", "Valid until"),
                     "give": ("segment_id", "Give")}
ENTRY_FIELDS = {"listing_id": ("listing_id", "Approved listing"), "min_qty": ("min_qty", "From quantity"),
                "unit_price": ("unit_price", "Unit price"), "listing": ("listing_id", "Listing")}
# "entries[1] (listing 4, from 10): " before a price list entry's problem: the page sends one entry, its fields name it.
ENTRY_WHERE = re.compile(r"^entries\[\d+\][^:]*: ")


def whole_number(value: str | None, what: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number") from None


def required_number(value: str | None, what: str) -> int:
    number = whole_number(value, what)
    if number is None:
        raise InvalidInput(f"{what} is needed")
    return number


def form_moment(value: str | None, what: str, time_zone: str) -> datetime | None:
    """A `datetime-local` field, read in the operator's time zone (the page names it)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return local_to_utc(text, time_zone)
    except LocalTimeError as exc:
        if "does not exist" in str(exc):
            raise InvalidInput(f"{what}: {exc}") from None
        raise InvalidInput(f"{what} must be a date and time such as 2026-11-23T08:00") from None


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)

