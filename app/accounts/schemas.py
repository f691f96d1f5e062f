"""What the accounts API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["ana@acme.example"])]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
# A code the services check against its list (kind, country, currency, role); the bound only stops a megabyte.
MAX_CODE = 50


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
