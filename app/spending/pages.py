"""The buyer's spending pages: cost centers, approval rules and budgets (spent, reserved and left per period, the
orders behind each figure, an XLSX export). Every buyer user reads them; the forms are its admins' (the cost center
form here, the others in control_pages.py; anyone else gets the 404 of a missing page). Thin: parse the form, call
one service, redirect with a flash or show the page again with why."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import PrincipalRequest, buyer_admin_pages, buyers_only, principal_of
from app.errors import DomainError
from app.forms import errors_by_field, read
from app.spending import services
from app.spending.choices import choices_for
from app.spending.control_pages import ROUTES as CONTROL_PAGES
from app.spending.schemas import BudgetOut, CostCenterIn
from app.spending.store import OrderBehind

EXPORT_HEADER = ("Cost center", "Period", "From", "Until (before)", "Currency", "Amount", "Kind", "Spent",
                 "Reserved", "Left")

ORDERS_EXPORT_HEADER = ("Order", "PO number", "Day", "Status", "In", "Placed (UTC)", "Currency", "Net")


def _export_row(b: BudgetOut) -> tuple[Any, ...]:
    return (b.cost_center, b.period.value, b.starts_on, b.ends_before, b.currency, b.amount,
            "hard" if b.hard else "soft", b.spent, b.reserved, b.left)


def _order_row(currency: str, o: OrderBehind) -> tuple[Any, ...]:
    return (o.number, o.po_number, o.counts_on, o.status.replace("_", " "), o.figure, o.placed_at, currency, o.net)


async def _page(request: PrincipalRequest, error: DomainError | None = None, typed: dict[str, Any] | None = None
                ) -> Template:
    principal = principal_of(request)
    # a post's refusal shows the budgets as the page opens (its query is the form's page, not the grid's)
    query = request.query_params if request.method == "GET" else {}
    page = await services.budget_grid(principal, services.BUDGET_GRID.read(query))
    return Template(template_name="spending/index.html", status_code=error.status_code if error else 200, context={
        "cost_centers": await services.list_cost_centers(principal),
        "rules": await services.list_rules(principal),
        "page": page,
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
        budget, page = await services.budget_orders(
            principal_of(request), budget_id, services.budget_orders_spec(budget_id).read(request.query_params))
        return grids.page_template("spending/budget.html", page, budget=budget)

    @get(["/budgets/{budget_id:int}/export.csv", "/budgets/{budget_id:int}/export.xlsx"])
    async def export_budget_orders(self, request: PrincipalRequest, budget_id: FromPath[int]) -> Response[bytes]:
        """The orders behind a budget that its grid selects, every page of them, in the reader's time zone."""
        principal = principal_of(request)
        state = services.budget_orders_spec(budget_id).read(request.query_params)
        budget = await services.get_budget(principal, budget_id)
        return await grids.export_response(partial(services.budget_orders_page, budget), state, request.url.path,
                                           ORDERS_EXPORT_HEADER, partial(_order_row, budget.currency),
                                           zone=principal.time_zone)


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
