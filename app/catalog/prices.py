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
    for row in await Listing.select(Listing.id, Listing.base_price, Listing.currency).where(Listing.id.is_in(ids)):
        bases[row["id"]] = PriceEntry(
            source=PriceSource.BASE_PRICE, unit_price=from_minor(row["base_price"]), currency=row["currency"]
        )
    for row in await ListingTier.select(
        ListingTier.id, ListingTier.listing, ListingTier.min_qty, ListingTier.unit_price, ListingTier.listing.currency
    ).where(ListingTier.listing.is_in(ids)):
        candidates[row["listing"]].append(
            PriceEntry(
                source=PriceSource.VOLUME_TIER,
                unit_price=from_minor(row["unit_price"]),
                currency=row["listing.currency"],
                min_qty=row["min_qty"],
                entry_id=row["id"],
            )
        )
    owner = PriceListEntry.price_list.company == buyer.company_id
    if buyer.segment_id is not None:
        owner = owner | (PriceListEntry.price_list.segment == buyer.segment_id)
    for row in await PriceListEntry.select(
        PriceListEntry.id,
        PriceListEntry.listing,
        PriceListEntry.min_qty,
        PriceListEntry.unit_price,
        PriceListEntry.price_list.name,
        PriceListEntry.price_list.company,
        PriceListEntry.price_list.segment,
        PriceListEntry.price_list.currency,
        PriceListEntry.price_list.valid_from,
        PriceListEntry.price_list.valid_to,
    ).where(PriceListEntry.listing.is_in(ids) & owner):
        for_company = row["price_list.company"] is not None
        candidates[row["listing"]].append(
            PriceEntry(
                source=PriceSource.COMPANY_PRICE_LIST if for_company else PriceSource.SEGMENT_PRICE_LIST,
                unit_price=from_minor(row["unit_price"]),
                currency=row["price_list.currency"],
                min_qty=row["min_qty"],
                valid_from=row["price_list.valid_from"],
                valid_to=row["price_list.valid_to"],
                company_id=row["price_list.company"],
                segment_id=row["price_list.segment"],
                reference=row["price_list.name"],
                entry_id=row["id"],
            )
        )
    for row in await ContractPrice.select(
        ContractPrice.id,
        ContractPrice.listing,
        ContractPrice.min_qty,
        ContractPrice.unit_price,
        ContractPrice.currency,
        ContractPrice.valid_from,
        ContractPrice.valid_to,
        ContractPrice.reference,
    ).where(
        ContractPrice.listing.is_in(ids)
        & (ContractPrice.company == buyer.company_id)
        & ContractPrice.terminated_at.is_null()
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
