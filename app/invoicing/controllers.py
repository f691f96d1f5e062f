"""Invoices over HTTP: the list and one invoice for every side that may see it, the vendor's issue and credit note,
payments (vendor or operator), the PDF. Thin: each handler calls one service."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import ControllerRouterHandler

from app.accounts.roles import SELLER_ROLES, Role
from app.auth import PrincipalRequest, authenticated, principal_of, requires_roles, sellers_only
from app.billing.invoice_states import InvoiceStatus
from app.invoicing import downloads, issuing, payments, views
from app.invoicing.schemas import InvoiceCancelIn, InvoiceIn, InvoiceOut, InvoicePage, PaymentIn
from app.openapi import MEDIA_TYPES, STATUSES

payment_recorders = requires_roles(Role.OPERATOR, *SELLER_ROLES)


class InvoiceApi(Controller):
    path = "/api/v1/invoices"
    tags = ["invoices"]
    guards = [authenticated]

    @get("/", summary="The invoices you may see: your company's payables, your vendor company's receivables (with "
                      "ageing), or all for operators; oldest due first")
    async def list_invoices(self, request: PrincipalRequest, status: FromQuery[InvoiceStatus | None] = None,
                            open_only: FromQuery[bool] = False, page: FromQuery[int] = 1,
                            per_page: FromQuery[int] = 20) -> InvoicePage:
        return await views.list_invoices(principal_of(request), status=status, open_only=open_only, page=page,
                                         per_page=per_page)

    @post("/", guards=[sellers_only], status_code=201, opt={STATUSES: [409]},
          summary="The vendor invoices what it shipped: whole shipments, or order lines and quantities")
    async def issue(self, request: PrincipalRequest, data: JSONBody[InvoiceIn]) -> InvoiceOut:
        return await issuing.issue(principal_of(request), data)

    @get("/{invoice_id:int}", summary="One invoice with its lines and payments")
    async def get_invoice(self, request: PrincipalRequest, invoice_id: FromPath[int]) -> InvoiceOut:
        return await views.get_invoice(principal_of(request), invoice_id)

    @post("/{invoice_id:int}/payments", guards=[payment_recorders], status_code=201, opt={STATUSES: [409]},
          summary="Record a payment (the vendor or an operator); partial payments add up, never past what is open")
    async def pay(self, request: PrincipalRequest, invoice_id: FromPath[int], data: JSONBody[PaymentIn]) -> InvoiceOut:
        return await payments.record_payment(principal_of(request), invoice_id, data)

    @post("/{invoice_id:int}/cancel", guards=[sellers_only], status_code=200, opt={STATUSES: [409]},
          summary="The vendor cancels an unpaid invoice with a credit note; its units may be invoiced again")
    async def cancel(self, request: PrincipalRequest, invoice_id: FromPath[int],
                     data: JSONBody[InvoiceCancelIn]) -> InvoiceOut:
        return await payments.cancel(principal_of(request), invoice_id, data.reason)

    @get("/{invoice_id:int}/document.pdf", opt={MEDIA_TYPES: [downloads.PDF]},
         summary="The invoice as a PDF: parties, dates and terms, lines, tax, totals and payments")
    async def pdf(self, request: PrincipalRequest, invoice_id: FromPath[int]) -> Response[bytes]:
        return await downloads.invoice_pdf(principal_of(request), invoice_id)


ROUTES: list[ControllerRouterHandler] = [InvoiceApi]
