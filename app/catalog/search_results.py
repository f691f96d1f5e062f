"""Catalog search: one page of the products a buyer may see that match their words and filters, with facets.

Every query here sees only what the buyer's segment may see (app/catalog/visibility.py, in SQL).

Search is done by the database in a fixed number of queries whatever the catalog's size:
one statement returns the page's product ids, the total and the three facets, and nothing
else leaves the database (app/catalog/search_sql.py: `search_statement`).

On PostgreSQL a search without a price sort or range (most searches) takes a shorter road with the
same results (`product_search_sql.summary_statement`): one row per product from `product_search`, which
triggers keep with the vendors of the product's approved listings (in stock or not) and the product's own
fields (migration catalog_2026_11_23t15_00_00_000000), so a common word reads ~5,000 product rows instead of
~25,000 listings and their products. Without words, the products passing a filter are read through
its index, and a facet that counts the whole visible catalog (a filter's own facet when it is the only
one, every facet of a plain browse) comes from a per-segment cache that is used only while no change
it depends on has been committed since it was counted (`facet_cache.catalog_facets`, migration
catalog_2026_11_23t15_30_00_000000): exact counts, never stale. A periodic job prunes that change log below
a watermark that cached counts must not be older than (`facet_cache.prune_catalog_changes`, migration
catalog_2026_11_23t16_00_00_000000). A plain browse pages the products
from an index and stops after the page (`product_search_sql.browse_statement`). tests/integration/catalog/
test_search_in_sql.py checks every road against the reference; test_search_freshness.py that every
kind of change shows in the very next search.

Without a price sort or range no price is computed before the page is cut. The page's offers
are then read by id (one query) and priced by the one resolver (app/catalog/price_candidates.py); a test
checks that the SQL price order agrees with it. `search.browse` is the same search over plain
values: the reference the SQL is tested against (tests/integration/catalog/test_search_in_sql.py).

Cost: with a price sort or range, proportional to the offers that match the words (a common word:
~25,000 of 500,000); without, to the products that match them (~5,000 of 100,000) or pass a filter.
The first search without words after a catalog change recounts the segment's whole catalog (several
hundred milliseconds at 100,000 products); the next ones read the cache.

Queries per search: the buyer (1), the page with total and facets (1), the page's offers (1),
their prices (4); a search without words and with at most one filter also reads the cache (1), and
after a change recounts (1) and stores (1) it. Indexes: catalog_2026_11_23t13_30_00_000000 and later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.auth import Principal
from app.catalog import search
from app.catalog.buyer_offers import BuyerContext, buyer_context, by_price, offer_out, placeholders
from app.catalog.facet_cache import CatalogFacets, catalog_facets
from app.catalog.price_candidates import resolve_prices
from app.catalog.product_search_sql import browse_statement, summary_statement
from app.catalog.schemas import CatalogProductOut, Facets, FacetValue, SearchResult
from app.catalog.search import Filters, Sort
from app.catalog.search_sql import needs_search_statement, rows_found, search_statement
from app.catalog.tables import Listing
from app.db import is_sqlite
from app.errors import InvalidInput
from app.money import MoneyError, parse_amount

MAX_PER_PAGE = 100
MAX_PAGE = 100_000


def parse_filters(
    *,
    category: int | None = None,
    vendor: int | None = None,
    brand: str = "",
    min_price: str | None = None,
    max_price: str | None = None,
    in_stock: bool = False,
    sort: str = "relevance",
) -> Filters:
    """Search filters from query parameters, or InvalidInput saying what to fix."""
    try:
        order = Sort(sort or Sort.RELEVANCE)
    except ValueError:
        raise InvalidInput(f"sort must be one of {', '.join(s.value for s in Sort)}") from None
    prices: list[Decimal | None] = []
    for name, raw in (("min_price", min_price), ("max_price", max_price)):
        if raw is None or not raw.strip():
            prices.append(None)
            continue
        try:
            amount = parse_amount(raw)
        except MoneyError as exc:
            raise InvalidInput(f"{name}: {exc}") from None
        if amount < 0:
            raise InvalidInput(f"{name} must not be negative")
        prices.append(amount)
    if prices[0] is not None and prices[1] is not None and prices[0] > prices[1]:
        raise InvalidInput("min_price must not be above max_price")
    return Filters(
        category=category, vendor=vendor, brand=(brand or "").strip(), min_price=prices[0], max_price=prices[1],
        in_stock=in_stock, sort=order,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    product_ids: list[int]  # the page, in order
    listing_ids: list[int]  # the offers of the page's products that the search kept
    total: int
    facets: Facets


def _facet(values: list[tuple[object, str, int]]) -> list[FacetValue]:
    facet = [FacetValue(value=str(key), label=label, count=count) for key, label, count in values]
    return sorted(facet, key=lambda value: (-value.count, value.label.casefold()))


async def _find(context: BuyerContext, text: str, filters: Filters, page: int, per_page: int) -> _Found:
    terms, offset = search.query_terms(text), (page - 1) * per_page
    catalog: CatalogFacets | None = None
    if is_sqlite() or needs_search_statement(filters):
        statement = search_statement(context, terms, filters, per_page, offset, sqlite=is_sqlite())
    elif terms:
        statement = summary_statement(context, terms, filters, per_page, offset)
    else:
        # Without words, a facet whose filter is the only one (all three for a plain browse) counts the whole
        # catalog: those come from the cache, everything else from the products passing a filter.
        chosen = _chosen_filters(filters)
        if len(chosen) <= 1:
            catalog = await catalog_facets(context, filters.in_stock)
        if not chosen:
            statement = browse_statement(context, filters, per_page, offset)
        else:
            statement = summary_statement(context, terms, filters, per_page, offset, restrict=True,
                                          skip=chosen if len(chosen) == 1 else frozenset())
    found = rows_found(await Listing.raw(statement.sql, *statement.args))
    total, facets = found.total, found.facets
    if catalog is not None:
        chosen = _chosen_filters(filters)
        facets = {kind: catalog.facets[kind] if not chosen or kind in chosen else values
                  for kind, values in facets.items()}
        if not chosen:
            total = catalog.total
    return _Found(
        product_ids=found.hits, listing_ids=found.listing_ids, total=total,
        facets=Facets(category=_facet(facets["category"]), brand=_facet(facets["brand"]),
                      vendor=_facet(facets["vendor"])),
    )


def _chosen_filters(filters: Filters) -> frozenset[str]:
    """The facet filters that are set, by facet name."""
    return frozenset(name for name, on in (("category", filters.category is not None), ("brand", bool(filters.brand)),
                                           ("vendor", filters.vendor is not None)) if on)


async def _offer_rows(listing_ids: list[int]) -> list[dict]:
    """What a search result shows of these offers and their products: one query."""
    if not listing_ids:
        return []
    return await Listing.raw(
        "SELECT l.id, l.product AS product_id, l.sku, l.lead_time_days, l.stock, l.min_order_qty, l.unit,"  # noqa: S608
        " l.vendor, v.name AS vendor_name, p.name, p.brand, p.mpn, p.gtin, p.category AS category_id, p.featured"
        " FROM listing l JOIN product p ON p.id = l.product JOIN company v ON v.id = l.vendor"
        f" WHERE l.id IN ({placeholders(listing_ids)})",
        *listing_ids,
    )


async def search_products(
    principal: Principal, text: str, filters: Filters, page: int = 1, per_page: int = 20
) -> SearchResult:
    """One page of the products this buyer may see that match `text` and `filters`, with facets."""
    if page < 1:
        raise InvalidInput("page starts at 1")
    if page > MAX_PAGE:
        raise InvalidInput(f"page must be at most {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    context = buyer_context(principal)
    found = await _find(context, text, filters, page, per_page)
    offers = await _offer_rows(found.listing_ids)
    prices = await resolve_prices({offer["id"]: 1 for offer in offers}, context.buyer)
    by_product: dict[int, list[dict]] = {}
    for offer in offers:
        by_product.setdefault(offer["product_id"], []).append(offer)
    items = []
    for product_id in found.product_ids:
        rows = by_product.get(product_id)
        if not rows:  # gone between the two statements (a concurrent curation): leave it out
            continue
        first = rows[0]
        items.append(
            CatalogProductOut(
                id=product_id, name=first["name"], brand=first["brand"] or "", mpn=first["mpn"] or "",
                gtin=first["gtin"] or "", category_id=first["category_id"], featured=bool(first["featured"]),
                offers=sorted((offer_out(row, prices[row["id"]]) for row in rows), key=by_price(context.currency)),
            )
        )
    return SearchResult(items=items, total=found.total, page=page, per_page=per_page, facets=found.facets)
