"""A buyer company's payment terms and credit over HTTP. Thin: each handler calls one service."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, operators_only, principal_of
from app.billing import company_credit
from app.billing.schemas import CreditIn, CreditOut, PaymentTermsIn, PaymentTermsOut


class CompanyBillingApi(Controller):
    path = "/api/v1/companies"
    tags = ["billing"]
    guards = [authenticated]

    @put("/{company_id:int}/payment-terms", guards=[operators_only], status_code=200,
         summary="Set a buyer company's payment terms, or one vendor relationship's (operators)")
    async def set_payment_terms(self, request: PrincipalRequest, company_id: FromPath[int],
                                data: JSONBody[PaymentTermsIn]) -> PaymentTermsOut:
        return await company_credit.set_payment_terms(principal_of(request), company_id, data)

    @put("/{company_id:int}/credit", guards=[operators_only], status_code=200,
         summary="Set a buyer company's credit limit (0: prepaid only) and whether it may exceed it (operators)")
    async def set_credit(self, request: PrincipalRequest, company_id: FromPath[int],
                         data: JSONBody[CreditIn]) -> CreditOut:
        return await company_credit.set_credit(principal_of(request), company_id, data)

    @get("/{company_id:int}/credit",
         summary="A buyer company's credit limit, exposure, available credit and overdue invoices (operators and "
                 "the company's admins)")
    async def get_credit(self, request: PrincipalRequest, company_id: FromPath[int]) -> CreditOut:
        return await company_credit.credit_of(principal_of(request), company_id)


ROUTES: list[ControllerRouterHandler] = [CompanyBillingApi]
