"""Who is calling, and what they may see: the one permission module.

Requests under /api/ authenticate with a bearer token only, pages with the session cookie
only; so the API needs no CSRF token and a stolen page cookie opens no API call. Guards
refuse a whole handler (401/403); the tenancy helpers scope every query to the companies
the caller may see and turn everything else into 404, so nothing leaks through a count.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.columns import Column
from piccolo.query import Query

from app.accounts.roles import CompanyKind, Role, is_company_admin
from app.errors import Forbidden, NotAuthenticated, NotFound

# Shared with piccolo-admin, which reads the same session table and cookie: one identity,
# one login for the portal and the operators' back office.
SESSION_COOKIE = "id"


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

    @property
    def is_operator(self) -> bool:
        return self.company_kind is CompanyKind.OPERATOR and Role.OPERATOR in self.roles

    @property
    def is_company_admin(self) -> bool:
        return is_company_admin(self.roles)

    def has_any_role(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts the `Principal` (or None) into `scope["user"]`; guards decide what that allows."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)
    exclude_path_pattern = ("^/admin",)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        # Static files need no user; a path pattern cannot name them (their route is "/{file_path:path}").
        return scope["path"].startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        from app.accounts import services  # the accounts area imports this module

        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        principal: Principal | None = None
        credential: str | None = None
        if scope["path"].startswith("/api/"):
            scheme, _, token = connection.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                credential = token.strip()
                principal = await services.principal_for_token(credential)
        else:
            credential = connection.cookies.get(SESSION_COOKIE)
            if credential:
                principal = await services.principal_for_session(credential)
        scope["user"] = principal
        scope["auth"] = credential if principal else None
        await next_app(scope, receive, send)


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


operators_only = requires_roles(Role.OPERATOR)


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
