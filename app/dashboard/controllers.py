"""The landing pages: `/` sends a signed-in user to the dashboard of their company's kind; and what waits for the
caller, as the API answers it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from app.auth import Principal, PrincipalRequest, authenticated, principal_of
from app.dashboard.schemas import TaskListOut
from app.dashboard.services import dashboard_for
from app.dashboard.tasks_list import task_list


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


class TaskApi(Controller):
    path = "/api/v1/me/tasks"
    tags = ["auth"]
    guards = [authenticated]

    @get("/", summary="What waits for you: each task with its deadline (soonest first, none last) and the path of "
                      "the page where you act")
    async def tasks(self, request: PrincipalRequest) -> TaskListOut:
        return await task_list(principal_of(request))
