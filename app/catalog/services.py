"""Catalog visibility for other areas: which offers and products a buyer company may see and order (in SQL)."""

from __future__ import annotations

from app.catalog.buyer_offers import OFFER_FROM, placeholders
from app.catalog.price_candidates import buyer_of
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.errors import NotFound


async def visible_listing_ids(buyer_company_id: int, listing_ids: list[int] | set[int]) -> set[int]:
    """The listings among `listing_ids` that this buyer company may see and order (two queries)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return set()
    buyer = await buyer_of(buyer_company_id)
    visible, args = visible_offer_sql(buyer.segment_id)
    rows = await Listing.raw(
        f"SELECT l.id AS id {OFFER_FROM} WHERE l.id IN ({placeholders(ids)}) AND {visible}", *ids, *args
    )
    return {row["id"] for row in rows}


async def require_visible_listings(buyer_company_id: int, listing_ids: list[int] | set[int]) -> None:
    """NotFound naming nothing the buyer may not know, unless every listing is visible to it."""
    missing = set(listing_ids) - await visible_listing_ids(buyer_company_id, listing_ids)
    if missing:
        raise NotFound(f"No such offer: {', '.join(str(i) for i in sorted(missing))}.")


async def require_visible_product(buyer_company_id: int, product_id: int) -> None:
    """NotFound unless the buyer company may see at least one offer of the product."""
    buyer = await buyer_of(buyer_company_id)
    visible, args = visible_offer_sql(buyer.segment_id)
    row = await Listing.raw(
        f"SELECT l.id AS id {OFFER_FROM} WHERE p.id = {{}} AND {visible} LIMIT 1", product_id, *args
    )
    if not row:
        raise NotFound("No such product.")
