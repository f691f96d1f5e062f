"""Purchase order downloads: one order as a PDF and the order list as XLSX, over the API and from the buyer's and
the vendor's pages. Whoever may not see an order gets the 404 of a missing one (`views.get_order`); the export holds
what `views.list_orders` gives the caller. The documents are rendered off the event loop: fpdf2 and openpyxl are
seconds of CPU for a long order or list, which would stall every other request meanwhile."""

from __future__ import annotations

from datetime import date
from functools import partial

from anyio import to_thread
from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import Principal, PrincipalRequest, authenticated, principal_of
from app.files import XLSX, bytes_response
from app.openapi import MEDIA_TYPES
from app.orders import documents, views
from app.orders.order_schemas import OrderSort, OrderSummaryOut
from app.orders.states import OrderStatus

PDF = "application/pdf"


async def order_pdf(principal: Principal, order_id: int) -> Response[bytes]:
    order = await views.get_order(principal, order_id)
    content = await to_thread.run_sync(documents.order_pdf, order, principal.place)
    return bytes_response(content, PDF, f"{order.number}.pdf")


async def orders_xlsx(
    principal: Principal, *, status: OrderStatus | None = None, vendor_id: int | None = None,
    buyer_id: int | None = None, po_number: str | None = None, placed_from: date | None = None,
    placed_to: date | None = None,
) -> Response[bytes]:
    """Every order the caller may see that the filters match, newest first, up to `MAX_EXPORT_ROWS`.

    Read through `views.list_orders` a page at a time, so the export can never show more, or other, orders than the
    list does. An order placed while the pages are read pushes the newest-first list down by one: the order seen
    twice at a page boundary is written once.
    """
    filters = {"status": status, "vendor_id": vendor_id, "buyer_id": buyer_id, "po_number": po_number,
               "placed_from": placed_from, "placed_to": placed_to}
    orders: dict[int, OrderSummaryOut] = {}
    page_number, total = 1, 0
    while len(orders) < documents.MAX_EXPORT_ROWS:
        page = await views.list_orders(principal, **filters, sort=OrderSort.NEWEST, page=page_number,
                                       per_page=views.MAX_PER_PAGE)
        total = max(total, page.total)
        for order in page.items:
            orders.setdefault(order.id, order)
        if len(page.items) < page.per_page:
            break
        page_number += 1
    rows = list(orders.values())[: documents.MAX_EXPORT_ROWS]
    content = await to_thread.run_sync(documents.orders_xlsx, rows, max(total, len(rows)), principal.time_zone)
    return bytes_response(content, XLSX, "orders.xlsx")


class OrderDocumentApi(Controller):
    path = "/api/v1/orders"
    tags = ["orders"]
    guards = [authenticated]

    @get("/export.xlsx", opt={MEDIA_TYPES: [XLSX]},
         summary="The purchase orders you may see as an Excel workbook, one row per order, with the list's filters; "
                 "at most 10,000 (the first row says when more matched)")
    async def export(
        self, request: PrincipalRequest, status: FromQuery[OrderStatus | None] = None,
        vendor_id: FromQuery[int | None] = None, buyer_id: FromQuery[int | None] = None,
        po_number: FromQuery[str | None] = None, placed_from: FromQuery[date | None] = None,
        placed_to: FromQuery[date | None] = None,
    ) -> Response[bytes]:
        return await orders_xlsx(principal_of(request), status=status, vendor_id=vendor_id, buyer_id=buyer_id,
                                 po_number=po_number, placed_from=placed_from, placed_to=placed_to)

    @get("/{order_id:int}/document.pdf", opt={MEDIA_TYPES: [PDF]},
         summary="The purchase order as a PDF: parties, addresses, dates, lines with their price basis, totals")
    async def pdf(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[bytes]:
        return await order_pdf(principal_of(request), order_id)


class _OrderDocumentPages(Controller):
    guards = [authenticated]
    include_in_schema = False

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        # The list page's selection, as its grid reads the query (a form's empty fields filter nothing).
        principal = principal_of(request)
        state = (await views.order_spec_for(principal, self.path)).read(request.query_params)
        return await grids.export_response(partial(views.order_grid, principal), state, request.url.path,
                                           documents.EXPORT_HEADINGS, documents.export_row,
                                           zone=principal_of(request).time_zone)

    @get("/{order_id:int}/document.pdf")
    async def pdf(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[bytes]:
        return await order_pdf(principal_of(request), order_id)


class BuyerOrderDocumentPages(_OrderDocumentPages):
    path = "/orders"


class VendorOrderDocumentPages(_OrderDocumentPages):
    path = "/vendor/orders"


class OperatorOrderDocumentPages(_OrderDocumentPages):
    path = "/operator/orders"


ROUTES: list[ControllerRouterHandler] = [OrderDocumentApi, BuyerOrderDocumentPages, VendorOrderDocumentPages,
                                          OperatorOrderDocumentPages]
