"""The buyer catalog: search with filters and facets, product pages, and visibility checks for other areas.

Every query here sees only what the buyer's segment may see (app/catalog/visibility.py, in SQL).

Search is done by the database in a fixed number of queries whatever the catalog's size:
one statement returns the page's product ids, the total and the three facets, and nothing
else leaves the database. Its common table expressions (the same SQL on both backends):

- `matched_listings` / `matched_products`: what matches every word (app/catalog/search.py; on
  PostgreSQL a product whose own text has every word stands for all its listings, so a common
  word costs a few thousand product rows, not five times as many listing rows);
- `offers`: the visible offers among them (all visible offers without words), in stock if asked;
- `ranked` (only for a price sort or a price range): each of those offers' quantity-1 price,
  with the resolver's precedence (contract, company price list, segment price list, volume
  tier, base price; inside a source the highest `min_qty` <= 1, then the lower price; only
  entries valid now and meant for this buyer). A product's price is its lowest kept offer in
  the buyer company's currency; products without one sort last and fail a price range (prices
  in different currencies are never compared);
- `products`: one row per matching product with its best score and price over the offers the
  vendor filter keeps, and a flag per filter, so that each facet counts products under every
  *other* filter (what choosing its value would give) without a second pass;
- the result rows: the page (ORDER BY ... LIMIT/OFFSET), the page's kept offers, the total and
  the facet counts, as one UNION ALL.

On PostgreSQL a search without a price sort or range (most searches) takes a shorter road with the
same results (`_summary_statement`): one row per product from `product_search`, which triggers keep
with the vendors of the product's approved listings (in stock or not) and the product's own fields
(migration catalog_2026_11_23t15_00_00_000000), so a common word reads ~5,000 product rows instead of
~25,000 listings and their products. Without words, the products passing a filter are read through
its index, and a facet that counts the whole visible catalog (a filter's own facet when it is the only
one, every facet of a plain browse) comes from a per-segment cache that is used only while no change
it depends on has been committed since it was counted (`_catalog_facets`, migration
catalog_2026_11_23t15_30_00_000000): exact counts, never stale. A periodic job prunes that change log below
a watermark that cached counts must not be older than (`prune_catalog_changes`, migration
catalog_2026_11_23t16_00_00_000000). A plain browse pages the products
from an index and stops after the page (`_browse_statement`). tests/integration/catalog/
test_search_in_sql.py checks every road against the reference; test_search_freshness.py that every
kind of change shows in the very next search.

Without a price sort or range no price is computed before the page is cut. The page's offers
are then read by id (one query) and priced by the one resolver (app/catalog/prices.py); a test
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

import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from app.auth import Principal
from app.catalog import search
from app.catalog.prices import buyer_of, resolve_prices
from app.catalog.pricing import Buyer, ResolvedPrice
from app.catalog.schemas import Facets, FacetValue, OfferOut, ProductDetail, ProductOut, SearchResult
from app.catalog.search import Filters, Sort
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.catalog.visibility import (
    vendor_rules_sql,
    vendor_visible_sql,
    vendors_visible_sql,
    visible_listing_sql,
    visible_offer_sql,
    visible_product_row_sql,
    visible_product_sql,
)
from app.clock import utcnow
from app.db import is_sqlite
from app.errors import InvalidInput, NotFound
from app.money import MAX_MINOR, MINOR_PER_UNIT, MoneyError, parse_amount

MAX_PER_PAGE = 100
MAX_QUANTITY = 10_000_000

_FROM = """
    FROM listing l
    JOIN product p ON p.id = l.product
    JOIN company v ON v.id = l.vendor
    LEFT JOIN category c ON c.id = p.category
"""

# Every candidate price of the listings in `offers` at quantity 1, ranked as the resolver does.
_PRICES = """
candidates AS (
    SELECT o.listing_id, o.product_id, o.vendor_id, o.score, 5 AS source_rank, 1 AS min_qty, o.base_price AS price,
           o.currency AS currency
    FROM offers o
    UNION ALL
    SELECT o.listing_id, o.product_id, o.vendor_id, o.score, 4, t.min_qty, t.unit_price, o.currency
    FROM offers o JOIN listing_tier t ON t.listing = o.listing_id
    WHERE t.min_qty <= 1
    UNION ALL
    SELECT o.listing_id, o.product_id, o.vendor_id, o.score, CASE WHEN pl.company IS NULL THEN 3 ELSE 2 END,
           e.min_qty, e.unit_price, pl.currency
    FROM offers o JOIN price_list_entry e ON e.listing = o.listing_id JOIN price_list pl ON pl.id = e.price_list
    WHERE e.min_qty <= 1 AND (pl.company = {} OR (pl.company IS NULL AND pl.segment = {}))
      AND (pl.valid_from IS NULL OR pl.valid_from <= {}) AND (pl.valid_to IS NULL OR {} < pl.valid_to)
    UNION ALL
    SELECT o.listing_id, o.product_id, o.vendor_id, o.score, 1, cp.min_qty, cp.unit_price, cp.currency
    FROM offers o JOIN contract_price cp ON cp.listing = o.listing_id
    WHERE cp.min_qty <= 1 AND cp.company = {} AND cp.terminated_at IS NULL
      AND cp.valid_from <= {} AND (cp.valid_to IS NULL OR {} < cp.valid_to)
),
ranked AS (
    SELECT listing_id, product_id, vendor_id, score, price, currency,
           ROW_NUMBER() OVER (PARTITION BY listing_id ORDER BY source_rank, min_qty DESC, price) AS n
    FROM candidates
)"""


@dataclass(frozen=True, slots=True)
class BuyerContext:
    buyer: Buyer
    currency: str


def _context(principal: Principal) -> BuyerContext:
    """The buyer's pricing identity (its company and segment) and currency, loaded with the principal."""
    return BuyerContext(
        buyer=Buyer(company_id=principal.company_id, segment_id=principal.segment_id), currency=principal.currency
    )


def _placeholders(values: list[int]) -> str:
    return ", ".join("{}" for _ in values)


# --- visibility for other areas -----------------------------------------------------------------


async def visible_listing_ids(buyer_company_id: int, listing_ids: list[int] | set[int]) -> set[int]:
    """The listings among `listing_ids` that this buyer company may see and order (two queries)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return set()
    buyer = await buyer_of(buyer_company_id)
    visible, args = visible_offer_sql(buyer.segment_id)
    rows = await Listing.raw(
        f"SELECT l.id AS id {_FROM} WHERE l.id IN ({_placeholders(ids)}) AND {visible}", *ids, *args
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
    row = await Listing.raw(f"SELECT l.id AS id {_FROM} WHERE p.id = {{}} AND {visible} LIMIT 1", product_id, *args)
    if not row:
        raise NotFound("No such product.")


# --- search -------------------------------------------------------------------------------------


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


class _Statement:
    """A SQL statement written in order, each piece with the arguments of its `{}` placeholders."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[object] = []

    def add(self, sql: str, *args: object) -> None:
        if sql.count("{}") != len(args):  # a programming error, never input: fail loudly
            raise ValueError(f"{sql.count('{}')} placeholders but {len(args)} arguments in {sql!r}")
        self.parts.append(sql)
        self.args.extend(args)

    @property
    def sql(self) -> str:
        return "\n".join(self.parts)


def _priced(filters: Filters) -> bool:
    """Whether the order or a filter needs every matching offer's price before the page is cut."""
    return filters.sort is not Sort.RELEVANCE or filters.min_price is not None or filters.max_price is not None


def _price_bounds(filters: Filters) -> tuple[int | None, int | None]:
    """The price range in stored minor units: `price >= low` and `price <= high` exactly as on Decimals."""
    low = high = None
    if filters.min_price is not None:  # the smallest storable price not below the bound
        low = min(int((filters.min_price * MINOR_PER_UNIT).to_integral_value(rounding=ROUND_CEILING)), MAX_MINOR)
    if filters.max_price is not None:  # the largest storable price not above it
        high = min(int((filters.max_price * MINOR_PER_UNIT).to_integral_value(rounding=ROUND_FLOOR)), MAX_MINOR)
    return low, high


def _price_ok(statement: _Statement, column: str, filters: Filters) -> None:
    """Adds `1` when `column` (a price in minor units, or NULL) passes the price range, else `0`."""
    low, high = _price_bounds(filters)
    if low is None and high is None:
        statement.add("1")
        return
    statement.add(f"CASE WHEN {column} IS NOT NULL")
    if low is not None:
        statement.add(f"AND {column} >= {{}}", low)
    if high is not None:
        statement.add(f"AND {column} <= {{}}", high)
    statement.add("THEN 1 ELSE 0 END")


def _order(sort: Sort) -> str:
    """The order of `search._order` over the columns of the `products` rows."""
    if sort is Sort.RELEVANCE:
        return "score DESC, featured DESC, name_key, product_id"
    direction = "ASC" if sort is Sort.PRICE_ASC else "DESC"
    return f"(price IS NULL), price {direction}, name_key, product_id"


def _product_filters(q: _Statement, filters: Filters) -> None:
    """Adds the columns category_ok and brand_ok (1 or 0) of product `p` with category `c`."""
    if filters.category is not None:
        q.add(
            "CASE WHEN p.category = {} OR c.path LIKE {} THEN 1 ELSE 0 END AS category_ok,",
            filters.category, f"%/{filters.category}/%",
        )
    else:
        q.add("1 AS category_ok,")
    if filters.brand:
        q.add("CASE WHEN lower(COALESCE(p.brand, '')) = {} THEN 1 ELSE 0 END AS brand_ok,", filters.brand.lower())
    else:
        q.add("1 AS brand_ok,")


def _matching_products(
    q: _Statement, context: BuyerContext, filters: Filters, match: search.TextMatch | None, priced: bool
) -> None:
    """`offers` (the visible offers matching the words), their prices if `priced`, and `products` from them."""
    columns = "SELECT l.id AS listing_id, l.product AS product_id, l.vendor AS vendor_id, l.base_price, l.currency"
    in_stock = " AND l.stock > 0" if filters.in_stock else ""
    # The listing half of the visibility rule here, the product half once per product in `products`.
    offer_from = "JOIN company v ON v.id = l.vendor"
    if match is None:
        visible, visible_args = visible_listing_sql(context.buyer.segment_id)
        q.add(
            f"WITH offers AS MATERIALIZED ({columns}, 0.0 AS score FROM listing l {offer_from}"
            f" WHERE l.product IS NOT NULL AND {visible}{in_stock})",
            *visible_args,
        )
    else:
        # Single listings, and (PostgreSQL) whole products: every listing of theirs matches.
        q.add(f"WITH matched_listings AS MATERIALIZED ({match.listings})", *match.listings_args)
        if match.products:
            q.add(f", matched_products AS MATERIALIZED ({match.products})", *match.products_args)
        visible, visible_args = visible_listing_sql(context.buyer.segment_id)
        q.add(
            f", offers AS MATERIALIZED ({columns}, m.score FROM matched_listings m"
            f" JOIN listing l ON l.id = m.listing_id {offer_from} WHERE l.product IS NOT NULL AND {visible}{in_stock}",
            *visible_args,
        )
        if match.products:
            # LATERAL ... OFFSET 0: each product's listings through the index on listing (product), never a
            # hash of the whole listing table (which the planner's estimate of the rules' filter can pick).
            visible, visible_args = visible_listing_sql(context.buyer.segment_id, listing="o")
            q.add(
                "UNION ALL SELECT o.id AS listing_id, o.product AS product_id, o.vendor AS vendor_id, o.base_price,"  # noqa: S608
                " o.currency, m.score FROM matched_products m CROSS JOIN LATERAL (SELECT l.id, l.product, l.vendor,"
                " l.status, l.stock, l.base_price, l.currency FROM listing l WHERE l.product = m.product_id OFFSET 0) o"
                f" JOIN company v ON v.id = o.vendor WHERE {visible}{in_stock.replace('l.', 'o.')}",
                *visible_args,
            )
        q.add(")")
    source = "offers"
    if priced:
        now = utcnow()
        company, segment = context.buyer.company_id, context.buyer.segment_id
        q.add(f", {_PRICES}", company, segment, now, now, company, now, now)
        q.add(", priced AS (SELECT product_id, vendor_id, score, price, currency FROM ranked WHERE n = 1)")
        source = "priced"
    # One row per matching product: its score and price over the offers the vendor filter keeps, and
    # whether it passes each product filter. The facets below each leave their own filter out.
    q.add(", products AS MATERIALIZED (SELECT a.product_id, a.kept, a.score, a.price, p.featured,")
    q.add("lower(p.name) AS name_key, p.category AS category_id, COALESCE(p.brand, '') AS brand,")
    _product_filters(q, filters)
    _price_ok(q, "a.price", filters)
    q.add("AS price_ok FROM (SELECT product_id,")
    if filters.vendor is not None:
        q.add(
            "MAX(CASE WHEN vendor_id = {} THEN 1 ELSE 0 END) AS kept,"
            " MAX(CASE WHEN vendor_id = {} THEN score END) AS score,",
            filters.vendor, filters.vendor,
        )
    else:
        q.add("1 AS kept, MAX(score) AS score,")
    if priced:
        kept = "vendor_id = {} AND " if filters.vendor is not None else ""
        q.add(
            f"MIN(CASE WHEN {kept}currency = {{}} THEN price END) AS price",
            *((filters.vendor,) if filters.vendor is not None else ()), context.currency,
        )
    else:
        q.add("NULL AS price")
    q.add(f"FROM {source} GROUP BY product_id) a")
    visible, visible_args = visible_product_sql(context.buyer.segment_id)
    q.add(f"JOIN product p ON p.id = a.product_id LEFT JOIN category c ON c.id = p.category WHERE {visible})",
          *visible_args)


def _search_statement(
    context: BuyerContext, terms: list[str], filters: Filters, limit: int, offset: int, *, sqlite: bool
) -> _Statement:
    """One statement: the page's product ids (kind 'hit', n = position), the total and the facet counts."""
    match = search.text_match(terms, sqlite=sqlite)
    priced = _priced(filters)
    q = _Statement()
    # Only constant fragments are formatted in; every value is a parameter.
    _matching_products(q, context, filters, match, priced)
    source = "priced" if priced else "offers"
    q.add(
        ", hits AS (SELECT product_id, score, featured, name_key, price FROM products"
        " WHERE kept = 1 AND category_ok = 1 AND brand_ok = 1 AND price_ok = 1)"
    )
    order = _order(filters.sort)
    q.add(f", page AS (SELECT * FROM hits ORDER BY {order} LIMIT {{}} OFFSET {{}})", limit, offset)  # noqa: S608
    # The page's own order again, over its few rows: a UNION ALL keeps no order by itself.
    q.add(f"SELECT 'hit' AS kind, product_id AS id, '' AS label, ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM page")  # noqa: S608
    q.add("UNION ALL SELECT 'total', NULL, '', COUNT(*) FROM hits")
    # The page's offers that the search kept (n = their product), from the same snapshot.
    vendor = " AND o.vendor_id = {}" if filters.vendor is not None else ""
    q.add(
        f"UNION ALL SELECT 'offer', o.listing_id, '', o.product_id FROM offers o"  # noqa: S608
        f" WHERE o.product_id IN (SELECT product_id FROM page){vendor}",
        *((filters.vendor,) if filters.vendor is not None else ()),
    )
    q.add(
        "UNION ALL SELECT 'category', pr.category_id, c.name, COUNT(*) FROM products pr"
        " JOIN category c ON c.id = pr.category_id WHERE pr.kept = 1 AND pr.brand_ok = 1 AND pr.price_ok = 1"
        " GROUP BY pr.category_id, c.name"
    )
    q.add(
        "UNION ALL SELECT 'brand', NULL, pr.brand, COUNT(*) FROM products pr"
        " WHERE pr.kept = 1 AND pr.category_ok = 1 AND pr.price_ok = 1 AND pr.brand <> '' GROUP BY pr.brand"
    )
    # A vendor counts the products that choosing it would give: its own offers alone set the price.
    ranged = filters.min_price is not None or filters.max_price is not None
    # Only the visible products that pass the category and brand filters, grouped before the names are
    # joined. Through the product table (an index), not `products`: a join of two CTEs gets row estimates
    # of 1 and can become a nested loop over both (seconds at this size).
    q.add("UNION ALL SELECT 'vendor', n.vendor_id, v.name, n.products FROM (SELECT pv.vendor_id, COUNT(*) AS products")
    q.add("FROM (SELECT o.product_id, o.vendor_id,")
    if ranged:
        q.add("MIN(CASE WHEN o.currency = {} THEN o.price END) AS price", context.currency)
    else:
        q.add("NULL AS price")
    visible, visible_args = visible_product_sql(context.buyer.segment_id)
    q.add(
        f"FROM {source} o JOIN product p ON p.id = o.product_id LEFT JOIN category c ON c.id = p.category"
        f" WHERE {visible}",
        *visible_args,
    )
    if filters.category is not None:
        q.add("AND (p.category = {} OR c.path LIKE {})", filters.category, f"%/{filters.category}/%")
    if filters.brand:
        q.add("AND lower(COALESCE(p.brand, '')) = {}", filters.brand.lower())
    q.add("GROUP BY o.product_id, o.vendor_id) pv WHERE")
    _price_ok(q, "pv.price", filters)
    q.add("= 1 GROUP BY pv.vendor_id) n JOIN company v ON v.id = n.vendor_id")
    return q


def _summary_statement(
    context: BuyerContext, terms: list[str], filters: Filters, limit: int, offset: int,
    *, restrict: bool = False, skip: frozenset[str] = frozenset(), snapshot: bool = False,
) -> _Statement:
    """`_search_statement` for PostgreSQL searches without prices: the same rows, read from one summary row
    per product (`product_search`: the vendors of its approved listings and its own fields) instead of its
    listings. Only the page's offers are read from `listing`.

    A product is a candidate with the vendors that could show it: all vendors of its approved listings (in
    stock if asked) when its own words match, or only the vendors of its listings whose SKU brought the
    missing words (`by_sku`). The vendor half of the visibility rule is then a test on that array
    (app/catalog/visibility.py), the product half a test on the row.
    """
    match = search.text_match(terms, sqlite=False)
    segment = context.buyer.segment_id
    vendors = "ps.stocked" if filters.in_stock else "ps.vendors"
    columns = "ps.featured, ps.name_key, ps.category AS category_id, ps.brand, ps.active"
    q = _Statement()
    rules, rules_args = vendor_rules_sql(segment)
    q.add(f"WITH vr AS MATERIALIZED ({rules})", *rules_args)
    if match is None:
        q.add(f", candidates AS (SELECT ps.product_id, 0.0::float8 AS score, {vendors} AS vendors, false AS by_sku,"  # noqa: S608
              f" {columns} FROM product_search ps")
        if restrict:
            passes: list[str] = []
            args: list[object] = []
            if filters.category is not None:
                passes.append("ps.category IN (SELECT cc.id FROM category cc WHERE cc.id = {} OR cc.path LIKE {})")
                args += [filters.category, f"%/{filters.category}/%"]
            if filters.brand:
                passes.append("lower(ps.brand) = {}")
                args.append(filters.brand.lower())
            if filters.vendor is not None:
                passes.append(
                    "ps.product_id IN (SELECT vl.product FROM listing vl WHERE vl.vendor = {} AND vl.status = {})"
                )
                args += [filters.vendor, ListingStatus.APPROVED.value]
            q.add(f"WHERE {' OR '.join(passes)}", *args)
        q.add(")")
    else:
        q.add(f", matched_listings AS MATERIALIZED ({match.listings})", *match.listings_args)
        q.add(
            ", candidates AS (SELECT ps.product_id, ts_rank(ps.document, to_tsquery('simple', {}))::float8 AS score,"  # noqa: S608
            f" {vendors} AS vendors, false AS by_sku, {columns} FROM product_search ps"
            " WHERE ps.document @@ to_tsquery('simple', {})",
            match.tsquery, match.tsquery,
        )
        in_stock = " AND l.stock > 0" if filters.in_stock else ""
        q.add(
            f"UNION ALL SELECT ps.product_id, s.score, s.vendors, true, {columns} FROM (SELECT l.product,"  # noqa: S608
            " MAX(m.score)::float8 AS score, array_agg(DISTINCT l.vendor ORDER BY l.vendor) AS vendors"
            " FROM matched_listings m JOIN listing l ON l.id = m.listing_id"
            f" WHERE l.product IS NOT NULL AND l.status = {{}}{in_stock} GROUP BY l.product) s"
            " JOIN product_search ps ON ps.product_id = s.product)",
            ListingStatus.APPROVED.value,
        )
    product_visible, product_args = visible_product_row_sql(
        segment, active="c.active", product_id="c.product_id", category_id="c.category_id"
    )
    q.add(", products AS MATERIALIZED (SELECT c.product_id, c.score, c.vendors, c.by_sku, c.featured, c.name_key,")
    q.add("c.category_id, c.brand,")
    if filters.vendor is not None:
        q.add(f"({{}} = ANY(c.vendors) AND {vendor_visible_sql('{}')}) AS kept,", filters.vendor, filters.vendor,
              filters.vendor)
    else:
        q.add("true AS kept,")
    if filters.category is not None:
        q.add(
            "c.category_id IN (SELECT cc.id FROM category cc WHERE cc.id = {} OR cc.path LIKE {}) AS category_ok,",
            filters.category, f"%/{filters.category}/%",
        )
    else:
        q.add("true AS category_ok,")
    if filters.brand:
        q.add("lower(c.brand) = {} AS brand_ok", filters.brand.lower())
    else:
        q.add("true AS brand_ok")
    q.add(
        f"FROM candidates c CROSS JOIN vr WHERE {product_visible} AND {vendors_visible_sql('c.vendors')})",
        *product_args,
    )
    # NOT MATERIALIZED: read twice (page, total), it would otherwise be copied out of `products` first.
    q.add(", hits AS NOT MATERIALIZED (SELECT * FROM products WHERE kept AND category_ok AND brand_ok)")
    order = _order(Sort.RELEVANCE)
    q.add(f", page AS (SELECT * FROM hits ORDER BY {order} LIMIT {{}} OFFSET {{}})", limit, offset)  # noqa: S608
    q.add(f"SELECT 'hit' AS kind, product_id AS id, '' AS label, ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM page")  # noqa: S608
    q.add("UNION ALL SELECT 'total', NULL, '', COUNT(*) FROM hits")
    # The page's offers: the visible approved listings of its products, or of a product found by its
    # listings' SKUs only those listings.
    q.add(
        "UNION ALL SELECT 'offer', l.id, '', l.product FROM page pg JOIN listing l ON l.product = pg.product_id"  # noqa: S608
        f" CROSS JOIN vr WHERE l.status = {{}} AND {vendor_visible_sql('l.vendor')}",
        ListingStatus.APPROVED.value,
    )
    if filters.in_stock:
        q.add("AND l.stock > 0")
    if filters.vendor is not None:
        q.add("AND l.vendor = {}", filters.vendor)
    if match is not None:
        q.add("AND (NOT pg.by_sku OR l.id IN (SELECT listing_id FROM matched_listings))")
    if "category" not in skip:
        q.add(
            "UNION ALL SELECT 'category', pr.category_id, c.name, COUNT(*) FROM products pr"
            " JOIN category c ON c.id = pr.category_id WHERE pr.kept AND pr.brand_ok GROUP BY pr.category_id, c.name"
        )
    if "brand" not in skip:
        q.add(
            "UNION ALL SELECT 'brand', NULL, pr.brand, COUNT(*) FROM products pr"
            " WHERE pr.kept AND pr.category_ok AND pr.brand <> '' GROUP BY pr.brand"
        )
    if "vendor" not in skip:
        # A vendor counts the products it offers (visibly, in stock if asked) among those of the other filters.
        # unnest in the select list: as a LATERAL function scan it built a tuple store per product (2x slower).
        q.add(
            "UNION ALL SELECT 'vendor', n.vendor_id, v.name, n.products FROM (SELECT x.vendor_id,"  # noqa: S608
            " COUNT(*) AS products FROM (SELECT unnest(pr.vendors) AS vendor_id FROM products pr"
            " WHERE pr.category_ok AND pr.brand_ok) x GROUP BY x.vendor_id) n JOIN company v ON v.id = n.vendor_id"
            f" CROSS JOIN vr WHERE {vendor_visible_sql('n.vendor_id')}"
        )
    if snapshot:  # the same snapshot as every row above: one statement
        q.add("UNION ALL SELECT 'snapshot', NULL, pg_current_snapshot()::text, 0")
    return q


def _browse_statement(context: BuyerContext, filters: Filters, limit: int, offset: int) -> _Statement:
    """A PostgreSQL search without words, filters or prices: the page of visible products in the relevance
    order (featured first, then by name: every score is the same) from its index, stopping after the page,
    and the page's offers. The total and the facets are the whole catalog's (`_catalog_facets`)."""
    segment = context.buyer.segment_id
    vendors = "ps.stocked" if filters.in_stock else "ps.vendors"
    q = _Statement()
    rules, rules_args = vendor_rules_sql(segment)
    q.add(f"WITH vr AS MATERIALIZED ({rules})", *rules_args)
    product_visible, product_args = visible_product_row_sql(segment)
    q.add(
        ", page AS MATERIALIZED (SELECT ps.product_id, ps.featured, ps.name_key FROM product_search ps CROSS JOIN vr"  # noqa: S608
        f" WHERE {product_visible} AND {vendors_visible_sql(vendors)}"
        " ORDER BY ps.featured DESC, ps.name_key, ps.product_id LIMIT {} OFFSET {})",
        *product_args, limit, offset,
    )
    q.add(
        "SELECT 'hit' AS kind, product_id AS id, '' AS label,"
        " ROW_NUMBER() OVER (ORDER BY featured DESC, name_key, product_id) AS n FROM page"
    )
    q.add(
        "UNION ALL SELECT 'offer', l.id, '', l.product FROM page pg JOIN listing l ON l.product = pg.product_id"  # noqa: S608
        f" CROSS JOIN vr WHERE l.status = {{}} AND {vendor_visible_sql('l.vendor')}",
        ListingStatus.APPROVED.value,
    )
    if filters.in_stock:
        q.add("AND l.stock > 0")
    return q


# --- the whole-catalog facet cache (PostgreSQL; migration catalog_2026_11_23t15_30_00_000000) --------

# A cached row counted in snapshot e.snapshot is stale when a change it did not see has been committed. The
# change log is pruned below a watermark (migration catalog_2026_11_23t16_00_00_000000, which explains why
# this is safe): a row is used, and stored, only when its snapshot's xmin is not below the watermark read in
# the same statement as the change rows.
_STALE = """EXISTS (SELECT 1 FROM catalog_change ch
        WHERE ch.xid >= pg_snapshot_xmin(e.snapshot) AND NOT pg_visible_in_snapshot(ch.xid, e.snapshot))"""

_CACHED = f"""SELECT e.total, e.categories, e.brands, e.vendors
    FROM catalog_facet_cache e JOIN catalog_change_watermark w ON pg_snapshot_xmin(e.snapshot) >= w.horizon
    WHERE e.segment = {{}} AND e.in_stock = {{}} AND NOT {_STALE}"""  # noqa: S608

_STORE = """INSERT INTO catalog_facet_cache (segment, in_stock, snapshot, total, categories, brands, vendors)
    SELECT CAST({} AS integer), CAST({} AS boolean), s.snapshot, CAST({} AS integer), CAST({} AS text)::jsonb,
           CAST({} AS text)::jsonb, CAST({} AS text)::jsonb
    FROM (SELECT CAST({} AS text)::pg_snapshot AS snapshot) s
    JOIN catalog_change_watermark w ON pg_snapshot_xmin(s.snapshot) >= w.horizon
    ON CONFLICT (segment, in_stock) DO UPDATE SET snapshot = EXCLUDED.snapshot, total = EXCLUDED.total,
        categories = EXCLUDED.categories, brands = EXCLUDED.brands, vendors = EXCLUDED.vendors"""

# One statement, so one snapshot P: the watermark rises to xmin(P) (every transaction below it had finished),
# or only to the lowest xmin of the cache rows still valid so that they stay; then the change rows and the
# cache rows below it go.
_PRUNE = f"""WITH valid AS (
        SELECT min(pg_snapshot_xmin(e.snapshot)) AS xmin FROM catalog_facet_cache e WHERE NOT {_STALE}),
    raised AS (
        UPDATE catalog_change_watermark w
        SET horizon = GREATEST(w.horizon, LEAST(pg_snapshot_xmin(pg_current_snapshot()), valid.xmin))
        FROM valid RETURNING w.horizon),
    changes AS (DELETE FROM catalog_change ch USING raised WHERE ch.xid < raised.horizon RETURNING 1),
    caches AS (
        DELETE FROM catalog_facet_cache e USING raised WHERE pg_snapshot_xmin(e.snapshot) < raised.horizon RETURNING 1)
    SELECT CAST(raised.horizon AS text) AS watermark, (SELECT COUNT(*) FROM changes) AS changes,
           (SELECT COUNT(*) FROM caches) AS caches
    FROM raised"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class _CatalogFacets:
    """The total and facet rows (key, label, count) of every product a segment may see."""

    total: int
    facets: dict[str, list[tuple[object, str, int]]]


async def _catalog_facets(context: BuyerContext, in_stock: bool) -> _CatalogFacets:
    """The whole catalog's total and facets for this buyer's segment: from the cache when nothing they depend
    on has changed since they were counted (one query), else counted again (one statement) and stored."""
    segment = context.buyer.segment_id or 0  # segment ids start at 1
    rows = await Listing.raw(_CACHED, segment, in_stock)
    if rows:
        row = rows[0]
        facets = {
            kind: [tuple(value) for value in (json.loads(row[column]) if isinstance(row[column], str) else row[column])]
            for kind, column in (("category", "categories"), ("brand", "brands"), ("vendor", "vendors"))
        }
        return _CatalogFacets(total=row["total"], facets=facets)  # type: ignore[arg-type]
    statement = _summary_statement(context, [], Filters(in_stock=in_stock), 0, 0, snapshot=True)
    rows = await Listing.raw(statement.sql, *statement.args)
    found = _rows_found(rows)
    snapshot = next(row["label"] for row in rows if row["kind"] == "snapshot")
    # Only from outside a transaction: counts that include uncommitted changes must never be shared.
    if Listing._meta.db.current_transaction.get() is None:
        await Listing.raw(
            _STORE, segment, in_stock, found.total,
            *(json.dumps(found.facets[kind]) for kind in ("category", "brand", "vendor")), snapshot,
        )
    return _CatalogFacets(total=found.total, facets=found.facets)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune of the catalog change log did: the new watermark (an xid, as text) and the rows it deleted."""

    watermark: str
    changes: int
    caches: int


async def prune_catalog_changes() -> Pruned | None:
    """Deletes the change-log rows no cached facet count can need any more, and the cache rows that could
    need them (one statement; idempotent). None on SQLite, which keeps no change log."""
    if is_sqlite():
        return None
    rows = await Listing.raw(_PRUNE)
    return Pruned(watermark=rows[0]["watermark"], changes=rows[0]["changes"], caches=rows[0]["caches"])


@dataclass(frozen=True, slots=True)
class _Rows:
    hits: list[int]
    listing_ids: list[int]
    total: int
    facets: dict[str, list[tuple[object, str, int]]]


def _rows_found(rows: list[dict]) -> _Rows:
    """The page, its offers, the total and the facets from the rows of a search statement."""
    hits = sorted((row["n"], row["id"]) for row in rows if row["kind"] == "hit")
    total = next((row["n"] for row in rows if row["kind"] == "total"), 0)
    facets: dict[str, list[tuple[object, str, int]]] = {"category": [], "brand": [], "vendor": []}
    for row in rows:
        if row["kind"] in facets:
            key = row["label"] if row["kind"] == "brand" else row["id"]
            facets[row["kind"]].append((key, row["label"] or str(key), row["n"]))
    return _Rows(
        hits=[product_id for _, product_id in hits],
        listing_ids=sorted({row["id"] for row in rows if row["kind"] == "offer"}),
        total=total, facets=facets,
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
    catalog: _CatalogFacets | None = None
    if is_sqlite() or _priced(filters):
        statement = _search_statement(context, terms, filters, per_page, offset, sqlite=is_sqlite())
    elif terms:
        statement = _summary_statement(context, terms, filters, per_page, offset)
    else:
        # Without words, a facet whose filter is the only one (all three for a plain browse) counts the whole
        # catalog: those come from the cache, everything else from the products passing a filter.
        chosen = _chosen_filters(filters)
        if len(chosen) <= 1:
            catalog = await _catalog_facets(context, filters.in_stock)
        if not chosen:
            statement = _browse_statement(context, filters, per_page, offset)
        else:
            statement = _summary_statement(context, terms, filters, per_page, offset, restrict=True,
                                           skip=chosen if len(chosen) == 1 else frozenset())
    found = _rows_found(await Listing.raw(statement.sql, *statement.args))
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
        f" WHERE l.id IN ({_placeholders(listing_ids)})",
        *listing_ids,
    )


def _offer_out(listing: dict, price: ResolvedPrice) -> OfferOut:
    return OfferOut(
        listing_id=listing["id"], sku=listing["sku"], vendor_id=listing["vendor"], vendor=listing["vendor_name"],
        unit_price=price.unit_price, currency=price.currency, price_source=price.source, price_reason=price.why,
        price_reference=price.reference, price_min_qty=price.min_qty, lead_time_days=listing["lead_time_days"],
        stock=listing["stock"], min_order_qty=listing["min_order_qty"], unit=listing["unit"],
    )


def _by_price(currency: str):  # type: ignore[no-untyped-def]
    def key(offer: OfferOut) -> tuple:  # type: ignore[type-arg]
        return (offer.currency != currency, offer.unit_price, offer.lead_time_days, offer.listing_id)

    return key


async def search_products(
    principal: Principal, text: str, filters: Filters, page: int = 1, per_page: int = 20
) -> SearchResult:
    """One page of the products this buyer may see that match `text` and `filters`, with facets."""
    if page < 1:
        raise InvalidInput("page starts at 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    context = _context(principal)
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
            ProductOut(
                id=product_id, name=first["name"], brand=first["brand"] or "", mpn=first["mpn"] or "",
                gtin=first["gtin"] or "", category_id=first["category_id"], featured=bool(first["featured"]),
                offers=sorted((_offer_out(row, prices[row["id"]]) for row in rows), key=_by_price(context.currency)),
            )
        )
    return SearchResult(items=items, total=found.total, page=page, per_page=per_page, facets=found.facets)


# --- product page -------------------------------------------------------------------------------


async def product_detail(principal: Principal, product_id: int, quantity: int = 1) -> ProductDetail:
    """The product with every offer this buyer may see, cheapest first for `quantity` units.

    404 when the buyer may see no offer of it: an invisible product does not exist for them.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QUANTITY}")
    context = _context(principal)
    visible, args = visible_offer_sql(context.buyer.segment_id)
    rows = await Listing.raw(
        f"""SELECT l.id, l.sku, l.lead_time_days, l.stock, l.min_order_qty, l.unit, l.vendor,
                   v.name AS vendor_name, p.name, p.brand, p.mpn, p.gtin, p.unit AS product_unit, p.description,
                   p.featured, p.category AS category_id, c.name AS category_name
            {_FROM} WHERE p.id = {{}} AND {visible}""",
        product_id, *args,
    )
    if not rows:
        raise NotFound("No such product.")
    prices = await resolve_prices({row["id"]: quantity for row in rows}, context.buyer)
    first = rows[0]
    return ProductDetail(
        id=product_id, name=first["name"], brand=first["brand"] or "", mpn=first["mpn"] or "",
        gtin=first["gtin"] or "", unit=first["product_unit"] or "", description=first["description"] or "",
        category_id=first["category_id"], category=first["category_name"] or "", featured=bool(first["featured"]),
        quantity=quantity,
        offers=sorted((_offer_out(row, prices[row["id"]]) for row in rows), key=_by_price(context.currency)),
    )
