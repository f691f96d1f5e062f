"""One order's lines as a grid on each party's page of it: sorted by any column shown, searched by SKU or item,
filtered by what is left to ship or receive, paged in SQL; the selection exported through the grids' writer."""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw

from app import grids
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.orders.order_schemas import OrderLineOut
from app.orders.tables import OrderLine
from app.orders.views import LINE_COLUMNS, line_out

TO_SHIP, TO_RECEIVE, COMPLETE = "to_ship", "to_receive", "complete"
_PROGRESS = {TO_SHIP: "shipped_qty < quantity", TO_RECEIVE: "received_qty < shipped_qty",
             COMPLETE: "received_qty >= quantity"}
_ORDER = {"position": (OrderLine.position,), "item": (OrderLine.name,), "quantity": (OrderLine.quantity,),
          "price": (OrderLine.unit_price,), "net": (OrderLine.net,), "tax": (OrderLine.tax,),
          "gross": (OrderLine.gross,), "shipped": (OrderLine.shipped_qty,), "received": (OrderLine.received_qty,)}
EXPORT_HEADER = ("Line", "SKU", "Item", "Quantity", "Unit", "Unit price", "Currency", "Price from", "Tax rate (%)",
                 "Net", "Tax", "Gross", "Shipped", "Received")


def line_spec(path: str, order_id: int) -> GridSpec:
    """The grid of an order's lines on the page at `path` (the buyer's, the vendor's or the operators')."""
    return GridSpec(
        path=path,
        columns=(GridColumn("position", "#"), GridColumn("item", "Item"), GridColumn("quantity", "Quantity"),
                 GridColumn("price", "Unit price and why"), GridColumn("net", "Net"), GridColumn("tax", "Tax"),
                 GridColumn("gross", "Gross"), GridColumn("shipped", "Shipped"), GridColumn("received", "Received")),
        default_sort="position", search_label="SKU or item",
        filters=(GridFilter("progress", "Progress", ((TO_SHIP, "left to ship"), (TO_RECEIVE, "shipped, not received"),
                                                     (COMPLETE, "all received"))),),
        per_page=50, export_name=f"order-{order_id}-lines", sheet_title="Lines",
    )


async def line_grid(order_id: int, state: GridState) -> GridPage:
    """The lines of an order the caller may see (its page checked it) as the grid's state selects them."""
    mine = OrderLine.order == order_id
    columns = [getattr(OrderLine, name) for name in LINE_COLUMNS]
    query, count = OrderLine.select(*columns).where(mine), OrderLine.count().where(mine)
    conditions: list[Any] = [grids.search((OrderLine.sku, OrderLine.name), state.q)]
    if state.filter("progress"):
        conditions.append(WhereRaw(_PROGRESS[state.filter("progress")]))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, OrderLine.id), state)
    return state.page_of([line_out(row) for row in rows], await count)


def export_row(line: OrderLineOut) -> tuple[object, ...]:
    return (line.position, line.sku, line.name, line.quantity, line.unit, line.unit_price, line.currency,
            line.price_reason or str(line.price_source).replace("_", " "), line.tax_rate, line.net, line.tax,
            line.gross, line.shipped, line.received)


async def page_of_lines(order_id: int, path: str, query: Any) -> GridPage:
    """The grid of the lines on the page at `path`, as its URL's `query` asks."""
    return await line_grid(order_id, line_spec(path, order_id).read(query or {}))


async def export(order_id: int, path: str, query: Any, file_path: str) -> Any:
    """`<order page>/export.csv|xlsx`: the lines the page's grid selects (the caller's access checked before)."""
    return await grids.export_response(lambda state: line_grid(order_id, state), line_spec(path, order_id).read(query),
                                       file_path, EXPORT_HEADER, export_row)
