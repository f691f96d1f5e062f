"""Who is calling, and what they may see: the one permission module.

Requests under /api/ authenticate with a bearer token only, pages with the session cookie
only; so the API needs no CSRF token and a stolen page cookie opens no API call. Guards
refuse a whole handler (401/403); the tenancy helpers scope every query to the companies
the caller may see and turn everything else into 404, so nothing leaks through a count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.columns import Column
from piccolo.query import Query
from piccolo_api.session_auth.tables import SessionsBase

from app.accounts.roles import (
    ACTING_ROLES,
    AWARDER_ROLES,
    BUYER_ROLES,
    CATALOG_READER_ROLES,
    GROUP_ADMIN_ROLES,
    SELLER_ROLES,
    CompanyKind,
    CompanyStatus,
    Role,
    is_company_admin,
)
from app.accounts.tables import ApiToken, Company, Membership
from app.clock import utcnow
from app.errors import Forbidden, NotAuthenticated, NotFound
from app.locales import ANYWHERE, DEFAULT_LOCALE, DEFAULT_TIME_ZONE, Place

# Shared with piccolo-admin, which reads the same session table and cookie: one identity,
# one login for the portal and the operators' back office.
SESSION_COOKIE = "id"


@dataclass(frozen=True, slots=True)
class ActingUser:
    """Who acts for a buyer user: an operator, or a vendor's sales user the buyer's company assigned to itself."""

    user_id: int
    name: str
    email: str
    company_name: str
    # A vendor's sales user orders only its own company's listings; None for an operator (any vendor's).
    vendor_id: int | None

    @property
    def label(self) -> str:
        """How the buyer and the vendor read who it was: "Sam Sales (Vendor A GmbH)"."""
        return f"{self.name} ({self.company_name})"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user of one company, with roles."""

    user_id: int
    email: str
    name: str
    company_id: int
    company_name: str
    company_kind: CompanyKind
    roles: frozenset[Role]
    # Own company, plus the subsidiaries of a group for the group's admins.
    visible_company_ids: frozenset[int]
    # The company's pricing identity, loaded with the caller: its customer segment and its currency.
    segment_id: int | None
    currency: str
    # How this person reads money and times (app/locales.py).
    locale: str = DEFAULT_LOCALE
    time_zone: str = DEFAULT_TIME_ZONE
    # Set when this is a buyer user acted for (app/onbehalf/acting.py): the cart and checkout run as this buyer,
    # and record who acted. Never set on the caller of a request: guards see the acting user's own roles.
    acted_by: ActingUser | None = None

    @property
    def place(self) -> Place:
        return Place(self.locale, self.time_zone)

    @property
    def is_operator(self) -> bool:
        return self.company_kind is CompanyKind.OPERATOR and Role.OPERATOR in self.roles

    @property
    def is_company_admin(self) -> bool:
        return is_company_admin(self.roles)

    def has_any_role(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


# What a handler behind the authentication middleware receives: `request.user` is the Principal (or None).
PrincipalRequest = Request[Principal, Any, Any]


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts the `Principal` (or None) into `scope["user"]`; guards decide what that allows."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)
    exclude_path_pattern = ("^/admin",)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        # Static files need no user; a path pattern cannot name them (their route is "/{file_path:path}").
        return scope["path"].startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        principal: Principal | None = None
        credential: str | None = None
        if scope["path"].startswith("/api/"):
            scheme, _, token = connection.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                credential = token.strip()
                principal = await principal_for_token(credential)
        else:
            credential = connection.cookies.get(SESSION_COOKIE)
            if credential:
                principal = await principal_for_session(credential)
        scope["user"] = principal
        scope["auth"] = credential if principal else None
        await next_app(scope, receive, send)


# --- who is calling: tokens, sessions, principals --------------------------------------------------


def digest(secret: str) -> str:
    """What is stored of a token: its SHA-256, so a database leak yields no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()




async def principal_for_session(token: str) -> Principal | None:
    user_id = await SessionsBase.get_user_id(token, increase_expiry=timedelta(minutes=30))
    return await load_principal(user_id) if user_id else None




# Every API request and page load asks who the caller is: one query with the roles joined in,
# not one per table (membership, user, company, roles, token).
_PRINCIPAL_COLUMNS = (
    'm.id AS membership_id, m."user" AS user_id, m.name AS name, m.locale AS locale, m.time_zone AS time_zone,'
    " u.email AS email, u.active AS active,"
    " c.id AS company_id, c.name AS company_name, c.kind AS kind, c.status AS status, c.currency AS currency,"
    " sm.segment AS segment_id, r.role AS role"
)
_PRINCIPAL_JOINS = (
    'JOIN piccolo_user u ON u.id = m."user" JOIN company c ON c.id = m.company'
    " LEFT JOIN segment_member sm ON sm.company = c.id LEFT JOIN member_role r ON r.membership = m.id"
)


async def principal_for_token(token: str) -> Principal | None:
    rows = await ApiToken.raw(
        f"SELECT t.id AS token_id, t.last_used_at AS last_used_at, {_PRINCIPAL_COLUMNS}"  # noqa: S608 (constants)
        f' FROM api_token t JOIN membership m ON m."user" = t."user" {_PRINCIPAL_JOINS}'
        " WHERE t.token_hash = {} AND t.revoked_at IS NULL",
        digest(token),
    )
    if not rows:
        return None
    now = utcnow()
    last_used = rows[0]["last_used_at"]
    if last_used is None or now - last_used > timedelta(minutes=5):
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == rows[0]["token_id"])
    return await _principal_of(rows)


async def load_principal(user_id: int) -> Principal | None:
    """The caller behind a session or token; None once the user or company is deactivated."""
    rows = await Membership.raw(
        f'SELECT {_PRINCIPAL_COLUMNS} FROM membership m {_PRINCIPAL_JOINS} WHERE m."user" = {{}}',  # noqa: S608
        user_id,
    )
    return await _principal_of(rows)


async def _principal_of(rows: list[dict]) -> Principal | None:
    """The principal from a membership's rows (one per role)."""
    if not rows:
        return None
    row = rows[0]
    if not row["active"] or row["status"] != CompanyStatus.ACTIVE.value:
        return None
    roles = frozenset(Role(r["role"]) for r in rows if r["role"] is not None)
    company_id = row["company_id"]
    visible = {company_id}
    if roles & GROUP_ADMIN_ROLES:
        visible |= await _subsidiaries(company_id)
    return Principal(
        user_id=row["user_id"],
        email=row["email"],
        name=row["name"],
        company_id=company_id,
        company_name=row["company_name"],
        company_kind=CompanyKind(row["kind"]),
        roles=roles,
        visible_company_ids=frozenset(visible),
        segment_id=row["segment_id"],
        currency=row["currency"],
        locale=row["locale"],
        time_zone=row["time_zone"],
    )


async def place_of_address(address: str) -> Place:
    """How the user with this e-mail address reads money and times (an e-mail's recipient); English and UTC for
    an address no user has."""
    row = await Membership.select(Membership.locale, Membership.time_zone).where(
        Membership.user.email == address).first()
    return Place(row["locale"], row["time_zone"]) if row else ANYWHERE


async def _subsidiaries(company_id: int) -> set[int]:
    """Every company below `company_id` in its group, one query per level of the tree."""
    found: set[int] = set()
    frontier = [company_id]
    while frontier:
        rows = await Company.select(Company.id).where(Company.parent.is_in(frontier))
        frontier = [row["id"] for row in rows if row["id"] not in found]
        found.update(frontier)
    return found


def place_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Place:
    """How the caller reads money and times; English and UTC for anyone not signed in."""
    principal = connection.scope.get("user")
    return principal.place if principal is not None else ANYWHERE


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if principal is None:
        raise NotAuthenticated("Log in first: send 'Authorization: Bearer <token>' or sign in.")
    return principal


# --- guards -------------------------------------------------------------------------------------

# Guards are coroutines: Litestar runs a plain-function guard in a worker thread, a thread hop on every request.
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


async def authenticated(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal_of(connection)


def requires_roles(*roles: Role) -> Guard:
    """Any one of `roles` lets the caller through; anyone else signed in gets 403."""
    wanted = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not principal_of(connection).has_any_role(wanted):
            names = ", ".join(sorted(wanted))
            raise Forbidden(f"This needs one of the roles: {names}.")

    return guard


# The named guards: each role set is written once, in app/accounts/roles.py.
operators_only = requires_roles(Role.OPERATOR)
buyers_only = requires_roles(*BUYER_ROLES)
awarders_only = requires_roles(*AWARDER_ROLES)
buyer_admins_only = requires_roles(Role.BUYER_ADMIN)
sellers_only = requires_roles(*SELLER_ROLES)
catalog_readers = requires_roles(*CATALOG_READER_ROLES)
acting_users = requires_roles(*ACTING_ROLES)
# The checkout: a buyer user's own, or one for a buyer user (`on_behalf_of`, which the service then checks).
buyers_and_acting_users = requires_roles(*BUYER_ROLES, *ACTING_ROLES)


def pages_only_for(*roles: Role) -> Guard:
    """A page that exists only for `roles`: anyone else signed in gets exactly the 404 of a page that does not exist
    (Litestar's own "Not Found"), so a purchaser cannot tell an admin's form from a typo."""
    wanted = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not principal_of(connection).has_any_role(wanted):
            # A route that does not exist is answered before anyone is signed in: the same page, to the byte.
            connection.scope["user"] = None
            raise NotFoundException()

    return guard


# A buyer company's spending controls (approval rules, budgets, users' limits): its admins' pages only.
buyer_admin_pages = pages_only_for(Role.BUYER_ADMIN)


# --- tenancy ------------------------------------------------------------------------------------

Q = TypeVar("Q", bound=Query)  # type: ignore[type-arg]


def can_see_company(principal: Principal, company_id: int) -> bool:
    return principal.is_operator or company_id in principal.visible_company_ids


def require_visible_company(principal: Principal, company_id: int, what: str = "company") -> None:
    """404, not 403, for another tenant's object: its existence is not the caller's business."""
    if not can_see_company(principal, company_id):
        raise NotFound(f"No such {what}.")


def require_company_admin(principal: Principal, company_id: int) -> None:
    """Operators manage every company; a company admin manages its own company only."""
    require_visible_company(principal, company_id)
    if principal.is_operator:
        return
    if company_id != principal.company_id or not principal.is_company_admin:
        raise Forbidden("Only an admin of this company can manage its users.")


def scope_to_companies(query: Q, company_column: Column, principal: Principal) -> Q:
    """`query` narrowed to the rows of companies the caller may see."""
    if principal.is_operator:
        return query
    return query.where(company_column.is_in(sorted(principal.visible_company_ids)))  # type: ignore[attr-defined]
