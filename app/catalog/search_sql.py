"""The search statement on both databases: the page's product ids and offers, the total and the facets, in one.

Its common table expressions (the same SQL on both backends):

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
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR

from app.catalog import search
from app.catalog.buyer_offers import BuyerContext
from app.catalog.search import Filters, Sort
from app.catalog.visibility import visible_listing_sql, visible_product_sql
from app.clock import utcnow
from app.money import MAX_MINOR, MINOR_PER_UNIT

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
      -- A contract line ordered up to its committed quantity prices nothing more (catalog/pricing.py).
      AND NOT EXISTS (SELECT 1 FROM contract_line cl WHERE cl.id = cp.contract_line
                      AND cl.committed_qty IS NOT NULL AND cl.consumed_qty >= cl.committed_qty)
),
ranked AS (
    SELECT listing_id, product_id, vendor_id, score, price, currency,
           ROW_NUMBER() OVER (PARTITION BY listing_id ORDER BY source_rank, min_qty DESC, price) AS n
    FROM candidates
)"""


class Statement:
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


def needs_prices(filters: Filters) -> bool:
    """Whether the order or a filter needs every matching offer's price before the page is cut."""
    return (filters.sort in (Sort.PRICE_ASC, Sort.PRICE_DESC) or filters.min_price is not None
            or filters.max_price is not None)


def needs_search_statement(filters: Filters) -> bool:
    """Whether only `search_statement` gives this order: a price's (it prices every matching offer) or a name's
    (PostgreSQL's shorter roads order by relevance only)."""
    return needs_prices(filters) or filters.sort in search.NAME_SORTS


def _price_bounds(filters: Filters) -> tuple[int | None, int | None]:
    """The price range in stored minor units: `price >= low` and `price <= high` exactly as on Decimals."""
    low = high = None
    if filters.min_price is not None:  # the smallest storable price not below the bound
        low = min(int((filters.min_price * MINOR_PER_UNIT).to_integral_value(rounding=ROUND_CEILING)), MAX_MINOR)
    if filters.max_price is not None:  # the largest storable price not above it
        high = min(int((filters.max_price * MINOR_PER_UNIT).to_integral_value(rounding=ROUND_FLOOR)), MAX_MINOR)
    return low, high


def _price_ok(statement: Statement, column: str, filters: Filters) -> None:
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


def products_order(sort: Sort) -> str:
    """The order of `search._order` over the columns of the `products` rows."""
    if sort is Sort.RELEVANCE:
        return "score DESC, featured DESC, name_key, product_id"
    if sort is Sort.NAME_ASC:
        return "name_key, product_id"
    if sort is Sort.NAME_DESC:
        return "name_key DESC, product_id DESC"
    direction = "ASC" if sort is Sort.PRICE_ASC else "DESC"
    return f"(price IS NULL), price {direction}, name_key, product_id"


def _product_filters(q: Statement, filters: Filters) -> None:
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
    q: Statement, context: BuyerContext, filters: Filters, match: search.TextMatch | None, priced: bool
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


def search_statement(
    context: BuyerContext, terms: list[str], filters: Filters, limit: int, offset: int, *, sqlite: bool
) -> Statement:
    """One statement: the page's product ids (kind 'hit', n = position), the total and the facet counts."""
    match = search.text_match(terms, sqlite=sqlite)
    priced = needs_prices(filters)
    q = Statement()
    # Only constant fragments are formatted in; every value is a parameter.
    _matching_products(q, context, filters, match, priced)
    source = "priced" if priced else "offers"
    q.add(
        ", hits AS (SELECT product_id, score, featured, name_key, price FROM products"
        " WHERE kept = 1 AND category_ok = 1 AND brand_ok = 1 AND price_ok = 1)"
    )
    order = products_order(filters.sort)
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


@dataclass(frozen=True, slots=True)
class SearchRows:
    """What a search statement found: the page's product ids in order, their offers, the total and the facets."""

    hits: list[int]
    listing_ids: list[int]
    total: int
    facets: dict[str, list[tuple[object, str, int]]]


def rows_found(rows: list[dict]) -> SearchRows:
    """The page, its offers, the total and the facets from the rows of a search statement."""
    hits = sorted((row["n"], row["id"]) for row in rows if row["kind"] == "hit")
    total = next((row["n"] for row in rows if row["kind"] == "total"), 0)
    facets: dict[str, list[tuple[object, str, int]]] = {"category": [], "brand": [], "vendor": []}
    for row in rows:
        if row["kind"] in facets:
            key = row["label"] if row["kind"] == "brand" else row["id"]
            facets[row["kind"]].append((key, row["label"] or str(key), row["n"]))
    return SearchRows(
        hits=[product_id for _, product_id in hits],
        listing_ids=sorted({row["id"] for row in rows if row["kind"] == "offer"}),
        total=total, facets=facets,
    )
