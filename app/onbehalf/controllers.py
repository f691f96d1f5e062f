"""The on-behalf API and pages of this area: a buyer company's sales representatives (its admins and operators
assign and remove them), and the buyer users an acting user may order for."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import PrincipalRequest, acting_users, authenticated, principal_of
from app.errors import DomainError
from app.forms import errors_by_field
from app.onbehalf import assignments
from app.onbehalf.schemas import CustomerOut, SalesRepIn, SalesRepOut
from app.openapi import STATUSES


class SalesRepApi(Controller):
    path = "/api/v1/companies/{company_id:int}/sales-reps"
    tags = ["ordering on behalf"]
    guards = [authenticated]

    @get("/", summary="The vendor sales users this buyer company lets order for it (its admins, operators)")
    async def list_reps(self, request: PrincipalRequest, company_id: FromPath[int]) -> list[SalesRepOut]:
        return await assignments.sales_reps(principal_of(request), company_id)

    @post("/", status_code=201, opt={STATUSES: [404]},
          summary="Let a vendor's sales user (by e-mail) build carts and order for this buyer company's users")
    async def assign(self, request: PrincipalRequest, company_id: FromPath[int],
                     data: JSONBody[SalesRepIn]) -> SalesRepOut:
        return await assignments.assign(principal_of(request), company_id, data.email)

    @delete("/{user_id:int}", status_code=204, summary="Stop a sales user ordering for this buyer company")
    async def unassign(self, request: PrincipalRequest, company_id: FromPath[int], user_id: FromPath[int]) -> None:
        await assignments.unassign(principal_of(request), company_id, user_id)


class CustomerApi(Controller):
    path = "/api/v1/on-behalf/customers"
    tags = ["ordering on behalf"]
    guards = [acting_users]

    @get("/", summary="The buyer users you may order for (assigned vendor sales users; operators: every one)")
    async def customers(self, request: PrincipalRequest) -> list[CustomerOut]:
        return await assignments.customers(principal_of(request))


class SalesRepPages(Controller):
    """/team/sales-reps: a buyer admin's list of the sales users it lets order for its company."""

    path = "/team/sales-reps"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest) -> Template:
        return await _reps_page(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        principal = principal_of(request)
        return await grids.export_response(partial(assignments.rep_grid, principal, principal.company_id),
                                           assignments.REP_GRID.read(request.query_params), request.url.path,
                                           REP_EXPORT_HEADER, _rep_row, zone=principal.time_zone)

    @post("/", status_code=303)
    async def assign(self, request: PrincipalRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        try:
            rep = await assignments.assign(principal, principal.company_id, data.get("email", ""))
        except DomainError as exc:
            return await _reps_page(request, errors_by_field(exc, "email"), data.get("email", ""), exc.status_code)
        flash(request, f"{rep.name} ({rep.vendor}) may now order for your company.", "success")
        return Redirect(path="/team/sales-reps", status_code=303)

    @post("/{user_id:int}/remove", status_code=303)
    async def remove(self, request: PrincipalRequest, user_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        await assignments.unassign(principal, principal.company_id, user_id)
        flash(request, "The sales representative may no longer order for your company.", "success")
        return Redirect(path="/team/sales-reps", status_code=303)


async def _reps_page(request: PrincipalRequest, errors: dict[str, str] | None = None, typed: str = "",
                     status_code: int = 200) -> Template:
    principal = principal_of(request)
    query = request.query_params if request.method == "GET" else {}  # a refused post shows the list as it opens
    page = await assignments.rep_grid(principal, principal.company_id, assignments.REP_GRID.read(query))
    return Template(template_name="onbehalf/sales_reps.html", status_code=status_code,
                    context={"page": page, "errors": errors or {}, "typed": typed})


REP_EXPORT_HEADER = ("Name", "E-mail", "Vendor", "Since (UTC)")


def _rep_row(rep: SalesRepOut) -> tuple[Any, ...]:
    return (rep.name, rep.email, rep.vendor, rep.assigned_at)


CUSTOMER_EXPORT_HEADER = ("Company", "Buyer", "E-mail")


def _customer_row(customer: CustomerOut) -> tuple[str, str, str]:
    return (customer.company, customer.name, customer.email)


class CustomerPages(Controller):
    """/on-behalf: the buyer users an acting user may order for, each with a link to its cart."""

    path = "/on-behalf"
    guards = [acting_users]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest) -> Template:
        state = assignments.CUSTOMER_GRID.read(request.query_params)
        return grids.page_template("onbehalf/customers.html",
                                   await assignments.customer_grid(principal_of(request), state))

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(partial(assignments.customer_grid, principal_of(request)),
                                           assignments.CUSTOMER_GRID.read(request.query_params), request.url.path,
                                           CUSTOMER_EXPORT_HEADER, _customer_row, zone=principal_of(request).time_zone)


ROUTES: list[ControllerRouterHandler] = [SalesRepApi, CustomerApi, SalesRepPages, CustomerPages]
