"""The catalog's offers as a buyer sees them: who is buying, the listing's joins, each offer priced, cheapest first."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Principal
from app.catalog.pricing import Buyer, ResolvedPrice
from app.catalog.schemas import CatalogOfferOut

# A listing with its product, vendor (v) and category (c): what every read of visible offers joins.
OFFER_FROM = """
    FROM listing l
    JOIN product p ON p.id = l.product
    JOIN company v ON v.id = l.vendor
    LEFT JOIN category c ON c.id = p.category
"""


@dataclass(frozen=True, slots=True)
class BuyerContext:
    """Who is buying: the pricing identity, and the currency the buyer's prices are compared in."""

    buyer: Buyer
    currency: str


def buyer_context(principal: Principal) -> BuyerContext:
    """The buyer's pricing identity (its company and segment) and currency, loaded with the principal."""
    return BuyerContext(
        buyer=Buyer(company_id=principal.company_id, segment_id=principal.segment_id), currency=principal.currency
    )


def placeholders(values: list[int]) -> str:
    """One `{}` placeholder per value, for `IN (…)`."""
    return ", ".join("{}" for _ in values)


def offer_out(listing: dict, price: ResolvedPrice) -> CatalogOfferOut:
    """An offer as the buyer is shown it: the listing's row with its resolved price."""
    return CatalogOfferOut(
        listing_id=listing["id"], sku=listing["sku"], vendor_id=listing["vendor"], vendor=listing["vendor_name"],
        unit_price=price.unit_price, currency=price.currency, price_source=price.source, price_reason=price.why,
        price_reference=price.reference, price_min_qty=price.min_qty, lead_time_days=listing["lead_time_days"],
        stock=listing["stock"], min_order_qty=listing["min_order_qty"], unit=listing["unit"],
    )


def by_price(currency: str):  # type: ignore[no-untyped-def]
    """The order of a product's offers: in the buyer's currency first, then cheapest, then soonest shipped."""

    def key(offer: CatalogOfferOut) -> tuple:  # type: ignore[type-arg]
        return (offer.currency != currency, offer.unit_price, offer.lead_time_days, offer.listing_id)

    return key
