"""Tables of the accounts area.

A person logs in with Piccolo's `BaseUser` (one identity shared with the operators' back
office); `Membership` ties that login to one company, a display name and roles.

Composite unique constraints are unique indexes created in the migrations with plain SQL:
Piccolo adds table constraints with ALTER TABLE, which SQLite does not support.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    ForeignKey,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.addresses_rules import LIMITS, AddressKind
from app.accounts.roles import CompanyKind, CompanyStatus, Role
from app.locales import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, MAX_LOCALE_LENGTH, MAX_TIME_ZONE_LENGTH


class Company(Table, tablename="company"):
    """A buyer, vendor or operator organisation; (kind, lower(name)) is unique by an index."""

    name = Varchar(length=200, null=False, help_text="Legal name")
    kind = Varchar(length=20, choices=CompanyKind, null=False, index=True)
    tax_id = Varchar(length=50, default="", help_text="VAT or tax registration number")
    country = Varchar(length=2, null=False, help_text="ISO 3166-1 alpha-2 code")
    currency = Varchar(length=3, null=False, help_text="Default ISO 4217 currency")
    status = Varchar(length=20, choices=CompanyStatus, default=CompanyStatus.ACTIVE.value, index=True)
    parent = ForeignKey(
        "self",
        null=True,
        on_delete=OnDelete.restrict,
        help_text="The group this company is a subsidiary of",
    )
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class Membership(Table, tablename="membership"):
    user = ForeignKey(BaseUser, null=False, unique=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200, null=False, help_text="Full name shown to colleagues and partners")
    # How this person reads money and times (app/locales.py); new members start with their company country's.
    locale = Varchar(length=MAX_LOCALE_LENGTH, default=DEFAULT_LOCALE, null=False,
                     help_text="Babel locale for money and dates, e.g. en_GB, de_DE")
    time_zone = Varchar(length=MAX_TIME_ZONE_LENGTH, default=DEFAULT_TIME_ZONE, null=False,
                        help_text="IANA time zone times are shown in, e.g. Europe/Berlin")
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class MemberRole(Table, tablename="member_role"):
    """One role of a member; (membership, role) is unique by an index the migration creates."""

    membership = ForeignKey(Membership, null=False, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=30, choices=Role, null=False)


class ApiToken(Table, tablename="api_token"):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, null=False, unique=True, secret=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    """A pending invitation: the invited user sets a password through a one-time link."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    invited_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    token_hash = Varchar(length=64, null=False, unique=True, secret=True)
    expires_at = Timestamptz(null=False)
    accepted_at = Timestamptz(null=True, default=None)


class LoginFailure(Table, tablename="login_failure"):
    """A failed login, kept briefly so repeated failures can be throttled across processes."""

    email = Varchar(length=254, null=False, index=True)
    client_ip = Varchar(length=64, null=False, index=True)
    failed_at = Timestamptz(index=True)


class CompanyAddress(Table, tablename="company_address"):
    """A buyer company's delivery or billing address. At most one default of each kind per company, by a partial
    unique index the migration creates. Orders will point at addresses, so an address is archived, never deleted,
    and its company cannot be deleted while it has any (restrict)."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20, choices=AddressKind, null=False)
    label = Varchar(length=LIMITS["label"], default="", help_text="A name colleagues know it by: Main warehouse")
    recipient = Varchar(length=LIMITS["recipient"], null=False, help_text="Company or person on the label")
    attention = Varchar(length=LIMITS["attention"], default="", help_text="For the attention of")
    street = Varchar(length=LIMITS["street"], null=False)
    street2 = Varchar(length=LIMITS["street2"], default="", help_text="Building, floor, dock")
    postal_code = Varchar(length=LIMITS["postal_code"], null=False)
    city = Varchar(length=LIMITS["city"], null=False)
    region = Varchar(length=LIMITS["region"], default="")
    country = Varchar(length=LIMITS["country"], null=False, help_text="ISO 3166-1 alpha-2 code")
    phone = Varchar(length=LIMITS["phone"], default="")
    is_default = Boolean(default=False, help_text="The company's default address of this kind")
    archived_at = Timestamptz(null=True, default=None, help_text="Set: hidden from lists, kept for orders")
    created_at = Timestamptz()
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s, %s %s", columns=[cls.street, cls.postal_code, cls.city])


__all__ = ["ApiToken", "Company", "CompanyAddress", "Invitation", "LoginFailure", "MemberRole", "Membership"]
