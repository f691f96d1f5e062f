"""The buyer's spending pages: cost centers, approval rules and budgets (spent, reserved and left per period, the
orders behind each figure, an XLSX export). Every buyer user reads them; the forms are its admins' (the cost center
form here, the others in control_pages.py; anyone else gets the 404 of a missing page). Thin: parse the form, call
one service, redirect with a flash or show the page again with why."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyer_admin_pages, buyers_only, principal_of
from app.errors import DomainError
from app.files import bytes_response
from app.forms import errors_by_field, read
from app.grids import GridColumn, GridSpec, export_file
from app.spending import services
from app.spending.choices import choices_for
from app.spending.control_pages import ROUTES as CONTROL_PAGES
from app.spending.schemas import CostCenterIn

BUDGET_EXPORT = GridSpec(
    path="/spending", columns=(GridColumn("cost_center", "Cost center"),), default_sort="cost_center",
    export_name="budgets", sheet_title="Budgets",
)
EXPORT_HEADER = ("Cost center", "Period", "From", "Until (before)", "Currency", "Amount", "Kind", "Spent",
                 "Reserved", "Left")


async def _page(request: PrincipalRequest, error: DomainError | None = None, typed: dict[str, Any] | None = None
                ) -> Template:
    principal = principal_of(request)
    return Template(template_name="spending/index.html", status_code=error.status_code if error else 200, context={
        "cost_centers": await services.list_cost_centers(principal),
        "rules": await services.list_rules(principal),
        "budgets": await services.list_budgets(principal),
        "may_change": principal.is_company_admin, "choices": await choices_for(principal),
        "errors": errors_by_field(error), "typed": typed or {},
    })


class SpendingPages(Controller):
    path = "/spending"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        return await _page(request)

    @get("/budgets/export.xlsx")
    async def export_budgets(self, request: PrincipalRequest) -> Response[bytes]:
        budgets = await services.list_budgets(principal_of(request))
        rows = [(b.cost_center, b.period.value, b.starts_on, b.ends_before, b.currency, b.amount,
                 "hard" if b.hard else "soft", b.spent, b.reserved, b.left) for b in budgets]
        made = export_file(BUDGET_EXPORT.read({}), "xlsx", EXPORT_HEADER, rows, len(rows))
        return bytes_response(made.content, made.media_type, made.filename)

    @get("/budgets/{budget_id:int}")
    async def budget(self, request: PrincipalRequest, budget_id: FromPath[int]) -> Template:
        budget, orders = await services.budget_orders(principal_of(request), budget_id)
        return Template(template_name="spending/budget.html", context={"budget": budget, "orders": orders})


class CostCenterPages(Controller):
    path = "/spending/cost-centers"
    guards = [buyer_admin_pages]
    include_in_schema = False

    @post("/")
    async def add_cost_center(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        data: dict[str, Any] = {key: str(form.get(key) or "") for key in ("code", "name")}
        ticked = [v for v in form.getall("user_ids", []) if v.isascii() and v.isdigit() and len(v) < 19]
        values: dict[str, Any] = {**data, "user_ids": [int(v) for v in ticked]}
        data["user_ids"] = ticked  # kept ticked when the form comes back with why
        return await _act(request, data, "The cost center is added.",
                          lambda: services.create_cost_center(principal_of(request), read(values, CostCenterIn)))


async def _act(request: PrincipalRequest, typed: dict[str, Any], done: str, action: Any) -> Response[Any]:
    """Run a form's one service call: back to the page with a flash, or the page again with the reason."""
    try:
        await action()
    except DomainError as error:
        return await _page(request, error, typed)
    flash(request, done, "success")
    return Redirect(path="/spending", status_code=303)


ROUTES: list[ControllerRouterHandler] = [SpendingPages, CostCenterPages, *CONTROL_PAGES]
