"""Price lists of a segment or a buyer company: creating them, setting their entries, reading them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import Any

from piccolo.query.functions.aggregate import Count

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.tables import Listing, PriceList, PriceListEntry, Segment
from app.clock import utcnow
from app.curation import events, rules
from app.curation.schemas import EntriesIn, EntryIn, EntryOut, PriceListIn, PriceListOut, PriceListSummary
from app.curation.store import INSERT_CHUNK, invalid, locked
from app.errors import InvalidInput, NotFound
from app.money import from_minor, to_minor


def _parse_entries(entries: Iterable[EntryIn]) -> list[rules.EntryValues]:
    try:
        return rules.parse_entries(
            rules.EntryInput(listing_id=e.listing_id, min_qty=e.min_qty, unit_price=e.unit_price) for e in entries
        )
    except rules.RuleViolation as exc:
        raise invalid(exc) from None


async def _check_listings(entries: Sequence[rules.EntryValues], currency: str) -> None:
    ids = sorted({entry.listing_id for entry in entries})
    if not ids:
        return
    rows = await Listing.select(Listing.id, Listing.status, Listing.currency).where(Listing.id.is_in(ids))
    found = {row["id"]: rules.ListingForPrice(id=row["id"], status=row["status"], currency=row["currency"])
             for row in rows}
    try:
        rules.check_entry_listings(entries, found, currency)
    except rules.RuleViolation as exc:
        raise invalid(exc) from None


async def _insert_entries(price_list_id: int, entries: Sequence[rules.EntryValues]) -> None:
    rows = [PriceListEntry(price_list=price_list_id, listing=e.listing_id, min_qty=e.min_qty,
                           unit_price=to_minor(e.unit_price)) for e in entries]
    for start in range(0, len(rows), INSERT_CHUNK):
        await PriceListEntry.insert(*rows[start : start + INSERT_CHUNK])


def _entry_log(entries: Iterable[rules.EntryValues]) -> list[dict[str, Any]]:
    return [{"listing_id": e.listing_id, "min_qty": e.min_qty, "unit_price": str(e.unit_price)} for e in entries]


async def create_price_list(principal: Principal, data: PriceListIn) -> PriceListOut:
    """A price list for one segment or one buyer company, with its entries: all or nothing."""
    try:
        rules.check_owner(data.segment_id, data.company_id)
        rules.check_validity(data.valid_from, data.valid_to)
        currency = rules.check_currency(data.currency)
        name = rules.required_text(data.name, "name", 200)
    except rules.RuleViolation as exc:
        raise invalid(exc) from None
    entries = _parse_entries(data.entries)
    async with db.transaction():
        if data.segment_id is not None and not await Segment.exists().where(Segment.id == data.segment_id):
            raise InvalidInput(f"segment_id {data.segment_id} is not a segment")
        if data.company_id is not None:
            company = await Company.select(Company.kind, Company.name).where(Company.id == data.company_id).first()
            if company is None:
                raise InvalidInput(f"company_id {data.company_id} is not a company")
            if company["kind"] != CompanyKind.BUYER:
                raise InvalidInput(
                    f"{company['name']} is a {company['kind']} company; price lists are for buyer companies"
                )
        await _check_listings(entries, currency)
        price_list = PriceList(
            name=name, segment=data.segment_id, company=data.company_id, currency=currency,
            valid_from=data.valid_from.astimezone(UTC) if data.valid_from else None,
            valid_to=data.valid_to.astimezone(UTC) if data.valid_to else None, created_at=utcnow(),
        )
        await price_list.save()
        await _insert_entries(price_list.id, entries)
        await events.record(events.event(principal, "price_list.created", {
            "price_list_id": price_list.id, "name": name, "segment_id": data.segment_id,
            "company_id": data.company_id, "currency": currency, "valid_from": data.valid_from,
            "valid_to": data.valid_to, "entries": _entry_log(entries),
        }))
    return await get_price_list(price_list.id)


async def set_entries(principal: Principal, price_list_id: int, data: EntriesIn) -> PriceListOut:
    """Add entries to a price list, each replacing the entry of the same (listing, min_qty);
    with `replace_all` the given entries become the whole list. All or nothing."""
    entries = _parse_entries(data.entries)
    async with db.transaction():
        price_list = await locked(
            PriceList.select(PriceList.id, PriceList.currency).where(PriceList.id == price_list_id)
        ).first()
        if price_list is None:
            raise NotFound("No such price list.")
        await _check_listings(entries, price_list["currency"])
        existing = await PriceListEntry.select(
            PriceListEntry.id, PriceListEntry.listing, PriceListEntry.min_qty, PriceListEntry.unit_price
        ).where(PriceListEntry.price_list == price_list_id)
        keys = {entry.key for entry in entries}
        old = {(row["listing"], row["min_qty"]): row for row in existing}
        doomed = [row["id"] for key, row in old.items() if data.replace_all or key in keys]
        if doomed:
            await PriceListEntry.delete().where(PriceListEntry.id.is_in(doomed))
        await _insert_entries(price_list_id, entries)
        before = {f"{k[0]}:{k[1]}": str(from_minor(row["unit_price"])) for k, row in old.items()
                  if data.replace_all or k in keys}
        after = {f"{e.listing_id}:{e.min_qty}": str(e.unit_price) for e in entries}
        for key in before:
            after.setdefault(key, None)  # type: ignore[arg-type]
        await events.record(events.event(principal, "price_list.entries_set", {
            "price_list_id": price_list_id, "replace_all": data.replace_all,
            "changes": rules.changes(before, after),
        }))
    return await get_price_list(price_list_id)


LIST_COLUMNS = (
    PriceList.id, PriceList.name, PriceList.segment, PriceList.segment.name, PriceList.company,
    PriceList.company.name, PriceList.currency, PriceList.valid_from, PriceList.valid_to, PriceList.created_at,
)


def list_summary(row: Mapping[str, Any], counts: Mapping[int, int]) -> PriceListSummary:
    return PriceListSummary(
        id=row["id"], name=row["name"], segment_id=row["segment"], segment_name=row["segment.name"],
        company_id=row["company"], company_name=row["company.name"], currency=row["currency"],
        valid_from=row["valid_from"], valid_to=row["valid_to"], entry_count=counts.get(row["id"], 0),
        created_at=row["created_at"],
    )


async def entry_counts(ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await PriceListEntry.select(PriceListEntry.price_list, Count()).where(
        PriceListEntry.price_list.is_in(list(ids))
    ).group_by(PriceListEntry.price_list)
    return {row["price_list"]: row["count"] for row in rows}


async def list_price_lists(segment_id: int | None = None, company_id: int | None = None) -> list[PriceListSummary]:
    """Every price list (optionally of one segment or company) with its entry count: two queries."""
    query = PriceList.select(*LIST_COLUMNS).order_by(PriceList.name, PriceList.id)
    if segment_id is not None:
        query = query.where(PriceList.segment == segment_id)
    if company_id is not None:
        query = query.where(PriceList.company == company_id)
    rows = await query
    counts = await entry_counts([row["id"] for row in rows])
    return [list_summary(row, counts) for row in rows]


async def price_list_summary(price_list_id: int) -> PriceListSummary:
    """One price list with its number of prices, without them (its page's grid reads them a page at a time)."""
    row = await PriceList.select(*LIST_COLUMNS).where(PriceList.id == price_list_id).first()
    if row is None:
        raise NotFound("No such price list.")
    return list_summary(row, await entry_counts([price_list_id]))


async def get_price_list(price_list_id: int) -> PriceListOut:
    row = await PriceList.select(*LIST_COLUMNS).where(PriceList.id == price_list_id).first()
    if row is None:
        raise NotFound("No such price list.")
    entries = await PriceListEntry.select(
        PriceListEntry.id, PriceListEntry.listing, PriceListEntry.listing.sku, PriceListEntry.listing.title,
        PriceListEntry.listing.vendor.name, PriceListEntry.min_qty, PriceListEntry.unit_price,
    ).where(PriceListEntry.price_list == price_list_id).order_by(PriceListEntry.listing, PriceListEntry.min_qty)
    return PriceListOut(
        price_list=list_summary(row, {price_list_id: len(entries)}),
        entries=[
            EntryOut(id=e["id"], listing_id=e["listing"], listing_sku=e["listing.sku"],
                     listing_title=e["listing.title"], vendor_name=e["listing.vendor.name"], min_qty=e["min_qty"],
                     unit_price=from_minor(e["unit_price"]))  # type: ignore[arg-type]
            for e in entries
        ],
    )
