"""Company kinds and the roles each kind's users may hold: the pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CompanyKind(StrEnum):
    BUYER = "buyer"
    VENDOR = "vendor"
    OPERATOR = "operator"


class CompanyStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Role(StrEnum):
    BUYER_ADMIN = "buyer_admin"
    PURCHASER = "purchaser"
    APPROVER = "approver"
    VENDOR_ADMIN = "vendor_admin"
    VENDOR_SALES = "vendor_sales"
    OPERATOR = "operator"


# The role sets, each written once; app/auth.py turns them into the named guards.
# Every user of a buyer company: drafts RFQs, reads the catalog at its prices.
BUYER_ROLES = frozenset({Role.BUYER_ADMIN, Role.PURCHASER, Role.APPROVER})
# The buyer users who decide: award an RFQ, accept or reject a contract amendment.
AWARDER_ROLES = frozenset({Role.BUYER_ADMIN, Role.APPROVER})
# Every user of a vendor company: answers RFQs, keeps listings, signs off its side of contracts.
SELLER_ROLES = frozenset({Role.VENDOR_ADMIN, Role.VENDOR_SALES})
OPERATOR_ROLES = frozenset({Role.OPERATOR})
CATALOG_READER_ROLES = BUYER_ROLES | OPERATOR_ROLES
# The users who may build a cart and order for a buyer user (#14): operators, and the vendor sales users a buyer
# company assigned to itself (app/onbehalf/acting.py decides for which buyer).
ACTING_ROLES = frozenset({Role.VENDOR_SALES, Role.OPERATOR})
# The roles that manage their own company's users.
COMPANY_ADMIN_ROLES = frozenset({Role.BUYER_ADMIN, Role.VENDOR_ADMIN, Role.OPERATOR})
# The admins of a group's parent company also see its subsidiaries.
GROUP_ADMIN_ROLES = frozenset({Role.BUYER_ADMIN, Role.VENDOR_ADMIN})

ROLES_BY_KIND: dict[CompanyKind, frozenset[Role]] = {
    CompanyKind.BUYER: BUYER_ROLES,
    CompanyKind.VENDOR: SELLER_ROLES,
    CompanyKind.OPERATOR: OPERATOR_ROLES,
}


class RoleError(ValueError):
    """Roles that a user of this kind of company cannot hold."""


def validate_roles(kind: CompanyKind, roles: Iterable[str]) -> frozenset[Role]:
    """The roles as enums, or a `RoleError` that names what is allowed for this kind."""
    allowed = ROLES_BY_KIND[kind]
    chosen: set[Role] = set()
    for raw in roles:
        try:
            role = Role(raw)
        except ValueError:
            raise RoleError(f"unknown role {raw!r}; {kind} companies use {_names(allowed)}") from None
        if role not in allowed:
            raise RoleError(f"a {kind} company's users cannot be {role}; use {_names(allowed)}")
        chosen.add(role)
    if not chosen:
        raise RoleError(f"give at least one role: {_names(allowed)}")
    return frozenset(chosen)


def is_company_admin(roles: Iterable[Role]) -> bool:
    return not COMPANY_ADMIN_ROLES.isdisjoint(roles)


def _names(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(role.value for role in roles))
