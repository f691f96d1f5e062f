"""One requisition list's lines as a grid: sorted, searched, filtered by availability and paged in SQL over the same
statement (and visibility rule) as `requisition_lists.list_lines`; exported as the selection, CSV or the workbook
that imports back. Text of a product or offer the buyer may no longer see is neither shown, searched nor sorted by."""

from __future__ import annotations

from typing import Any

from app import grids
from app.auth import Principal
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.orders.requisition_lists import line_out, lines_sql, list_head
from app.orders.tables import RequisitionListLine

AVAILABLE, UNAVAILABLE = "available", "unavailable"
# A product's or offer's text counts only while the buyer may see it (`visible`); the note is the buyer's own.
_SEEN = "CASE WHEN line.visible = 1 THEN LOWER({}) END"
_ORDER = {
    "product": _SEEN.format("line.product_name"), "offer": _SEEN.format("line.vendor_name"),
    "quantity": "line.quantity", "note": "LOWER(line.note)", "added": "line.added_at",
}
_SEARCHED = ("line.product_name", "line.sku", "line.vendor_name", "line.gtin", "line.mpn")


def line_spec(list_id: int, can_change: bool) -> GridSpec:
    columns = (GridColumn("choose", "Choose", sortable=False), GridColumn("product", "Product"),
               GridColumn("offer", "Offer"), GridColumn("quantity", "Quantity"), GridColumn("note", "Note"),
               GridColumn("added", "Added"))
    return GridSpec(
        path=f"/requisition-lists/{list_id}",
        columns=columns + ((GridColumn("remove", "Remove", sortable=False),) if can_change else ()),
        default_sort="added", search_label="Product, SKU, GTIN, vendor or note",
        filters=(GridFilter("availability", "Can be ordered", ((AVAILABLE, "yes"), (UNAVAILABLE, "no, no longer"))),),
        per_page=50, export_name=f"requisition-list-{list_id}", sheet_title="Lines",
    )


def _where(state: GridState) -> tuple[str, list[Any]]:
    clauses, args = ["1 = 1"], []
    for word in state.q.split():
        pattern = f"%{word.replace('%', '').lower()}%"
        seen = " OR ".join(f"LOWER(COALESCE({column}, '')) LIKE {{}}" for column in _SEARCHED)
        clauses.append(f"(LOWER(line.note) LIKE {{}} OR (line.visible = 1 AND ({seen})))")
        args += [pattern] * (1 + len(_SEARCHED))
    if state.filter("availability"):
        clauses.append(f"line.visible = {1 if state.filter('availability') == AVAILABLE else 0}")
    return " AND ".join(clauses), args


async def line_grid(principal: Principal, list_id: int, state: GridState) -> GridPage:
    """The list's lines (404 for a list the caller may not see) as the grid's state selects them: one statement
    for the page, one for the count."""
    await list_head(principal, list_id)
    statement, args = lines_sql(principal)
    where, where_args = _where(state)
    direction = "DESC" if state.descending else "ASC"
    sort = _ORDER[state.sort]
    # Only whitelisted SQL is put together here (the sort's expression by its key, the search's fixed clauses):
    # every value the user typed is a bound argument.
    selected = f"SELECT * FROM ({statement}) AS line WHERE {where}"  # noqa: S608
    rows = await RequisitionListLine.raw(
        f"{selected} ORDER BY ({sort}) IS NULL, {sort} {direction}, line.id {direction} LIMIT {{}} OFFSET {{}}",
        *args, list_id, *where_args, state.limit, state.offset)
    counted = await RequisitionListLine.raw(f"SELECT COUNT(*) AS n FROM ({selected}) AS chosen",  # noqa: S608
                                            *args, list_id, *where_args)
    return state.page_of([line_out(row) for row in rows], counted[0]["n"])


async def selected_lines(principal: Principal, list_id: int, state: GridState) -> list[Any]:
    """Every line of the selection (up to the grids' export limit), in the grid's order."""
    items, _ = await grids.every_page(lambda wide: line_grid(principal, list_id, wide), state)
    return items
