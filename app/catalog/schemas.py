"""What the buyer catalog API returns: products, their offers with the buyer's own price, facets."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from app.catalog.pricing import PriceSource


class CatalogOfferOut(msgspec.Struct):
    """One vendor's offer, priced for the calling buyer by the one price resolver."""

    listing_id: int
    sku: str
    vendor_id: int
    vendor: Annotated[str, msgspec.Meta(description="The vendor company's name")]
    unit_price: Annotated[Decimal, msgspec.Meta(description="Unit price for this buyer, a decimal string")]
    currency: str
    price_source: PriceSource
    price_reason: Annotated[str, msgspec.Meta(description="Why this price, in the buyer's words")]
    price_reference: str
    price_min_qty: int
    lead_time_days: int
    stock: int
    min_order_qty: int
    unit: str


class CatalogProductOut(msgspec.Struct):
    id: int
    name: str
    brand: str
    mpn: str
    gtin: str
    category_id: int | None
    featured: bool
    offers: list[CatalogOfferOut]


class FacetValue(msgspec.Struct):
    """One value of a facet and how many products of the result it would narrow it to."""

    value: str
    label: str
    count: int


class Facets(msgspec.Struct):
    category: list[FacetValue]
    brand: list[FacetValue]
    vendor: list[FacetValue]


class SearchResult(msgspec.Struct):
    items: list[CatalogProductOut]
    total: int
    page: int
    per_page: int
    facets: Facets


class ProductDetail(msgspec.Struct):
    """A product page: every offer this buyer may see, cheapest first at `quantity`."""

    id: int
    name: str
    brand: str
    mpn: str
    gtin: str
    unit: str
    description: str
    category_id: int | None
    category: str
    featured: bool
    quantity: int
    offers: list[CatalogOfferOut]
