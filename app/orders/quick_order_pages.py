"""The quick order page: paste lines copied from a spreadsheet or upload a CSV/XLSX, see what became of each line.

The added and ambiguous lines go to the cart (the API's `quick_order` service); the refused ones come back in the
text box to correct and send again, and as a CSV to download. Nothing the buyer typed is lost: input refused as a
whole (empty, too long) comes back in the box as it was typed, with the reason and a 400.

The refused lines' CSV is made from the rows the page shows, which the page posts back (`refused`): ordering them
again to write the file would add the good lines to the cart a second time.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyers_only, principal_of
from app.errors import DomainError, InvalidInput
from app.files import MultipartBody, bytes_response, read_upload
from app.forms import errors_by_field, max_lengths
from app.forms import read as read_form
from app.orders.quick_order import RefusedRow, quick_order_file, quick_order_text, refused_csv, refused_rows
from app.orders.quick_order_input import MAX_FILE_BYTES, MAX_LINES, MB
from app.orders.quick_order_schemas import LineStatus, QuickOrderIn, QuickOrderOut

Form = URLEncodedBody[dict[str, str]]
# The multipart envelope around a file at the limit: the form's other fields and the part headers.
_ENVELOPE = 64 * 1024
_REFUSED_ROWS = msgspec.json.Decoder(Annotated[list[tuple[str, str, int, str, str, str]],
                                               msgspec.Meta(max_length=MAX_LINES)])


class QuickOrderPages(Controller):
    path = "/cart/quick-order"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def show(self) -> Template:
        return _page()

    @post("/", status_code=200)
    async def from_text(self, request: PrincipalRequest, data: Form) -> Template:
        text = data.get("text", "")
        try:
            result = await quick_order_text(principal_of(request), read_form(
                {"text": text}, QuickOrderIn, fields={"text": ("text", "Articles and quantities")}).text)
        except DomainError as exc:
            return _page(text=text, error=exc, field="text")
        return _page(result=result)

    @post("/file", status_code=200, request_max_body_size=MAX_FILE_BYTES + _ENVELOPE)
    async def from_file(self, request: PrincipalRequest, data: MultipartBody) -> Template:
        try:
            content = await read_upload(data.file, MAX_FILE_BYTES)
            result = await quick_order_file(principal_of(request), data.file.filename, content)
        except DomainError as exc:
            return _page(error=exc, filename=data.file.filename, field="file")
        return _page(result=result, filename=data.file.filename)

    @post("/refused.csv", status_code=200)
    async def refused(self, data: Form) -> Response[bytes]:
        """The refused lines the page showed, as a CSV to correct and upload again."""
        try:
            rows = _REFUSED_ROWS.decode(data.get("refused", ""))
        except msgspec.DecodeError:
            raise InvalidInput("The refused lines could not be read: order again to see them.") from None
        return bytes_response(refused_csv(rows), "text/csv; charset=utf-8", "refused-lines.csv")


def _page(*, result: QuickOrderOut | None = None, text: str = "", error: DomainError | None = None,
          filename: str = "", field: str = "form") -> Template:
    """The page; after a refusal of the whole input, the reason beside `field` (the box or the file)."""
    context: dict[str, Any] = {
        "result": result, "errors": errors_by_field(error, field), "filename": filename,
        "max_chars": max_lengths(QuickOrderIn)["text"],
        "max_lines": MAX_LINES, "max_megabytes": MAX_FILE_BYTES // MB, "statuses": LineStatus,
    }
    if result is not None:
        rows = refused_rows(result)
        context.update(refused=rows, refused_json=msgspec.json.encode(rows).decode(), text=_to_correct(rows))
    else:
        context.update(refused=[], refused_json="", text=text)
    return Template(template_name="orders/quick_order.html", context=context,
                    status_code=error.status_code if error else 200)


def _to_correct(rows: list[RefusedRow]) -> str:
    """The refused lines back in the box as they were typed, an article and its quantity a line."""
    return "\n".join(f"{article}\t{quantity}".rstrip() for article, quantity, *_ in rows)


ROUTES: list[ControllerRouterHandler] = [QuickOrderPages]
