"""A vendor invoices what it shipped from its order's page: the order's shipments, ticked, its invoice number and
issue date, through the one `issuing.issue` the API calls. Anyone but a vendor's user gets the 404 of a missing page;
an order that is not the vendor's, the 404 of a missing order. Every value typed is kept when it is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Controller, Response, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.accounts.roles import SELLER_ROLES
from app.auth import Principal, PrincipalRequest, pages_only_for, principal_of
from app.clock import utcnow
from app.errors import DomainError, InvalidInput
from app.forms import errors_by_field, read
from app.grids import page_number
from app.invoicing import views
from app.invoicing.issuing import issue
from app.invoicing.schemas import InvoiceIn
from app.orders.views import get_order

_FIELDS = {"number": ("number", "Invoice number"), "issued_on": ("issued_on", "Issued on"),
           "shipment_ids": ("shipment_ids", "Shipments"), "note": ("note", "Note")}


def _order_id(raw: str) -> int:
    try:
        return page_number(raw or "x", "order", 2**31 - 1)
    except InvalidInput:
        raise InvalidInput("order: give the order to invoice (/invoices/new?order=<its number in the link>).") from None


async def _form(principal: Principal, order_id: int, typed: Mapping[str, str], ticked: Sequence[str],
                error: DomainError | None = None) -> Template:
    order = await get_order(principal, order_id)
    errors = errors_by_field(error, "shipment_ids", named=_FIELDS)
    return Template(template_name="invoicing/new.html", status_code=error.status_code if error else 200,
                    context={"order": order, "typed": dict(typed), "ticked": list(ticked), "errors": errors})


class IssuePages(Controller):
    path = "/invoices/new"
    guards = [pages_only_for(*SELLER_ROLES)]
    include_in_schema = False

    @get("/")
    async def new(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        order_id = _order_id(request.query_params.get("order", ""))
        order = await get_order(principal, order_id)
        typed = {"number": "", "issued_on": utcnow().date().isoformat(), "note": ""}
        return await _form(principal, order_id, typed, [str(s.id) for s in order.shipments])

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        order_id = _order_id(str(form.get("order") or ""))
        await get_order(principal, order_id)  # another vendor's order: the 404 of a missing one, first
        typed = {name: str(form.get(name) or "").strip()[:2000] for name in ("number", "issued_on", "note")}
        ticked = [raw for raw in form.getall("shipment_ids", []) if raw.isascii() and raw.isdigit() and len(raw) < 19]
        values: dict[str, Any] = {"number": typed["number"], "shipment_ids": [int(raw) for raw in ticked],
                                  "issued_on": typed["issued_on"] or None, "note": typed["note"]}
        try:
            if not ticked:
                raise InvalidInput("shipment_ids: tick the shipments this invoice bills.")
            invoice = await issue(principal, read(values, InvoiceIn, fields=_FIELDS))
        except DomainError as error:
            return await _form(principal, order_id, typed, ticked, error)
        flash(request, f"Invoice {invoice.invoice.number} is issued, due on {invoice.invoice.due_on}.", "success")
        return Redirect(path=views.invoice_path(invoice.invoice.id), status_code=303)


ROUTES: list[ControllerRouterHandler] = [IssuePages]
