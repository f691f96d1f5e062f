"""A vendor's own listings: create, edit, submit and withdraw, each in one unit of work.

A vendor only ever reaches listings of its own company: every query is narrowed to
`vendor = principal.company_id`, so another vendor's listing is simply not found (404).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app import db, grids
from app.auth import Principal
from app.catalog.states import ListingStatus, ListingTransitionError, status_after_edit
from app.catalog.tables import Category, Listing, ListingTier
from app.clock import utcnow
from app.errors import Conflict, DomainError, FieldErrors, InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor, to_minor
from app.vendors.listing_rules import (
    SUBMIT,
    TAX_RATE_QUANTUM,
    WITHDRAW,
    ListingInvalid,
    ListingValues,
    Tier,
    VendorAction,
    check_listing,
    curated_facts_changed,
    vendor_move,
)
from app.vendors.schemas import ListingOut, ListingPage, ListingTierOut

MAX_PAGE_SIZE = 200

_COLUMNS = (
    Listing.id, Listing.sku, Listing.title, Listing.brand, Listing.mpn, Listing.gtin, Listing.category,
    Listing.product, Listing.description, Listing.unit, Listing.pack_size, Listing.min_order_qty, Listing.stock,
    Listing.lead_time_days, Listing.base_price, Listing.currency, Listing.tax_rate, Listing.status,
    Listing.rejection_reason, Listing.created_at, Listing.updated_at, Listing.submitted_at,
)  # fmt: skip


def _tax_rate(stored: Any) -> Decimal | None:
    # SQLite keeps a Numeric as a float and gives it back as Decimal("7.0"): two decimals, as PostgreSQL's.
    return None if stored is None else Decimal(str(stored)).quantize(TAX_RATE_QUANTUM)


def _out(row: Mapping[str, Any], tiers: Iterable[ListingTierOut]) -> ListingOut:
    return ListingOut(
        id=row["id"],
        sku=row["sku"],
        title=row["title"],
        brand=row["brand"],
        mpn=row["mpn"],
        gtin=row["gtin"],
        category_id=row["category"],
        product_id=row["product"],
        description=row["description"],
        unit=row["unit"],
        pack_size=row["pack_size"],
        min_order_qty=row["min_order_qty"],
        stock=row["stock"],
        lead_time_days=row["lead_time_days"],
        base_price=from_minor(row["base_price"]),  # type: ignore[arg-type]
        currency=row["currency"],
        tax_rate=_tax_rate(row["tax_rate"]),
        tiers=list(tiers),
        status=row["status"],
        rejection_reason=row["rejection_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
    )


# The listing form's words for each field the rules name (the API's errors keep the field names).
FIELD_LABELS = {
    "sku": "SKU", "title": "Title", "brand": "Brand", "mpn": "Manufacturer part number", "gtin": "GTIN",
    "category_id": "Category", "description": "Description", "unit": "Unit", "pack_size": "Pack size",
    "min_order_qty": "Minimum order quantity", "stock": "Stock", "lead_time_days": "Lead time",
    "base_price": "Base unit price", "currency": "Currency", "tax_rate": "Tax rate", "tiers": "Volume prices",
}


def _check(raw: Mapping[str, Any]) -> ListingValues:
    """The checked listing, or every wrong field at once: `fields` in the form's words, the message for the API."""
    try:
        return check_listing(raw)
    except ListingInvalid as exc:
        fields = {error.column or "form": _in_words(error.column, error.reason) for error in exc.errors}
        raise FieldErrors(f"Please fix: {exc}", fields) from None


def _in_words(column: str, reason: str) -> str:
    # "must be greater than 0" reads after the field's name; a reason that starts with the value stands alone.
    return f"{FIELD_LABELS.get(column, 'This listing')} {reason}" if reason[:1].islower() else reason


def row_values(values: ListingValues) -> dict[str, Any]:
    """The listing columns a vendor sets, as stored (money in minor units)."""
    return {
        "sku": values.sku,
        "title": values.title,
        "brand": values.brand,
        "mpn": values.mpn,
        "gtin": values.gtin,
        "category": values.category_id,
        "description": values.description,
        "unit": values.unit,
        "pack_size": values.pack_size,
        "min_order_qty": values.min_order_qty,
        "stock": values.stock,
        "lead_time_days": values.lead_time_days,
        "base_price": to_minor(values.base_price),
        "currency": values.currency,
        "tax_rate": values.tax_rate,
    }


async def _tiers_of(listing_ids: Iterable[int]) -> dict[int, list[ListingTierOut]]:
    ids = sorted(set(listing_ids))
    tiers: dict[int, list[ListingTierOut]] = defaultdict(list)
    if ids:
        rows = await ListingTier.select(ListingTier.listing, ListingTier.min_qty, ListingTier.unit_price).where(
            ListingTier.listing.is_in(ids)
        ).order_by(ListingTier.min_qty)
        for row in rows:
            tiers[row["listing"]].append(
                ListingTierOut(min_qty=row["min_qty"], unit_price=from_minor(row["unit_price"]))
            )  # type: ignore[arg-type]
    return tiers


async def _own_row(principal: Principal, listing_id: int) -> dict[str, Any]:
    row = await Listing.select(*_COLUMNS).where(
        (Listing.id == listing_id) & (Listing.vendor == principal.company_id)
    ).first()
    if row is None:
        raise NotFound("No such listing.")
    return row


async def _check_references(principal: Principal, values: ListingValues, listing_id: int | None) -> None:
    if values.category_id is not None and not await Category.exists().where(Category.id == values.category_id):
        raise InvalidInput(f"Please fix: category_id: there is no category {values.category_id}")
    same_sku = (Listing.vendor == principal.company_id) & (Listing.sku == values.sku)
    if listing_id is not None:
        same_sku &= Listing.id != listing_id
    if await Listing.exists().where(same_sku):
        raise Conflict(f"You already have a listing with SKU {values.sku!r}; SKUs are unique per vendor.")


async def replace_tiers(listing_ids: Iterable[int], tiers_by_listing: Mapping[int, Iterable[Tier]]) -> None:
    """The listings' tiers become exactly the given ones (two queries, whatever the number of listings)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return
    await ListingTier.delete().where(ListingTier.listing.is_in(ids))
    rows = [
        ListingTier(listing=listing_id, min_qty=tier.min_qty, unit_price=to_minor(tier.unit_price))
        for listing_id in ids
        for tier in tiers_by_listing.get(listing_id, ())
    ]
    for start in range(0, len(rows), 5_000):  # under the bound-parameter limits of both databases
        await ListingTier.insert(*rows[start : start + 5_000])


async def get_listing(principal: Principal, listing_id: int) -> ListingOut:
    """One listing of the caller's company (another vendor's is 404)."""
    row = await _own_row(principal, listing_id)
    return _out(row, (await _tiers_of([listing_id]))[listing_id])


async def list_listings(
    principal: Principal, status: str | None = None, limit: int = 50, offset: int = 0
) -> ListingPage:
    """The caller's company's listings, newest first, optionally of one status (three queries)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise InvalidInput("offset must be 0 or more")
    where = Listing.vendor == principal.company_id
    if status:
        try:
            where &= Listing.status == ListingStatus(status).value
        except ValueError:
            raise InvalidInput(f"status must be one of {', '.join(ListingStatus)}") from None
    total = await Listing.count().where(where)
    rows = await Listing.select(*_COLUMNS).where(where).order_by(Listing.id, ascending=False).limit(limit).offset(
        offset
    )
    tiers = await _tiers_of(row["id"] for row in rows)
    return ListingPage(
        items=[_out(row, tiers[row["id"]]) for row in rows], total=total, limit=limit, offset=offset
    )


async def create_listing(principal: Principal, raw: Mapping[str, Any]) -> ListingOut:
    """A new draft listing of the caller's company."""
    values = _check(raw)
    now = utcnow()
    async with db.transaction():
        await _check_references(principal, values, None)
        inserted = await Listing.insert(
            Listing(
                vendor=principal.company_id,
                status=ListingStatus.DRAFT.value,
                created_at=now,
                updated_at=now,
                **row_values(values),
            )
        ).returning(Listing.id)
        listing_id = inserted[0]["id"]
        await replace_tiers([listing_id], {listing_id: values.tiers})
    return await get_listing(principal, listing_id)


def _raw_of(row: Mapping[str, Any], tiers: Iterable[ListingTierOut]) -> dict[str, Any]:
    return {
        **{name: row[name] for name in ("sku", "title", "brand", "mpn", "gtin", "description", "unit", "currency")},
        **{name: row[name] for name in ("pack_size", "min_order_qty", "stock", "lead_time_days")},
        "category_id": row["category"],
        "base_price": from_minor(row["base_price"]),
        "tax_rate": _tax_rate(row["tax_rate"]),
        "tiers": [(tier.min_qty, tier.unit_price) for tier in tiers],
    }


async def update_listing(principal: Principal, listing_id: int, changes: Mapping[str, Any]) -> ListingOut:
    """Change some fields; an approved listing whose product facts change goes back to curation."""
    async with db.transaction():
        row = await _own_row(principal, listing_id)
        tiers = (await _tiers_of([listing_id]))[listing_id]
        values = _check({**_raw_of(row, tiers), **changes})
        await _check_references(principal, values, listing_id)
        current = ListingStatus(row["status"])
        status = status_after_edit(current, curated_facts_changed(row, values))
        now = utcnow()
        update: dict[Any, Any] = {**row_values(values), "status": status.value, "updated_at": now}
        if status is not current:
            update["submitted_at"] = now
        # Only if no one (curation) changed the status since we read it.
        changed = await Listing.update(update).where(
            (Listing.id == listing_id) & (Listing.status == current.value)
        ).returning(Listing.id)
        if not changed:
            raise Conflict("The listing changed while you edited it; reload and try again.")
        if "tiers" in changes:
            await replace_tiers([listing_id], {listing_id: values.tiers})
    return await get_listing(principal, listing_id)


async def _move(principal: Principal, listing_id: int, action: VendorAction) -> ListingOut:
    async with db.transaction():
        row = await _own_row(principal, listing_id)
        current = ListingStatus(row["status"])
        try:
            target = vendor_move(current, action)
        except ListingTransitionError as exc:
            raise Conflict(f"You {exc}.") from None
        now = utcnow()
        update: dict[Any, Any] = {"status": target.value, "updated_at": now}
        if target is ListingStatus.PENDING:
            update["submitted_at"] = now
        changed = await Listing.update(update).where(
            (Listing.id == listing_id) & (Listing.status == current.value)
        ).returning(Listing.id)
        if not changed:
            raise Conflict("The listing's status changed meanwhile; reload and try again.")
    return await get_listing(principal, listing_id)


async def submit_listing(principal: Principal, listing_id: int) -> ListingOut:
    """Send a draft (or a rejected listing, fixed) to curation."""
    return await _move(principal, listing_id, SUBMIT)


async def withdraw_listing(principal: Principal, listing_id: int) -> ListingOut:
    """Take a pending or approved listing back to draft (out of the catalog)."""
    return await _move(principal, listing_id, WITHDRAW)


LISTING_GRID = GridSpec(
    path="/vendor/listings",
    columns=(GridColumn("select", "Select", sortable=False), GridColumn("sku", "SKU"), GridColumn("title", "Title"),
             GridColumn("price", "Price"), GridColumn("stock", "Stock"), GridColumn("status", "Status"),
             GridColumn("updated", "Changed")),
    default_sort="updated", default_descending=True, search_label="SKU, title, brand, MPN or GTIN",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in ListingStatus)),),
    per_page=50, export_name="listings",
)
_LISTING_ORDER = {"sku": (Listing.sku,), "title": (Listing.title,), "price": (Listing.currency, Listing.base_price),
                  "stock": (Listing.stock,), "status": (Listing.status,), "updated": (Listing.updated_at,)}


async def listing_grid(principal: Principal, state: GridState) -> GridPage:
    """The vendor's listings page: its company's listings as the grid's state selects and orders them."""
    where = Listing.vendor == principal.company_id
    text = grids.search((Listing.sku, Listing.title, Listing.brand, Listing.mpn, Listing.gtin), state.q)
    if text is not None:
        where &= text
    if state.filter("status"):
        where &= Listing.status == state.filter("status")
    rows = await grids.paged(grids.ordered(Listing.select(*_COLUMNS).where(where), state, _LISTING_ORDER,
                                           Listing.id), state)
    tiers = await _tiers_of(row["id"] for row in rows)
    return state.page_of([_out(row, tiers[row["id"]]) for row in rows], await Listing.count().where(where))


async def move_listings(principal: Principal, listing_ids: list[int], action: VendorAction) -> int:
    """Submit or withdraw every ticked listing of the caller's company, all or none; the message names the one that
    could not move."""
    async with db.transaction():
        for listing_id in listing_ids:
            try:
                await _move(principal, listing_id, action)
            except DomainError as exc:
                row = await Listing.select(Listing.sku).where(
                    (Listing.id == listing_id) & (Listing.vendor == principal.company_id)).first()
                name = f"Listing {row['sku']}" if row else "A ticked listing"
                raise type(exc)(f"{name}: {exc.message} None of the ticked listings changed.") from None
    return len(listing_ids)
