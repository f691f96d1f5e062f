"""The buyer's spending pages: cost centers, approval rules and budgets (spent, reserved and left per period, the
orders behind each figure, an XLSX export). Every buyer user reads them; the forms are its admins' (the services
refuse anyone else). Thin: parse the form, call one service, redirect with a flash or show the page again with why."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import PrincipalRequest, buyers_only, principal_of
from app.errors import DomainError
from app.forms import errors_by_field, read
from app.spending import services
from app.spending.schemas import ApprovalRuleIn, BudgetIn, BudgetOut, CostCenterIn

Form = URLEncodedBody[dict[str, str]]
EXPORT_HEADER = ("Cost center", "Period", "From", "Until (before)", "Currency", "Amount", "Kind", "Spent",
                 "Reserved", "Left")


_WHOLE = ("cost_center_id", "category_id", "vendor_id", "level")


def _blank_to_none(form: dict[str, str], *names: str) -> dict[str, Any]:
    """The form's fields as the API's body: blanks as none, whole numbers as numbers (a bad one stays text, and the
    schema's check names its field)."""
    values: dict[str, Any] = {key: value.strip() for key, value in form.items() if key != "_csrf_token"}
    for name in names:
        if not values.get(name):
            values[name] = None
    for name in _WHOLE:
        if isinstance(values.get(name), str) and values[name].isdigit():
            values[name] = int(values[name])
    return values


def _export_row(b: BudgetOut) -> tuple[Any, ...]:
    return (b.cost_center, b.period.value, b.starts_on, b.ends_before, b.currency, b.amount,
            "hard" if b.hard else "soft", b.spent, b.reserved, b.left)


async def _page(request: PrincipalRequest, error: DomainError | None = None, typed: dict[str, str] | None = None
                ) -> Template:
    principal = principal_of(request)
    # a post's refusal shows the budgets as the page opens (its query is the form's page, not the grid's)
    query = request.query_params if request.method == "GET" else {}
    page = await services.budget_grid(principal, services.BUDGET_GRID.read(query))
    return Template(template_name="spending/index.html", status_code=error.status_code if error else 200, context={
        "cost_centers": await services.list_cost_centers(principal),
        "rules": await services.list_rules(principal),
        "page": page,
        "may_change": principal.is_company_admin,
        "errors": errors_by_field(error), "typed": typed or {},
    })


class SpendingPages(Controller):
    path = "/spending"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        return await _page(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export_budgets(self, request: PrincipalRequest) -> Response[bytes]:
        """The budgets the grid selects (its search, filters and order), every page of them."""
        return await grids.export_response(partial(services.budget_grid, principal_of(request)),
                                           services.BUDGET_GRID.read(request.query_params), request.url.path,
                                           EXPORT_HEADER, _export_row, zone=principal_of(request).time_zone)

    @get("/budgets/export.xlsx")
    async def export_every_budget(self, request: PrincipalRequest) -> Response[bytes]:
        """Every budget as a workbook (the address the page linked to before the grid: kept for saved links)."""
        return await grids.export_response(partial(services.budget_grid, principal_of(request)),
                                           services.BUDGET_GRID.read({}), request.url.path, EXPORT_HEADER,
                                           _export_row, zone=principal_of(request).time_zone)

    @get("/budgets/{budget_id:int}")
    async def budget(self, request: PrincipalRequest, budget_id: FromPath[int]) -> Template:
        budget, orders = await services.budget_orders(principal_of(request), budget_id)
        return Template(template_name="spending/budget.html", context={"budget": budget, "orders": orders})

    @post("/cost-centers")
    async def add_cost_center(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        values = _blank_to_none(data)
        values["user_ids"] = [int(v) for v in (data.get("user_ids") or "").replace(",", " ").split() if v.isdigit()]
        return await _act(request, data, "The cost center is added.",
                          lambda: services.create_cost_center(principal_of(request), read(values, CostCenterIn)))

    @post("/budgets")
    async def add_budget(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        values = _blank_to_none(data)
        values["hard"] = data.get("hard") == "yes"
        return await _act(request, data, "The budget is set.",
                          lambda: services.create_budget(principal_of(request), read(values, BudgetIn)))

    @post("/rules")
    async def add_rule(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        values = _blank_to_none(data, "min_total", "currency", "category_id", "vendor_id", "cost_center_id",
                                "requester_role", "approver_role")
        values["approver_user_ids"] = [int(v) for v in (data.get("approver_user_ids") or "").replace(",", " ").split()
                                       if v.isdigit()]
        return await _act(request, data, "The approval rule is added.",
                          lambda: services.create_rule(principal_of(request), read(values, ApprovalRuleIn)))

    @post("/rules/{rule_id:int}/delete")
    async def delete_rule(self, request: PrincipalRequest, rule_id: FromPath[int]) -> Response[Any]:
        return await _act(request, {}, "The approval rule is deleted.",
                          lambda: services.delete_rule(principal_of(request), rule_id))


async def _act(request: PrincipalRequest, typed: dict[str, str], done: str, action: Any) -> Response[Any]:
    """Run a form's one service call: back to the page with a flash, or the page again with the reason."""
    try:
        await action()
    except DomainError as error:
        return await _page(request, error, typed)
    flash(request, done, "success")
    return Redirect(path="/spending", status_code=303)


ROUTES: list[ControllerRouterHandler] = [SpendingPages]
