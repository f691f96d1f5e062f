"""Requisition lists over HTTP: a buyer's named lists of products and quantities, to the cart and back, and as
spreadsheets. Buyers only; thin: each handler calls one service."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyers_only, principal_of
from app.files import XLSX, MultipartBody, bytes_response, read_upload
from app.openapi import MEDIA_TYPES, STATUSES
from app.orders import requisition_lists as lists
from app.orders import requisition_sheets as sheets
from app.orders.requisition_schemas import (
    RequisitionFromCartIn,
    RequisitionLineIn,
    RequisitionListIn,
    RequisitionListOut,
    RequisitionListPatch,
    RequisitionListSummaryOut,
    RequisitionToCartIn,
    RequisitionToCartOut,
)

# Room for the multipart envelope around the largest file an import reads.
MAX_IMPORT_BODY = sheets.MAX_IMPORT_BYTES + 64 * 1024


class RequisitionListApi(Controller):
    path = "/api/v1/requisition-lists"
    tags = ["requisition lists"]
    guards = [buyers_only]

    @get("/", summary="Your requisition lists and your company's shared ones, with their line counts")
    async def list_lists(self, request: PrincipalRequest) -> list[RequisitionListSummaryOut]:
        return await lists.list_lists(principal_of(request))

    @post("/", status_code=201, opt={STATUSES: [404]},
          summary="Make a list: its name, whether colleagues may use it, and its first lines")
    async def create_list(self, request: PrincipalRequest, data: JSONBody[RequisitionListIn]) -> RequisitionListOut:
        return await lists.create_list(principal_of(request), data)

    @post("/from-cart", status_code=201, summary="Make a list of your cart's lines")
    async def from_cart(self, request: PrincipalRequest, data: JSONBody[RequisitionFromCartIn]) -> RequisitionListOut:
        return await lists.from_cart(principal_of(request), data)

    @get("/{list_id:int}", summary="A list with its lines: what each names, and whether you can still order it")
    async def get_list(self, request: PrincipalRequest, list_id: FromPath[int]) -> RequisitionListOut:
        return await lists.get_list(principal_of(request), list_id)

    @patch("/{list_id:int}", summary="Rename, share or unshare a list, or replace its lines (owner or company admin)")
    async def update_list(
        self, request: PrincipalRequest, list_id: FromPath[int], data: JSONBody[RequisitionListPatch]
    ) -> RequisitionListOut:
        return await lists.update_list(principal_of(request), list_id, data)

    @delete("/{list_id:int}", status_code=204, summary="Delete a list (owner or company admin)")
    async def delete_list(self, request: PrincipalRequest, list_id: FromPath[int]) -> None:
        await lists.delete_list(principal_of(request), list_id)

    @post("/{list_id:int}/lines", status_code=201,
          summary="Add a product or a listing; one already in the list gets the quantity added")
    async def add_line(
        self, request: PrincipalRequest, list_id: FromPath[int], data: JSONBody[RequisitionLineIn]
    ) -> RequisitionListOut:
        return await lists.add_line(principal_of(request), list_id, data)

    @delete("/{list_id:int}/lines/{line_id:int}", status_code=204, summary="Take a line out of a list")
    async def remove_line(self, request: PrincipalRequest, list_id: FromPath[int], line_id: FromPath[int]) -> None:
        await lists.remove_line(principal_of(request), list_id, line_id)

    @post("/{list_id:int}/to-cart", status_code=200,
          summary="Put the whole list (no body), or the chosen lines, in your cart in one step; says what could not "
                  "go in")
    async def to_cart(
        self, request: PrincipalRequest, list_id: FromPath[int], data: JSONBody[RequisitionToCartIn | None] = None
    ) -> RequisitionToCartOut:
        return await lists.to_cart(principal_of(request), list_id, data or RequisitionToCartIn())

    @get("/{list_id:int}/export.xlsx", summary="A list as an Excel workbook that imports back",
         opt={MEDIA_TYPES: [XLSX]})
    async def export_xlsx(self, request: PrincipalRequest, list_id: FromPath[int]) -> Response[bytes]:
        content = await sheets.export_xlsx(principal_of(request), list_id)
        return bytes_response(content, XLSX, f"requisition-list-{list_id}.xlsx")

    @post("/{list_id:int}/import", status_code=200, request_max_body_size=MAX_IMPORT_BODY,
          summary="Add the rows of an XLSX (multipart field 'file'; columns article: SKU, GTIN or MPN, quantity, "
                  "note): all or nothing, a 400 lists every row to fix")
    async def import_xlsx(self, request: PrincipalRequest, list_id: FromPath[int],
                          data: MultipartBody) -> RequisitionListOut:
        content = await read_upload(data.file, sheets.MAX_IMPORT_BYTES)
        return await sheets.import_xlsx(principal_of(request), list_id, data.file.filename, content)


ROUTES: list[ControllerRouterHandler] = [RequisitionListApi]
