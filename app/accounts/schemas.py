"""What the accounts API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from app.accounts.addresses_rules import AddressKind
from app.locales import MAX_LOCALE_LENGTH, MAX_TIME_ZONE_LENGTH

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["ana@acme.example"])]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
# A code the services check against its list (kind, country, currency, role); the bound only stops a megabyte.
MAX_CODE = 50
LocaleCode = Annotated[str, msgspec.Meta(max_length=MAX_LOCALE_LENGTH, examples=["en_GB", "de_DE"],
                                         description="A Babel (CLDR) locale: a language, optionally with a country")]
TimeZoneName = Annotated[str, msgspec.Meta(max_length=MAX_TIME_ZONE_LENGTH, examples=["Europe/Berlin", "UTC"],
                                           description="An IANA time zone name")]


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class TokenOut(msgspec.Struct):
    token: str


class CompanyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["buyer", "vendor", "operator"])]
    country: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["DE"])]
    currency: Annotated[str, msgspec.Meta(max_length=MAX_CODE, examples=["EUR"])]
    tax_id: Annotated[str, msgspec.Meta(max_length=50)] = ""
    parent_id: int | None = None


class CompanyOut(msgspec.Struct):
    id: int
    name: str
    kind: str
    country: str
    currency: str
    tax_id: str
    status: str
    parent_id: int | None
    created_at: datetime


class UserIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    roles: Annotated[list[Annotated[str, msgspec.Meta(max_length=MAX_CODE)]], msgspec.Meta(max_length=20)]
    # Without a password the user is invited by e-mail to choose one.
    password: Password | None = None
    # Without them, the company's country gives the user's (app/locales.py; English and UTC elsewhere).
    locale: LocaleCode | None = None
    time_zone: TimeZoneName | None = None


class UserOut(msgspec.Struct):
    id: int
    email: str
    name: str
    company_id: int
    roles: list[str]
    active: bool
    invited: bool = False


class MeOut(msgspec.Struct):
    id: int
    email: str
    name: str
    roles: list[str]
    company: CompanyOut
    locale: Annotated[str, msgspec.Meta(description="How money and dates are written for the user",
                                        examples=["de_DE"])]
    time_zone: Annotated[str, msgspec.Meta(description="The IANA zone times are shown in", examples=["Europe/Berlin"])]


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; an unknown locale or zone is refused with what would be accepted."""

    locale: LocaleCode | msgspec.UnsetType = msgspec.UNSET
    time_zone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET


# --- addresses ----------------------------------------------------------------------------------

# The bounds are the columns' (app/accounts/addresses_rules.LIMITS); the rules also refuse blank and malformed values.
Label = Annotated[str, msgspec.Meta(max_length=100, examples=["Main warehouse"])]
Recipient = Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Acme Hospital Group"])]
Attention = Annotated[str, msgspec.Meta(max_length=200, examples=["Goods receiving, dock 3"])]
Street = Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Hauptstraße 1"])]
Street2 = Annotated[str, msgspec.Meta(max_length=200)]
PostalCode = Annotated[str, msgspec.Meta(min_length=1, max_length=20, examples=["10115"])]
City = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["Berlin"])]
Region = Annotated[str, msgspec.Meta(max_length=100)]
Country = Annotated[str, msgspec.Meta(min_length=2, max_length=MAX_CODE, examples=["DE"])]
Phone = Annotated[str, msgspec.Meta(max_length=50, examples=["+49 30 1234567"])]


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new address of the caller's company; the first of its kind becomes the default whatever `is_default` says."""

    kind: AddressKind
    recipient: Recipient
    street: Street
    postal_code: PostalCode
    city: City
    country: Country
    label: Label = ""
    attention: Attention = ""
    street2: Street2 = ""
    region: Region = ""
    phone: Phone = ""
    is_default: bool = False


class AddressPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change. The kind is fixed; `is_default: true` moves the default here (it leaves another
    address only when one becomes the default in its place)."""

    label: Label | msgspec.UnsetType = msgspec.UNSET
    recipient: Recipient | msgspec.UnsetType = msgspec.UNSET
    attention: Attention | msgspec.UnsetType = msgspec.UNSET
    street: Street | msgspec.UnsetType = msgspec.UNSET
    street2: Street2 | msgspec.UnsetType = msgspec.UNSET
    postal_code: PostalCode | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    region: Region | msgspec.UnsetType = msgspec.UNSET
    country: Country | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET
    is_default: bool | msgspec.UnsetType = msgspec.UNSET

    def fields(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in self.__struct_fields__ if getattr(self, name) is not msgspec.UNSET
        }


class AddressOut(msgspec.Struct):
    id: int
    company_id: int
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
    is_default: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
