"""The comparison's downloads, CSV and XLSX, over the API (bearer token) and from the buyer's comparison page
(session): the same service, so the same 404 for whoever may not see the RFQ and the same sealed 409 before the
close, and the same neutralizing writer (app/spreadsheets.py through `exports`)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from app.auth import Principal, PrincipalRequest, authenticated, principal_of
from app.files import XLSX, bytes_response
from app.offers import exports, services
from app.openapi import MEDIA_TYPES, STATUSES

CSV = "text/csv"  # Litestar adds "; charset=utf-8" to every text/ type of a Response: naming it here doubled it.


async def comparison_csv(principal: Principal, rfq_id: int) -> Response[bytes]:
    data = await services.comparison_out(principal, rfq_id)
    return bytes_response(exports.comparison_csv(data), CSV, f"rfq-{rfq_id}-comparison.csv")


async def comparison_xlsx(principal: Principal, rfq_id: int) -> Response[bytes]:
    data = await services.comparison_out(principal, rfq_id)
    return bytes_response(exports.comparison_xlsx(data), XLSX, f"rfq-{rfq_id}-comparison.xlsx")


class ComparisonExportApi(Controller):
    path = "/api/v1/rfqs"
    tags = ["offers"]
    guards = [authenticated]

    @get("/{rfq_id:int}/comparison.csv", summary="The comparison as CSV (buyer, after the close)",
         opt={MEDIA_TYPES: [CSV], STATUSES: [409]})
    async def comparison_csv(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        return await comparison_csv(principal_of(request), rfq_id)

    @get("/{rfq_id:int}/comparison.xlsx", summary="The comparison as an Excel workbook (buyer, after the close)",
         opt={MEDIA_TYPES: [XLSX], STATUSES: [409]})
    async def comparison_xlsx(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        return await comparison_xlsx(principal_of(request), rfq_id)


class ComparisonExportPages(Controller):
    """The links of the comparison page (templates/offers/comparison.html)."""

    path = "/rfqs"
    guards = [authenticated]
    include_in_schema = False

    @get("/{rfq_id:int}/comparison.csv")
    async def comparison_csv(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        return await comparison_csv(principal_of(request), rfq_id)

    @get("/{rfq_id:int}/comparison.xlsx")
    async def comparison_xlsx(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        return await comparison_xlsx(principal_of(request), rfq_id)


ROUTES: list[ControllerRouterHandler] = [ComparisonExportApi, ComparisonExportPages]
