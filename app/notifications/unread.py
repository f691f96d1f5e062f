"""The header's unread count: counted once per page request of a signed-in user, before the handler renders, since
templates render synchronously and cannot ask the database themselves."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.notifications.in_app import unread_count

# Where base.html finds the figure: `request.scope.get(UNREAD_KEY)` (absent when not counted).
UNREAD_KEY = "unread_notifications"


class UnreadCountMiddleware(ASGIMiddleware):
    """Puts the signed-in user's unread count into the scope of page requests; the API, the back office, static
    files and htmx fragments (which render no header) skip the query. Runs after AuthenticationMiddleware."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        # By the request's path: the static files' and the back office's routes are catch-all paths.
        return scope["path"].startswith(("/api/", "/admin", "/static/"))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        principal = scope.get("user")
        if principal is not None and not _fragment(scope):
            scope[UNREAD_KEY] = await unread_count(principal.user_id)  # type: ignore[literal-required]
        await next_app(scope, receive, send)


def _fragment(scope: Scope) -> bool:
    """An htmx request swaps a fragment into the page it came from (unless it is boosted: then a whole page)."""
    headers: Any = ASGIConnection(scope).headers
    return headers.get("hx-request") == "true" and headers.get("hx-boosted") != "true"
