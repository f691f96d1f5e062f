"""Full-text matching of catalog queries: the same words on PostgreSQL (tsvector) and SQLite (FTS5).

The index (`listing_search`, one document per listing of a curated product) is built and kept
up to date by triggers of the migration catalog_2026_11_23t13_00_00_000000; on PostgreSQL,
`product_search` (the product's own words) and an index of SKU words come from
catalog_2026_11_23t13_30_00_000000 and let a search read products instead of their listings. Both backends index
lower-case runs of letters and digits without stemming; a query is split the same way here and
every word must match, as a word prefix ("glov" finds "gloves", "4012" a GTIN starting so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

MAX_TERMS = 12
MAX_TERM_LENGTH = 100
_WORD = re.compile(r"[^\W_]+")


def query_terms(text: str) -> list[str]:
    """The words of a search box, lower-case, without repeats, at most MAX_TERMS."""
    seen: list[str] = []
    for word in _WORD.findall((text or "").lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class TextMatch:
    """Queries of what matches every word, higher score better: `products` (rows product_id, score: every
    listing of the product matches; PostgreSQL only) and `listings` (rows listing_id, score)."""

    products: str | None
    products_args: tuple[object, ...]
    listings: str
    listings_args: tuple[object, ...]
    tsquery: str | None = None  # PostgreSQL: the words as a `to_tsquery('simple', ...)` text


def text_match(terms: list[str], *, sqlite: bool) -> TextMatch | None:
    """None when there is nothing to match: every product then scores the same."""
    if not terms:
        return None
    if sqlite:
        expression = " AND ".join(f'"{term}"*' for term in terms)  # terms hold only letters and digits
        return TextMatch(
            products=None,
            products_args=(),
            # bm25 is lower for better matches; the name weighs most, the description least.
            listings="SELECT rowid AS listing_id, -bm25(listing_search, 10.0, 4.0, 1.0) AS score"
            " FROM listing_search WHERE listing_search MATCH {}",
            listings_args=(expression,),
        )
    every = " & ".join(f"{term}:*" for term in terms)
    some = " | ".join(f"{term}:*" for term in terms)
    # A listing's document is its product's words plus its SKU's (catalog_2026_11_23t13_30_00_000000): it
    # matches when its product's words do, or else only with help from its SKU, which must then hold a word.
    # ts_rank does not depend on the words that do not match, so both parts score as the listing's document.
    return TextMatch(
        products="SELECT ps.product_id, ts_rank(ps.document, to_tsquery('simple', {})) AS score"
        " FROM product_search ps WHERE ps.document @@ to_tsquery('simple', {})",
        products_args=(every, every),
        # The SKU index first, then each of its few listings' document by key (OFFSET 0 keeps both apart): joined
        # freely, the planner scanned every listing whose document holds the word before finding no SKU with it.
        listings="SELECT l.id AS listing_id, ts_rank(s.document, to_tsquery('simple', {})) AS score"
        " FROM (SELECT l.id, l.product FROM listing l"
        " WHERE catalog_sku_words(l.sku) @@ to_tsquery('simple', {}) OFFSET 0) l"
        " CROSS JOIN LATERAL (SELECT s.document FROM listing_search s WHERE s.listing_id = l.id"
        " AND s.document @@ to_tsquery('simple', {}) OFFSET 0) s"
        " WHERE NOT EXISTS (SELECT 1 FROM product_search own WHERE own.product_id = l.product"
        " AND own.document @@ to_tsquery('simple', {}))",
        listings_args=(every, some, every, every),
        tsquery=every,
    )


# --- filters, facets and order over the matching offers (pure) -----------------------------------


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"


NAME_SORTS = frozenset({Sort.NAME_ASC, Sort.NAME_DESC})


@dataclass(frozen=True, slots=True)
class Filters:
    category: int | None = None
    vendor: int | None = None
    brand: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: Sort = Sort.RELEVANCE


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One visible offer matching the words, with the buyer's price at quantity 1."""

    listing_id: int
    product_id: int
    vendor_id: int
    vendor_name: str
    stock: int
    price: Decimal
    currency: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    name: str
    brand: str
    featured: bool
    category_id: int | None
    categories: frozenset[int]  # the category and its ancestors
    mpn: str = ""
    gtin: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    product: ProductRow
    offers: tuple[OfferRow, ...]  # the offers that pass the offer filters (vendor, in stock)
    price: Decimal | None  # the lowest of them in the buyer's currency
    score: float


@dataclass(frozen=True, slots=True)
class Browse:
    hits: list[Hit]  # every product that passes all filters, in the asked order
    category_counts: dict[int, int]
    brand_counts: dict[str, int]
    vendor_counts: dict[int, int]
    vendor_names: dict[int, str]


def _hit(
    product: ProductRow, offers: list[OfferRow], filters: Filters, currency: str, skip: str = ""
) -> Hit | None:
    """The product as a hit under `filters` (ignoring the one named `skip`), or None if it fails one."""
    kept = tuple(
        offer
        for offer in offers
        if (skip == "vendor" or filters.vendor is None or offer.vendor_id == filters.vendor)
        and (not filters.in_stock or offer.stock > 0)
    )
    if not kept:
        return None
    if skip != "category" and filters.category is not None and filters.category not in product.categories:
        return None
    if skip != "brand" and filters.brand and product.brand.casefold() != filters.brand.casefold():
        return None
    price = min((offer.price for offer in kept if offer.currency == currency), default=None)
    if filters.min_price is not None and (price is None or price < filters.min_price):
        return None
    if filters.max_price is not None and (price is None or price > filters.max_price):
        return None
    return Hit(product=product, offers=kept, price=price, score=max(offer.score for offer in kept))


def _order(hit: Hit, sort: Sort) -> tuple:  # type: ignore[type-arg]
    """The sort key of a hit; by name descending, `browse` reverses the ascending key (id too)."""
    tie = (hit.product.name.casefold(), hit.product.id)
    if sort in NAME_SORTS:
        return tie
    if sort is Sort.RELEVANCE:
        return (-hit.score, not hit.product.featured, *tie)
    if hit.price is None:  # no price in the buyer's currency: last either way
        return (1, Decimal(0), *tie)
    return (0, hit.price if sort is Sort.PRICE_ASC else -hit.price, *tie)


def browse(products: dict[int, ProductRow], offers: list[OfferRow], filters: Filters, currency: str) -> Browse:
    """Filter, count facets and order. Each facet counts products under every *other* filter, so
    its values show what choosing them would give; counts only ever see visible offers."""
    by_product: dict[int, list[OfferRow]] = {}
    for offer in offers:
        by_product.setdefault(offer.product_id, []).append(offer)
    hits: list[Hit] = []
    category_counts: dict[int, int] = {}
    brand_counts: dict[str, int] = {}
    vendor_counts: dict[int, int] = {}
    vendor_names: dict[int, str] = {}
    for product_id, product_offers in by_product.items():
        product = products[product_id]
        hit = _hit(product, product_offers, filters, currency)
        if hit is not None:
            hits.append(hit)
        if product.category_id is not None and _hit(product, product_offers, filters, currency, "category"):
            category_counts[product.category_id] = category_counts.get(product.category_id, 0) + 1
        if product.brand and _hit(product, product_offers, filters, currency, "brand"):
            brand_counts[product.brand] = brand_counts.get(product.brand, 0) + 1
        # Exactly what choosing each vendor would give (its offers alone set the price).
        for vendor_id in {offer.vendor_id for offer in product_offers}:
            if _hit(product, product_offers, replace(filters, vendor=vendor_id), currency):
                vendor_counts[vendor_id] = vendor_counts.get(vendor_id, 0) + 1
        for offer in product_offers:
            vendor_names[offer.vendor_id] = offer.vendor_name
    hits.sort(key=lambda hit: _order(hit, filters.sort), reverse=filters.sort is Sort.NAME_DESC)
    return Browse(hits, category_counts, brand_counts, vendor_counts, vendor_names)
