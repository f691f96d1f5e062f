"""Loads price candidates for many listings at once and resolves them: a page or a cart costs
a fixed number of queries, however many lines it has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from app.catalog.pricing import Buyer, PricedPart, PriceEntry, PriceSource, ResolvedPrice, resolve_parts, resolve_price
from app.catalog.tables import Listing, SegmentMember
from app.clock import utcnow
from app.db import in_ids
from app.money import from_minor


async def buyer_of(company_id: int) -> Buyer:
    """The pricing identity of a buyer company: itself and its segment."""
    row = await SegmentMember.select(SegmentMember.segment).where(SegmentMember.company == company_id).first()
    return Buyer(company_id=company_id, segment_id=row["segment"] if row else None)


# One statement for every source (a page pays one round trip, not four). The price-list branch comes first: SQLite
# converts a compound select's columns by the declared types of its first branch, and that one has them all.
_CANDIDATES = """
SELECT 'list' AS kind, e.listing AS listing, e.id AS id, e.min_qty AS min_qty, e.unit_price AS unit_price,
       p.currency AS currency, p.valid_from AS valid_from, p.valid_to AS valid_to, p.company AS company,
       p.segment AS segment, p.name AS reference, NULL AS contract_line, NULL AS committed, 0 AS consumed
FROM price_list_entry e JOIN price_list p ON p.id = e.price_list WHERE {entries} AND {owners}
UNION ALL
SELECT 'contract', cp.listing, cp.id, cp.min_qty, cp.unit_price, cp.currency, cp.valid_from, cp.valid_to,
       cp.company, NULL, cp.reference, cp.contract_line, cl.committed_qty, COALESCE(cl.consumed_qty, 0)
FROM contract_price cp LEFT JOIN contract_line cl ON cl.id = cp.contract_line
WHERE {contracts} AND cp.company = {{}} AND cp.terminated_at IS NULL
UNION ALL
SELECT 'tier', t.listing, t.id, t.min_qty, t.unit_price, l.currency, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0
FROM listing_tier t JOIN listing l ON l.id = t.listing WHERE {tiers}
UNION ALL
SELECT 'base', id, NULL, 1, base_price, currency, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0
FROM listing WHERE {bases}
"""

_SOURCES = {"contract": PriceSource.CONTRACT, "tier": PriceSource.VOLUME_TIER}


async def load_candidates(
    listing_ids: Iterable[int], buyer: Buyer, at: datetime
) -> tuple[dict[int, PriceEntry], dict[int, list[PriceEntry]]]:
    """The base price and every other candidate entry of each listing, in one query.

    Only rows that could apply to this buyer at `at` are read: another company's contract
    never leaves the database.
    """
    ids = sorted(set(listing_ids))
    bases: dict[int, PriceEntry] = {}
    candidates: dict[int, list[PriceEntry]] = defaultdict(list)
    if not ids:
        return bases, candidates
    # Plain SQL with the ids as one value: this runs on every catalog page with a hundred listing ids, and
    # building it through the ORM (one bound value at a time) cost more than the database took to answer.
    owners, owner_args = "p.company = {}", [buyer.company_id]
    if buyer.segment_id is not None:
        owners, owner_args = "(p.company = {} OR p.segment = {})", [buyer.company_id, buyer.segment_id]
    (entries, ids_arg), (contracts, _), (tiers, _), (bases_of, _) = (
        in_ids(column, ids) for column in ("e.listing", "cp.listing", "t.listing", "id")
    )
    sql = _CANDIDATES.format(entries=entries, owners=owners, contracts=contracts, tiers=tiers, bases=bases_of)
    for row in await Listing.raw(sql, ids_arg, *owner_args, ids_arg, buyer.company_id, ids_arg, ids_arg):
        kind = row["kind"]
        if kind == "base":
            bases[row["listing"]] = PriceEntry(
                source=PriceSource.BASE_PRICE, unit_price=from_minor(row["unit_price"]), currency=row["currency"]
            )
            continue
        if kind == "list":
            source = PriceSource.COMPANY_PRICE_LIST if row["company"] is not None else PriceSource.SEGMENT_PRICE_LIST
        else:
            source = _SOURCES[kind]
        candidates[row["listing"]].append(
            PriceEntry(
                source=source,
                unit_price=from_minor(row["unit_price"]),
                currency=row["currency"],
                min_qty=row["min_qty"],
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                company_id=row["company"],
                segment_id=row["segment"],
                reference=row["reference"] or "",
                entry_id=row["id"],
                contract_line_id=row["contract_line"],
                committed=row["committed"],
                consumed=row["consumed"] or 0,
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


async def resolve_line_prices(
    quantities: Mapping[int, int], buyer: Buyer, at: datetime | None = None
) -> dict[int, tuple[PricedPart, ...]]:
    """Each listing's line (listing id -> quantity) priced in parts: what its contract line still covers at the
    contract price, the rest at the next source (`pricing.resolve_parts`). The cart and the checkout price with this.
    """
    at = at or utcnow()
    bases, candidates = await load_candidates(quantities.keys(), buyer, at)
    return {
        listing_id: resolve_parts(
            buyer=buyer, base=bases[listing_id], entries=candidates.get(listing_id, ()), quantity=quantity, at=at
        )
        for listing_id, quantity in quantities.items()
        if listing_id in bases
    }
