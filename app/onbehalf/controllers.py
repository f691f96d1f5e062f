"""The on-behalf API and pages of this area: a buyer company's sales representatives (its admins and operators
assign and remove them), and the buyer users an acting user may order for."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

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
    reps = await assignments.sales_reps(principal, principal.company_id)
    return Template(template_name="onbehalf/sales_reps.html", status_code=status_code,
                    context={"reps": reps, "errors": errors or {}, "typed": typed})


class CustomerPages(Controller):
    """/on-behalf: the buyer users an acting user may order for, each with a link to its cart."""

    path = "/on-behalf"
    guards = [acting_users]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest) -> Template:
        customers = await assignments.customers(principal_of(request))
        return Template(template_name="onbehalf/customers.html", context={"customers": customers})


ROUTES: list[ControllerRouterHandler] = [SalesRepApi, CustomerApi, SalesRepPages, CustomerPages]
