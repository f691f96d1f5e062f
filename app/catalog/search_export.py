"""The catalog search's current selection as a file: every product it finds (every page, up to the grids' export
limit), one row each with the buyer's best offer as the search priced it (the one resolver), through the grids'
one neutralizing export."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Response

from app import grids
from app.auth import Principal
from app.catalog.schemas import CatalogProductOut
from app.catalog.search import Filters
from app.catalog.search_results import MAX_PER_PAGE, search_products
from app.grids import GridPage, GridSpec, GridState
from app.spreadsheets import Cell

CATALOG_EXPORT = GridSpec(path="/catalog", columns=(), default_sort="relevance", export_name="catalog",
                          sheet_title="Catalog")
EXPORT_HEADER = ("Product", "Brand", "MPN", "GTIN", "Your best price", "Currency", "Vendor", "SKU",
                 "Why this price", "Offers", "In stock")


def export_row(product: CatalogProductOut) -> Sequence[Cell]:
    """A product and its first offer: the search lists them cheapest first in the buyer's currency."""
    best = product.offers[0] if product.offers else None
    return (
        product.name, product.brand, product.mpn, product.gtin,
        best.unit_price if best else None, best.currency if best else "", best.vendor if best else "",
        best.sku if best else "", best.price_reason if best else "", len(product.offers),
        sum(offer.stock for offer in product.offers),
    )


async def export_response(principal: Principal, text: str, filters: Filters, path: str) -> Response[bytes]:
    """The answer to /catalog/export.csv or .xlsx with the search page's query."""

    async def fetch(state: GridState) -> GridPage:
        # The grids read a page of `state.limit` products; the search gives at most MAX_PER_PAGE at once.
        per_call = min(state.limit, MAX_PER_PAGE)
        first = state.offset // per_call + 1
        items: list[CatalogProductOut] = []
        total = 0
        for page in range(first, first + -(-state.limit // per_call)):
            result = await search_products(principal, text, filters, page, per_call)
            items.extend(result.items)
            total = result.total
            if page * per_call >= total:
                break
        return state.page_of(items[:state.limit], total)

    return await grids.export_response(fetch, GridState(CATALOG_EXPORT, "relevance", False), path, EXPORT_HEADER,
                                       export_row)
