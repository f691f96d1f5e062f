"""PostgreSQL searches without prices: the search statement's rows, read from one `product_search` row per product."""

from __future__ import annotations

from app.catalog import search
from app.catalog.buyer_offers import BuyerContext
from app.catalog.search import Filters, Sort
from app.catalog.search_sql import Statement, products_order
from app.catalog.states import ListingStatus
from app.catalog.visibility import vendor_rules_sql, vendor_visible_sql, vendors_visible_sql, visible_product_row_sql


def summary_statement(
    context: BuyerContext, terms: list[str], filters: Filters, limit: int, offset: int,
    *, restrict: bool = False, skip: frozenset[str] = frozenset(), snapshot: bool = False,
) -> Statement:
    """`search_sql.search_statement` for PostgreSQL searches without prices: the same rows, read from one
    summary row per product (`product_search`: the vendors of its approved listings and its own fields)
    instead of its listings. Only the page's offers are read from `listing`.

    A product is a candidate with the vendors that could show it: all vendors of its approved listings (in
    stock if asked) when its own words match, or only the vendors of its listings whose SKU brought the
    missing words (`by_sku`). The vendor half of the visibility rule is then a test on that array
    (app/catalog/visibility.py), the product half a test on the row.
    """
    match = search.text_match(terms, sqlite=False)
    segment = context.buyer.segment_id
    vendors = "ps.stocked" if filters.in_stock else "ps.vendors"
    columns = "ps.featured, ps.name_key, ps.category AS category_id, ps.brand, ps.active"
    q = Statement()
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
    order = products_order(Sort.RELEVANCE)
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


def browse_statement(context: BuyerContext, filters: Filters, limit: int, offset: int) -> Statement:
    """A PostgreSQL search without words, filters or prices: the page of visible products in the relevance
    order (featured first, then by name: every score is the same) from its index, stopping after the page,
    and the page's offers. The total and the facets are the whole catalog's (`facet_cache.catalog_facets`)."""
    segment = context.buyer.segment_id
    vendors = "ps.stocked" if filters.in_stock else "ps.vendors"
    q = Statement()
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
