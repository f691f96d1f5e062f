"""The operators' price lists page as a grid: every price list by name, whom it is for, currency, validity and
number of prices; and one price list's page, its prices as a grid. Both sorted, searched, filtered and paged in SQL,
and exported."""

from __future__ import annotations

from dataclasses import replace

from piccolo.querystring import QueryString

from app import grids
from app.catalog.tables import PriceList, PriceListEntry
from app.curation import choices
from app.curation.price_lists import LIST_COLUMNS, entry_counts, list_summary
from app.curation.schemas import EntryOut, PriceListSummary
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor

FOR_SEGMENT, FOR_COMPANY = "segment", "company"
EXPORT_HEADER = ("Name", "For", "Segment or company", "Currency", "Valid from (UTC)", "Valid until (UTC)", "Prices",
                 "Created (UTC)")
# Sorting by the number of prices: counted per list in the statement that pages them.
_PRICE_COUNT = QueryString(
    "(SELECT COUNT(*) FROM price_list_entry WHERE price_list_entry.price_list = price_list.id)"
)
_ORDER = {"name": (PriceList.name,), "for": (PriceList.segment.name, PriceList.company.name),
          "currency": (PriceList.currency,), "valid": (PriceList.valid_from, PriceList.valid_to),
          "prices": (_PRICE_COUNT,), "created": (PriceList.created_at,)}


async def price_list_spec() -> GridSpec:
    """The grid, with today's segments to filter by."""
    segments = tuple((str(i), name) for i, name in await choices.segment_choices())
    return GridSpec(
        path="/operator/curation/price-lists",
        columns=(GridColumn("name", "Name"), GridColumn("for", "For"), GridColumn("currency", "Currency"),
                 GridColumn("valid", "Valid"), GridColumn("prices", "Prices"), GridColumn("created", "Created")),
        default_sort="name", search_label="Name, segment or company",
        filters=(GridFilter("for", "For", ((FOR_SEGMENT, "a segment"), (FOR_COMPANY, "one buyer company"))),
                 GridFilter("segment", "Segment", segments),
                 GridFilter("currency", "Currency", kind="text")),
        per_page=50, export_name="price-lists",
    )


async def price_list_grid(state: GridState) -> GridPage:
    """The price lists the grid's state selects, in its order, with their numbers of prices: three queries."""
    query, count = PriceList.select(*LIST_COLUMNS), PriceList.count()
    conditions = [grids.search((PriceList.name, PriceList.segment.name, PriceList.company.name), state.q)]
    if state.filter("for") == FOR_SEGMENT:
        conditions.append(PriceList.segment.is_not_null())
    elif state.filter("for") == FOR_COMPANY:
        conditions.append(PriceList.company.is_not_null())
    if state.filter("segment"):
        conditions.append(PriceList.segment == int(state.filter("segment")))
    if state.filter("currency"):
        conditions.append(PriceList.currency == state.filter("currency").upper())
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, PriceList.id), state)
    counts = await entry_counts([row["id"] for row in rows])
    return state.page_of([list_summary(row, counts) for row in rows], await count)


def export_row(price_list: PriceListSummary) -> tuple[object, ...]:
    kind, whom = ((FOR_SEGMENT, price_list.segment_name) if price_list.segment_id
                  else (FOR_COMPANY, price_list.company_name))
    return (price_list.name, kind, whom, price_list.currency, price_list.valid_from, price_list.valid_to,
            price_list.entry_count, price_list.created_at)


# --- One price list's prices ---------------------------------------------------------------------

ENTRY_EXPORT_HEADER = ("Listing #", "SKU", "Title", "Vendor", "From quantity", "Unit price", "Currency")
ENTRY_GRID = GridSpec(
    path="/operator/curation/price-lists",  # and the list's id: entry_spec
    columns=(GridColumn("sku", "Listing"), GridColumn("vendor", "Vendor"), GridColumn("min_qty", "From quantity"),
             GridColumn("price", "Unit price")),
    default_sort="sku", search_label="SKU, title or vendor", per_page=50, export_name="price-list",
)
_ENTRY_ORDER = {"sku": (PriceListEntry.listing.sku, PriceListEntry.min_qty),
                "vendor": (PriceListEntry.listing.vendor.name,), "min_qty": (PriceListEntry.min_qty,),
                "price": (PriceListEntry.unit_price,)}


def entry_spec(price_list_id: int) -> GridSpec:
    return replace(ENTRY_GRID, path=f"/operator/curation/price-lists/{price_list_id}",
                   export_name=f"price-list-{price_list_id}", sheet_title="Prices")


async def entry_grid(price_list_id: int, state: GridState) -> GridPage:
    """The prices of one price list as the grid's state selects and orders them."""
    mine = PriceListEntry.price_list == price_list_id
    query = PriceListEntry.select(
        PriceListEntry.id, PriceListEntry.listing, PriceListEntry.listing.sku, PriceListEntry.listing.title,
        PriceListEntry.listing.vendor.name, PriceListEntry.min_qty, PriceListEntry.unit_price,
    ).where(mine)
    count = PriceListEntry.count().where(mine)
    text = grids.search((PriceListEntry.listing.sku, PriceListEntry.listing.title,
                         PriceListEntry.listing.vendor.name), state.q)
    query, count = grids.narrowed(query, count, [text])
    rows = await grids.paged(grids.ordered(query, state, _ENTRY_ORDER, PriceListEntry.id), state)
    return state.page_of([
        EntryOut(id=e["id"], listing_id=e["listing"], listing_sku=e["listing.sku"], listing_title=e["listing.title"],
                 vendor_name=e["listing.vendor.name"], min_qty=e["min_qty"],
                 unit_price=from_minor(e["unit_price"]))  # type: ignore[arg-type]
        for e in rows
    ], await count)


def entry_export_row(currency: str, entry: EntryOut) -> tuple[object, ...]:
    return (entry.listing_id, entry.listing_sku, entry.listing_title, entry.vendor_name, entry.min_qty,
            entry.unit_price, currency)
