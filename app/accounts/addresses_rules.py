"""A company address's pure rules: its kinds, its fields' bounds, and the check that says which field is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AddressKind(StrEnum):
    DELIVERY = "delivery"
    BILLING = "billing"


# Each text field's longest value, as the table's columns hold it (the API's schema shows the same bounds).
LIMITS: dict[str, int] = {
    "label": 100,
    "recipient": 200,
    "attention": 200,
    "street": 200,
    "street2": 200,
    "postal_code": 20,
    "city": 100,
    "region": 100,
    "country": 2,
    "phone": 50,
}
REQUIRED = ("recipient", "street", "postal_code", "city", "country")
TEXT_FIELDS = tuple(LIMITS)

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]*$")
# One-line fields: an address is printed on purchase orders, labels and PDFs, where a control character breaks it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AddressError(ValueError):
    """A value the address cannot take; `field` names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class AddressValues:
    """An address's fields, checked and normalized (stripped; the country upper-case)."""

    kind: AddressKind
    label: str
    recipient: str
    attention: str
    street: str
    street2: str
    postal_code: str
    city: str
    region: str
    country: str
    phone: str


def parse_country(raw: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-case, as companies have theirs."""
    country = (raw or "").strip().upper()
    if not _COUNTRY.match(country):
        raise AddressError("country", "must be an ISO 3166-1 alpha-2 code such as DE or FR")
    return country


def parse_kind(raw: str) -> AddressKind:
    try:
        return AddressKind(raw)
    except ValueError:
        raise AddressError("kind", f"must be one of {', '.join(kind.value for kind in AddressKind)}") from None


def check_address(raw: Mapping[str, Any]) -> AddressValues:
    """The address from raw field values, or an `AddressError` naming the first field that is wrong:
    a required one blank, one past its length, a control character, a country or phone number that is none."""
    kind = parse_kind(str(raw.get("kind") or ""))
    values: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = raw.get(name)
        text = "" if value is None else str(value).strip()
        if name in REQUIRED and not text:
            raise AddressError(name, "must not be blank")
        if _CONTROL.search(text):
            raise AddressError(name, "must be one line of text, without control characters")
        if name != "country" and len(text) > LIMITS[name]:
            raise AddressError(name, f"must be at most {LIMITS[name]} characters long")
        values[name] = text
    values["country"] = parse_country(values["country"])
    if not _PHONE.match(values["phone"]):
        raise AddressError("phone", "may hold only digits, spaces, a leading + and ( ) . / -")
    return AddressValues(kind=kind, **values)


def needs_default(*, asked: bool, has_default: bool) -> bool:
    """Whether a new address becomes its kind's default: when asked, and always for the first of its kind."""
    return asked or not has_default
