"""The approver's inbox (the grid of approval requests, waiting for the caller first) and the approve, refuse and
withdraw forms (an order's page links to them). Thin: each form calls one service of `approvals.py` and goes back
with a flash, or shows the inbox again with the reason."""

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
from app.forms import back_to, confirmation, confirmed, errors_by_field, read
from app.orders import approval_grid, approvals
from app.orders.approval_grid import EXPORT_HEADER, approval_spec_for, export_row
from app.orders.approval_schemas import ApprovalDecisionIn

Form = URLEncodedBody[dict[str, str]]


async def _inbox(request: PrincipalRequest, error: DomainError | None = None) -> Template:
    principal = principal_of(request)
    state = (await approval_spec_for(principal)).read(request.query_params)
    page = grids.page_template("orders/approvals.html", await approval_grid.approval_grid(principal, state),
                               errors=errors_by_field(error), max_bulk=grids.MAX_BULK)
    page.status_code = error.status_code if error else 200
    return page


class ApprovalPages(Controller):
    path = "/approvals"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: PrincipalRequest) -> Template:
        return await _inbox(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        principal = principal_of(request)
        return await grids.export_response(partial(approval_grid.approval_grid, principal),
                                           (await approval_spec_for(principal)).read(request.query_params),
                                           request.url.path, EXPORT_HEADER, export_row)

    @post("/bulk", status_code=303)
    async def bulk(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        back = back_to(form, "/approvals")
        try:
            ticked = grids.ticked(form.getall("order_id", []), "orders")
            decision = read({"comment": str(form.get("comment") or "").strip()}, ApprovalDecisionIn)
            if not confirmed(form):  # several orders go to their vendors at once: name them and ask first
                return confirmation(await approval_grid.bulk_confirmation(principal_of(request), ticked,
                                                                          decision.comment, back))
            done = await approvals.approve_many(principal_of(request), ticked, decision)
            flash(request, f"{len(done)} order{'' if len(done) == 1 else 's'} approved.", "success")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return Redirect(path=back, status_code=303)

    @post("/{order_id:int}/approve")
    async def approve(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        return await _decide(request, data, approvals.approve, order_id, "Approved.")

    @post("/{order_id:int}/reject")
    async def reject(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        return await _decide(request, data, approvals.reject, order_id, "Refused: the order is cancelled.")

    @post("/{order_id:int}/withdraw")
    async def withdraw(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        return await _decide(request, data, approvals.withdraw, order_id, "Withdrawn: the order is cancelled.")

    @post("/{order_id:int}/edit")
    async def edit(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        try:
            await approvals.edit(principal_of(request), order_id, ApprovalDecisionIn())
        except DomainError as error:
            return await _inbox(request, error)
        flash(request, "Withdrawn: its lines are in your cart again; change them and check out.", "success")
        return Redirect(path="/cart", status_code=303)


async def _decide(request: PrincipalRequest, data: dict[str, str], service: Any, order_id: int,
                  done: str) -> Response[Any]:
    try:
        await service(principal_of(request), order_id,
                      read({"comment": (data.get("comment") or "").strip()}, ApprovalDecisionIn))
    except DomainError as error:
        return await _inbox(request, error)
    flash(request, done, "success")
    return Redirect(path=back_to(data, "/approvals"), status_code=303)


ROUTES: list[ControllerRouterHandler] = [ApprovalPages]
