"""One contract's lines as a grid on its page: sorted by any column shown, searched, filtered by whether a listing is
linked, paged in SQL; the selection exported to CSV or XLSX through the grids' writer."""

from __future__ import annotations

from typing import Any

from piccolo.querystring import QueryString

from app import grids
from app.contracts.schemas import ContractLineOut
from app.contracts.tables import ContractLine
from app.contracts.views import LINE_COLUMNS, line_outs
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

LINKED, WAITING = "linked", "waiting"
EXPORT_HEADER = ("Line", "Item", "Unit", "Listing SKU", "Listing", "Unit price", "Currency", "Min order",
                 "Max order", "Committed", "Ordered", "Remaining")
# What is left of a committed quantity (none committed: no limit, sorted last).
_REMAINING = QueryString("contract_line.committed_qty - contract_line.consumed_qty")
_ORDER = {"position": (ContractLine.position,), "item": (ContractLine.description,),
          "listing": (ContractLine.listing.sku,), "price": (ContractLine.unit_price,),
          "ordered": (ContractLine.consumed_qty,), "remaining": (_REMAINING,)}


def line_spec(contract_id: int) -> GridSpec:
    return GridSpec(
        path=f"/contracts/{contract_id}",
        columns=(GridColumn("position", "#"), GridColumn("item", "Item"), GridColumn("listing", "Listing"),
                 GridColumn("price", "Unit price"), GridColumn("tiers", "Tiers", sortable=False),
                 GridColumn("quantities", "Quantities", sortable=False), GridColumn("ordered", "Ordered"),
                 GridColumn("remaining", "Remaining")),
        default_sort="position", search_label="Item, unit or listing SKU",
        filters=(GridFilter("listing", "Listing", ((LINKED, "linked"), (WAITING, "waiting for the vendor"))),),
        per_page=50, export_name=f"contract-{contract_id}-lines", sheet_title="Lines",
    )


async def line_grid(contract_id: int, state: GridState) -> GridPage:
    """The lines of a contract the caller may see (the page checked it) as the grid's state selects them."""
    mine = ContractLine.contract == contract_id
    query, count = ContractLine.select(*LINE_COLUMNS).where(mine), ContractLine.count().where(mine)
    conditions: list[Any] = [grids.search((ContractLine.description, ContractLine.unit, ContractLine.listing.sku),
                                          state.q)]
    if state.filter("listing"):
        conditions.append(ContractLine.listing.is_not_null() if state.filter("listing") == LINKED
                          else ContractLine.listing.is_null())
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, ContractLine.id), state)
    return state.page_of(await line_outs(rows), await count)


def export_row(currency: str, line: ContractLineOut) -> tuple[object, ...]:
    return (line.position, line.description, line.unit, line.listing_sku or "", line.listing_title or "",
            line.unit_price, currency, line.min_order_qty, line.max_order_qty, line.committed_qty, line.ordered_qty,
            line.remaining_qty)
