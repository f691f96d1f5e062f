"""Invoice pages: the list (payables, receivables with ageing, or all), one invoice with its PDF and the payment
form (vendor, operator), and a buyer company's credit page. Thin: each handler calls one service."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.accounts.roles import BUYER_ROLES, SELLER_ROLES, CompanyKind, Role
from app.auth import Principal, PrincipalRequest, principal_of, requires_roles
from app.billing import company_credit, overdue_grid
from app.errors import DomainError
from app.forms import amount, errors_by_field, read
from app.invoicing import documents, downloads, payments, views
from app.invoicing.access import InvoiceHead, party_of
from app.invoicing.grid import INVOICE_GRID, ageing_summary, invoice_grid
from app.invoicing.issue_pages import ROUTES as ISSUE_PAGES
from app.invoicing.schemas import PaymentIn

invoice_readers = requires_roles(Role.OPERATOR, *BUYER_ROLES, *SELLER_ROLES)
_PAYMENT_FIELDS = {"amount": ("amount", "Amount"), "paid_on": ("paid_on", "Paid on"),
                   "reference": ("reference", "Reference")}


def _title(principal: Principal) -> str:
    if principal.is_operator:
        return "All invoices"
    return "Receivables" if principal.company_kind is CompanyKind.VENDOR else "Payables"


async def _detail(principal: Principal, invoice_id: int, errors: Mapping[str, str] | None = None,
                  typed: Mapping[str, str] | None = None) -> Template:
    invoice = await views.get_invoice(principal, invoice_id)
    head = invoice.invoice
    party = party_of(principal, InvoiceHead(head.id, head.number, head.vendor_id, head.buyer_id, head.status,
                                            head.currency, 0, 0))
    return Template(template_name="invoicing/detail.html", context={
        "invoice": invoice, "may_record": party is not None and head.open_amount > 0,
        "errors": dict(errors or {}), "typed": dict(typed or {})})


class InvoicePages(Controller):
    path = "/invoices"
    guards = [invoice_readers]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        page = await invoice_grid(principal, INVOICE_GRID.read(request.query_params))
        return grids.page_template("invoicing/list.html", page, title=_title(principal),
                                   ageing=await ageing_summary(principal))

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(partial(invoice_grid, principal_of(request)),
                                           INVOICE_GRID.read(request.query_params), request.url.path,
                                           documents.EXPORT_HEADINGS, documents.export_row,
                                           zone=principal_of(request).time_zone)

    @get("/{invoice_id:int}")
    async def show(self, request: PrincipalRequest, invoice_id: FromPath[int]) -> Template:
        return await _detail(principal_of(request), invoice_id)

    @get("/{invoice_id:int}/document.pdf")
    async def pdf(self, request: PrincipalRequest, invoice_id: FromPath[int]) -> Response[bytes]:
        return await downloads.invoice_pdf(principal_of(request), invoice_id)

    @post("/{invoice_id:int}/payments", status_code=303)
    async def pay(self, request: PrincipalRequest, invoice_id: FromPath[int],
                  data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        values = {key: data[key].strip() for key in ("amount", "paid_on", "reference") if data.get(key, "").strip()}
        try:
            if "amount" in values:  # typed as its reader writes amounts ("1.234,50" in German)
                values["amount"] = amount(values["amount"], principal.locale, "amount", "Amount")
            await payments.record_payment(principal, invoice_id, read(values, PaymentIn, fields=_PAYMENT_FIELDS))
        except DomainError as exc:
            return await _detail(principal, invoice_id, errors_by_field(exc, "amount", conflicts=True), data)
        flash(request, "The payment is recorded.", "success")
        return Redirect(path=views.invoice_path(invoice_id), status_code=303)


class CreditPages(Controller):
    path = "/companies"
    include_in_schema = False

    @get("/{company_id:int}/credit")
    async def credit(self, request: PrincipalRequest, company_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        credit = await company_credit.credit_of(principal, company_id, overdue=False)
        state = (await overdue_grid.overdue_spec_for(principal, company_id)).read(request.query_params)
        return grids.page_template("invoicing/credit.html", await overdue_grid.overdue_grid(principal, company_id,
                                                                                            state), credit=credit)

    @get(["/{company_id:int}/credit/export.csv", "/{company_id:int}/credit/export.xlsx"])
    async def export_overdue(self, request: PrincipalRequest, company_id: FromPath[int]) -> Response[bytes]:
        """The overdue invoices the credit page's grid selects, every page of them, in the reader's time zone."""
        principal = principal_of(request)
        state = (await overdue_grid.overdue_spec_for(principal, company_id)).read(request.query_params)
        return await grids.export_response(partial(overdue_grid.overdue_grid, principal, company_id), state,
                                           request.url.path, overdue_grid.EXPORT_HEADER, overdue_grid.export_row,
                                           zone=principal.time_zone)


ROUTES: list[ControllerRouterHandler] = [InvoicePages, CreditPages, *ISSUE_PAGES]
