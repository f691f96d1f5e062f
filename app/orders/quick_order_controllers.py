"""Quick order over HTTP: pasted lines as JSON, or a CSV/XLSX upload, into the cart. Buyers only.

Two operations, not one with two media types: Litestar reads and documents one request body per handler, and
one path and method are one handler; a handler that read either body itself would leave the OpenAPI document
describing neither truthfully. So the text is `POST /api/v1/cart/quick-order` (JSON) and the file
`POST /api/v1/cart/quick-order/file` (multipart, the field `file`, as every upload of the API); both answer the
same `QuickOrderOut`.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from app.auth import PrincipalRequest, buyers_only, principal_of
from app.files import MultipartBody, read_upload
from app.orders.quick_order import quick_order_file, quick_order_text
from app.orders.quick_order_input import MAX_FILE_BYTES, MAX_LINES
from app.orders.quick_order_schemas import QuickOrderIn, QuickOrderOut


class QuickOrderApi(Controller):
    path = "/api/v1/cart/quick-order"
    tags = ["cart"]
    guards = [buyers_only]

    @post("/", status_code=200,
          summary=f"Add pasted lines (article and quantity; up to {MAX_LINES:,}) to your cart; each line says "
                  "whether it was added, which offer among several was chosen, or why it was refused")
    async def from_text(self, request: PrincipalRequest, data: JSONBody[QuickOrderIn]) -> QuickOrderOut:
        return await quick_order_text(principal_of(request), data.text)

    @post("/file", status_code=200,
          summary=f"Add the first two columns (article, quantity) of a CSV or XLSX file of up to {MAX_LINES:,} "
                  f"rows and {MAX_FILE_BYTES // (1024 * 1024)} MB to your cart, as the pasted lines")
    async def from_file(self, request: PrincipalRequest, data: MultipartBody) -> QuickOrderOut:
        content = await read_upload(data.file, MAX_FILE_BYTES)
        return await quick_order_file(principal_of(request), data.file.filename, content)
