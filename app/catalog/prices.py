"""Loads price candidates for many listings at once and resolves them: a page or a cart costs
a fixed number of queries, however many lines it has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from app.catalog.pricing import Buyer, PriceEntry, PriceSource, ResolvedPrice, resolve_price
from app.catalog.tables import Listing, ListingTier, PriceListEntry, SegmentMember
from app.clock import utcnow
from app.contracts.tables import ContractPrice
from app.money import from_minor


async def buyer_of(company_id: int) -> Buyer:
    """The pricing identity of a buyer company: itself and its segment."""
    row = await SegmentMember.select(SegmentMember.segment).where(SegmentMember.company == company_id).first()
    return Buyer(company_id=company_id, segment_id=row["segment"] if row else None)


async def load_candidates(
    listing_ids: Iterable[int], buyer: Buyer, at: datetime
) -> tuple[dict[int, PriceEntry], dict[int, list[PriceEntry]]]:
    """The base price and every other candidate entry of each listing, in four queries.

    Only rows that could apply to this buyer at `at` are read: another company's contract
    never leaves the database.
    """
    ids = sorted(set(listing_ids))
    bases: dict[int, PriceEntry] = {}
    candidates: dict[int, list[PriceEntry]] = defaultdict(list)
    if not ids:
        return bases, candidates
    # Plain SQL: these run on every catalog page with a hundred listing ids, and building them through the
    # ORM (one bound value at a time) cost more than the database took to answer.
    in_ids = ", ".join(["{}"] * len(ids))
    for row in await Listing.raw(
        f"SELECT id, base_price, currency FROM listing WHERE id IN ({in_ids})", *ids  # noqa: S608
    ):
        bases[row["id"]] = PriceEntry(
            source=PriceSource.BASE_PRICE, unit_price=from_minor(row["base_price"]), currency=row["currency"]
        )
    for row in await ListingTier.raw(
        "SELECT t.id AS id, t.listing AS listing, t.min_qty AS min_qty, t.unit_price AS unit_price,"  # noqa: S608
        f" l.currency AS currency FROM listing_tier t JOIN listing l ON l.id = t.listing WHERE t.listing IN ({in_ids})",
        *ids,
    ):
        candidates[row["listing"]].append(
            PriceEntry(
                source=PriceSource.VOLUME_TIER,
                unit_price=from_minor(row["unit_price"]),
                currency=row["currency"],
                min_qty=row["min_qty"],
                entry_id=row["id"],
            )
        )
    owners, owner_args = "p.company = {}", [buyer.company_id]
    if buyer.segment_id is not None:
        owners, owner_args = "(p.company = {} OR p.segment = {})", [buyer.company_id, buyer.segment_id]
    for row in await PriceListEntry.raw(
        "SELECT e.id AS id, e.listing AS listing, e.min_qty AS min_qty, e.unit_price AS unit_price,"  # noqa: S608
        " p.name AS name, p.company AS company, p.segment AS segment, p.currency AS currency,"
        " p.valid_from AS valid_from, p.valid_to AS valid_to"
        f" FROM price_list_entry e JOIN price_list p ON p.id = e.price_list WHERE e.listing IN ({in_ids}) AND {owners}",
        *ids, *owner_args,
    ):
        for_company = row["company"] is not None
        candidates[row["listing"]].append(
            PriceEntry(
                source=PriceSource.COMPANY_PRICE_LIST if for_company else PriceSource.SEGMENT_PRICE_LIST,
                unit_price=from_minor(row["unit_price"]),
                currency=row["currency"],
                min_qty=row["min_qty"],
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                company_id=row["company"],
                segment_id=row["segment"],
                reference=row["name"],
                entry_id=row["id"],
            )
        )
    for row in await ContractPrice.raw(
        "SELECT id, listing, min_qty, unit_price, currency, valid_from, valid_to, reference"  # noqa: S608
        f" FROM contract_price WHERE listing IN ({in_ids}) AND company = {{}} AND terminated_at IS NULL",
        *ids, buyer.company_id,
    ):
        candidates[row["listing"]].append(
            PriceEntry(
                source=PriceSource.CONTRACT,
                unit_price=from_minor(row["unit_price"]),
                currency=row["currency"],
                min_qty=row["min_qty"],
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                company_id=buyer.company_id,
                reference=row["reference"],
                entry_id=row["id"],
            )
        )
    return bases, candidates


async def resolve_prices(
    quantities: Mapping[int, int], buyer: Buyer, at: datetime | None = None
) -> dict[int, ResolvedPrice]:
    """The resolved unit price of each listing id in `quantities` (listing id -> quantity)."""
    at = at or utcnow()
    bases, candidates = await load_candidates(quantities.keys(), buyer, at)
    return {
        listing_id: resolve_price(
            buyer=buyer, base=bases[listing_id], entries=candidates.get(listing_id, ()), quantity=quantity, at=at
        )
        for listing_id, quantity in quantities.items()
        if listing_id in bases
    }
