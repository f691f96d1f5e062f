"""The whole-catalog facet cache (PostgreSQL; migration catalog_2026_11_23t15_30_00_000000): exact, never stale."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.catalog.buyer_offers import BuyerContext
from app.catalog.product_search_sql import summary_statement
from app.catalog.search import Filters
from app.catalog.search_sql import rows_found
from app.catalog.tables import Listing
from app.db import is_sqlite

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
class CatalogFacets:
    """The total and facet rows (key, label, count) of every product a segment may see."""

    total: int
    facets: dict[str, list[tuple[object, str, int]]]


async def catalog_facets(context: BuyerContext, in_stock: bool) -> CatalogFacets:
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
        return CatalogFacets(total=row["total"], facets=facets)  # type: ignore[arg-type]
    statement = summary_statement(context, [], Filters(in_stock=in_stock), 0, 0, snapshot=True)
    rows = await Listing.raw(statement.sql, *statement.args)
    found = rows_found(rows)
    snapshot = next(row["label"] for row in rows if row["kind"] == "snapshot")
    # Only from outside a transaction: counts that include uncommitted changes must never be shared.
    if Listing._meta.db.current_transaction.get() is None:
        await Listing.raw(
            _STORE, segment, in_stock, found.total,
            *(json.dumps(found.facets[kind]) for kind in ("category", "brand", "vendor")), snapshot,
        )
    return CatalogFacets(total=found.total, facets=found.facets)


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
