"""The landing pages: `/` sends a signed-in user to the dashboard of their company's kind."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from app.auth import Principal, authenticated, principal_of
from app.dashboard.services import dashboard_for


class DashboardPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Principal | None, Any, Any]) -> Redirect:
        return Redirect(path="/dashboard" if request.user else "/login")

    @get("/dashboard", guards=[authenticated])
    async def dashboard(self, request: Request[Principal, Any, Any]) -> Template:
        principal = principal_of(request)
        summary = await dashboard_for(principal)
        return Template(
            template_name=f"dashboard/{principal.company_kind.value}.html", context={"summary": summary}
        )
