"""The SQL of a feed import's writes: listings upserted by SKU, rows staged for all or nothing, then written at once."""

from __future__ import annotations

from collections.abc import Iterable

from app.vendors.tables import FeedImportRow

_UPSERT_COLUMNS = (
    "vendor", "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size",
    "min_order_qty", "stock", "lead_time_days", "base_price", "currency", "tax_rate", "status",
    "rejection_reason", "created_at", "updated_at", "submitted_at",
)  # fmt: skip
_UPDATED_ON_CONFLICT = [
    c for c in _UPSERT_COLUMNS if c not in {"vendor", "sku", "created_at", "rejection_reason", "submitted_at"}
]
CURATED_COLUMNS = ("title", "brand", "mpn", "gtin", "description", "unit", "pack_size")
# What a row brings (the rest is the vendor, the time and an empty rejection reason): the columns of
# PostgreSQL's per-batch temporary table and of the staging table `FeedImportRow`.
STAGED_COLUMNS = (
    "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size", "min_order_qty",
    "stock", "lead_time_days", "base_price", "currency", "tax_rate", "status", "submitted_at",
)  # fmt: skip


def _names(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


# A null submission time keeps the listing's: only a row that sends the listing to curation sets one.
_ON_CONFLICT = (
    "ON CONFLICT (vendor, sku) DO UPDATE SET "
    + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in _UPDATED_ON_CONFLICT)
    + ', "submitted_at" = COALESCE(EXCLUDED."submitted_at", listing."submitted_at")'
)


def _insert_listings_from(source: str, *, vendor: str, now: str, where: str = "") -> str:
    """The one upsert of listings by SKU: from `source` (rows of `STAGED_COLUMNS` and a position)."""
    return (
        f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) "  # noqa: S608 - only our names and placeholders
        f"SELECT {vendor}, {_names(STAGED_COLUMNS[:-1])}, '', {now}, {now}, submitted_at FROM {source} {where} "
        f"ORDER BY position {_ON_CONFLICT}"
    )


_ROW_PLACEHOLDERS = "(" + ", ".join("{}" for _ in _UPSERT_COLUMNS) + ")"


def sqlite_upsert(rows: int) -> str:
    """SQLite: the upsert of `rows` listings as one multi-row INSERT … ON CONFLICT (placeholders `{}`)."""
    placeholders = ", ".join(_ROW_PLACEHOLDERS for _ in range(rows))
    return f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) VALUES {placeholders} {_ON_CONFLICT} RETURNING id, sku"  # noqa: S608


# PostgreSQL: a batch is COPYed into a temporary table and upserted from there with one INSERT … SELECT.
# Not one multi-row INSERT with bound parameters, as on SQLite, because asyncpg caches prepared
# statements and PostgreSQL gives a cached statement a generic plan after five runs: there, the
# `sku IN ($2, …, $1001)` of the look-up of existing listings is an array of parameters compared
# linearly with every listing of the vendor (344 ms per batch at 20,000 listings, growing with each
# batch: quadratic); and a 20,000-parameter statement costs ~40 ms to parse, plan and bind.
#
# The temporary table has the listing's column types (CREATE TABLE AS) and is dropped at commit.
PG_STAGE = (
    "CREATE TEMPORARY TABLE feed_listing ON COMMIT DROP AS "  # noqa: S608 - only our column names
    f"SELECT 0 AS position, {_names(STAGED_COLUMNS)} FROM listing WITH NO DATA"
)
# The LIMIT keeps the lateral subquery from being flattened into a join: each SKU is one probe of the
# (vendor, sku) unique index, whatever the statistics say (they are stale while a big import runs).
PG_EXISTING = (
    f"SELECT l.sku, l.status, l.submitted_at, {_names(CURATED_COLUMNS, 'l.')} "  # noqa: S608
    "FROM unnest($2::varchar[]) AS wanted (sku) CROSS JOIN LATERAL "
    "(SELECT * FROM listing WHERE listing.vendor = $1 AND listing.sku = wanted.sku LIMIT 1) AS l"
)
_SQLITE_EXISTING = (
    f"SELECT sku, status, submitted_at, {_names(CURATED_COLUMNS)} FROM listing "  # noqa: S608
    "WHERE vendor = ? AND sku IN"
)


def sqlite_existing(skus: int) -> str:
    """SQLite: the vendor's listings of `skus` SKUs (placeholders `?`: the vendor, then the SKUs)."""
    return f"{_SQLITE_EXISTING} ({', '.join('?' for _ in range(skus))})"


# $1 = the vendor, $2 = now.
PG_UPSERT = _insert_listings_from("feed_listing", vendor="$1", now="$2") + " RETURNING id, sku"
PG_DELETE_TIERS = "DELETE FROM listing_tier WHERE listing = ANY($1::integer[])"

# All or nothing: the checked rows wait in `FeedImportRow` / `FeedImportTier`, one row per SKU (a later
# row of the file replaces the staged one: its values, its tiers, its `row_number`; the first row's
# position stays, so listings are created in the file's order).
STAGE_COLUMNS = ("feed_import", "position", "row_number", *STAGED_COLUMNS, "seen_status", "seen_changed")
_ON_STAGED_CONFLICT = "ON CONFLICT (feed_import, sku) DO UPDATE SET " + ", ".join(
    f'"{c}" = EXCLUDED."{c}"' for c in STAGE_COLUMNS if c not in {"feed_import", "position", "sku"}
)
TIER_COLUMNS = ("feed_import", "sku", "row_number", "min_qty", "unit_price")
SQLITE_STAGE_ROW = (
    f"INSERT INTO feed_import_row ({_names(STAGE_COLUMNS)}) "  # noqa: S608 - only our column names
    f"VALUES ({', '.join('?' for _ in STAGE_COLUMNS)}) {_ON_STAGED_CONFLICT}"
)
SQLITE_STAGE_TIER = (
    f"INSERT INTO feed_import_tier ({_names(TIER_COLUMNS)}) VALUES ({', '.join('?' for _ in TIER_COLUMNS)})"  # noqa: S608
)
# PostgreSQL COPYs a batch, or when a SKU is staged already, upserts it as column arrays ($1 = the import).
PG_STAGE_ROWS = (
    f"INSERT INTO feed_import_row ({_names(STAGE_COLUMNS)}) SELECT $1, * FROM unnest("  # noqa: S608
    + ", ".join(
        f"${n}::{FeedImportRow._meta.get_column_by_name(column).column_type}[]"
        for n, column in enumerate(STAGE_COLUMNS[1:], start=2)
    )
    + f") {_ON_STAGED_CONFLICT}"
)
# The write of an import: placeholders are the vendor then the import, except where said.
# Staged rows whose listing is not as it was when they were staged (it appeared, went, or its status
# or product facts moved since): their status is decided again, with the listing as it is now.
RESTAGE = (
    f"SELECT s.id, {_names(STAGED_COLUMNS[:-2], 's.')}, l.status AS listing_status, "  # noqa: S608
    + ", ".join(f'l."{c}" AS "listing_{c}"' for c in CURATED_COLUMNS)
    + " FROM feed_import_row s LEFT JOIN listing l ON l.vendor = {} AND l.sku = s.sku WHERE s.feed_import = {} "
    "AND CASE WHEN l.id IS NULL THEN s.seen_status IS NOT NULL ELSE s.seen_status IS NULL "
    "OR l.status <> s.seen_status OR (" + " OR ".join(f'l."{c}" <> s."{c}"' for c in CURATED_COLUMNS)
    + ") <> s.seen_changed END"
)
# Tiers are replaced: first those of the listings that exist (before the upsert: new ones have none).
_STAGED_LISTING_IDS = (
    "SELECT l.id FROM feed_import_row s JOIN listing l ON l.vendor = {} AND l.sku = s.sku WHERE s.feed_import = {}"
)
SQLITE_DELETE_STAGED_LISTINGS_TIERS = f"DELETE FROM listing_tier WHERE listing IN ({_STAGED_LISTING_IDS})"  # noqa: S608
# PostgreSQL: `= ANY(ARRAY(…))` probes the listing index per id; `IN (…)`, planned from the stale
# statistics of a just-filled staging table, became a hash join over every vendor's tiers.
PG_DELETE_STAGED_LISTINGS_TIERS = f"DELETE FROM listing_tier WHERE listing = ANY(ARRAY({_STAGED_LISTING_IDS}))"  # noqa: S608
# Placeholders: the vendor, now, now, the import.
WRITE_STAGED_LISTINGS = _insert_listings_from("feed_import_row", vendor="{}", now="{}", where="WHERE feed_import = {}")
# A tier is written when it belongs to the row now staged for its SKU (a later row of the file replaced the
# earlier one's tiers), for that SKU's listing: two probes of unique indexes per tier, as subqueries, because
# PostgreSQL plans joins here from statistics taken before this import filled the staging tables and wrote the
# vendor's listings. Joined, it filtered every tier against all the vendor's listings ("1 row" for 100,000) and
# against all staged rows: rows x tiers (minutes, not seconds, for a 100,000-row import). Placeholders: the
# vendor, the import.
WRITE_STAGED_TIERS = (
    "INSERT INTO listing_tier (listing, min_qty, unit_price) "
    "SELECT (SELECT l.id FROM listing l WHERE l.vendor = {} AND l.sku = t.sku), t.min_qty, t.unit_price "
    "FROM feed_import_tier t WHERE t.feed_import = {} AND t.row_number = "
    "(SELECT s.row_number FROM feed_import_row s WHERE s.feed_import = t.feed_import AND s.sku = t.sku)"
)
