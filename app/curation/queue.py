"""The curation queue page as a grid: its columns, filters (status, vendor, category, submission days), sorting,
export, and the bulk approval and suspension of the listings the operator ticks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.curation import choices, listings
from app.curation.schemas import ListingSummary
from app.errors import DomainError
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

ANY_STATUS = "any"
EXPORT_HEADER = ("Submitted (UTC)", "Vendor", "SKU", "Title", "Brand", "GTIN", "MPN", "Category", "Price",
                 "Currency", "Status")
_ORDER = {"submitted": (Listing.submitted_at,), "vendor": (Listing.vendor.name,), "sku": (Listing.sku,),
          "title": (Listing.title,), "brand": (Listing.brand,), "category": (Listing.category.name,),
          "price": (Listing.currency, Listing.base_price), "status": (Listing.status,)}


async def queue_spec() -> GridSpec:
    """The queue's grid, with today's vendors and categories to filter by; pending listings unless told."""
    vendors = tuple((str(i), name) for i, name in await choices.companies_of_kind(CompanyKind.VENDOR))
    categories = tuple((str(i), label) for i, label in await choices.category_choices())
    return GridSpec(
        path="/operator/curation",
        columns=(GridColumn("select", "Select", sortable=False), GridColumn("submitted", "Submitted"),
                 GridColumn("vendor", "Vendor"), GridColumn("sku", "SKU"), GridColumn("title", "Title"),
                 GridColumn("brand", "Brand"), GridColumn("codes", "GTIN / MPN", sortable=False),
                 GridColumn("category", "Category"), GridColumn("price", "Price"), GridColumn("status", "Status")),
        default_sort="submitted", search_label="Title, SKU, brand, MPN or GTIN",
        filters=(GridFilter("status", "Status", ((ANY_STATUS, "any status"),
                                                 *((s.value, s.value) for s in ListingStatus)),
                            default=ListingStatus.PENDING.value),
                 GridFilter("vendor", "Vendor", vendors), GridFilter("category", "Category", categories),
                 GridFilter("submitted_from", "Submitted from", kind="date"),
                 GridFilter("submitted_to", "Submitted to", kind="date")),
        per_page=listings.PER_PAGE, export_name="curation-queue",
    )


async def queue_grid(state: GridState) -> GridPage:
    """The listings the grid's state selects, in its order: the queue's one query and its count."""
    status = state.filter("status")
    found = await listings.list_listings(listings.QueueFilters(
        status=None if status == ANY_STATUS else status,
        vendor_id=int(state.filter("vendor")) if state.filter("vendor") else None,
        category_id=int(state.filter("category")) if state.filter("category") else None,
        text=state.q,
        submitted_from=date.fromisoformat(state.filter("submitted_from")) if state.filter("submitted_from") else None,
        submitted_to=date.fromisoformat(state.filter("submitted_to")) if state.filter("submitted_to") else None,
        page=state.page, per_page=state.limit, sort_by=_ORDER[state.sort], descending=state.descending,
    ))
    return state.page_of(found.items, found.total)


def export_row(item: ListingSummary) -> tuple[object, ...]:
    return (item.submitted_at, item.vendor_name, item.sku, item.title, item.brand, item.gtin, item.mpn,
            item.category_name, item.base_price, item.currency, item.status)


async def approve_many(principal: Principal, listing_ids: list[int]) -> int:
    """Approve every ticked listing, each to its matched product or a new one, all or none: when one cannot be
    approved (already rejected, say), nothing is, and the message names it."""
    return await _all_or_none(listing_ids, lambda listing_id: listings.approve_listing(principal, listing_id),
                              "Nothing was approved.")


async def suspend_many(principal: Principal, listing_ids: list[int]) -> int:
    """Suspend every ticked listing, all or none."""
    return await _all_or_none(listing_ids, lambda listing_id: listings.suspend_listing(principal, listing_id),
                              "Nothing was suspended.")


async def _all_or_none(listing_ids: list[int], move: Callable[[int], Awaitable[object]], nothing: str) -> int:
    async with db.transaction():
        for listing_id in listing_ids:
            try:
                await move(listing_id)
            except DomainError as exc:
                raise type(exc)(f"{await _named(listing_id)}: {exc.message} {nothing}") from None
    return len(listing_ids)


async def _named(listing_id: int) -> str:
    row = await Listing.select(Listing.sku, Listing.vendor.name).where(Listing.id == listing_id).first()
    return f"Listing {row['sku']} of {row['vendor.name']}" if row else f"Listing {listing_id}"
