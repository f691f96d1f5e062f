"""Indexes for finding listings by an article number alone: a quick order (and a requisition-list import) looks up
up to 5,000 SKUs and MPNs at once, across vendors. The unique (vendor, sku) index cannot serve a lookup by SKU
without the vendor, and the listing's MPN had none: without these, each lookup read all 500,000 listings of the
benchmark (140 ms for the SKUs alone). The SKU's index holds the vendor too: a feed import's lookup of its
vendor's SKUs, planned without statistics, may take it, and then still finds each listing by one probe of both
columns (an index of the SKU alone made it filter every listing of that SKU by vendor). Same statements on both
backends."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-05T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "listing lookups by SKU and MPN across vendors"

FORWARDS = [
    "CREATE INDEX IF NOT EXISTS listing_sku_vendor ON listing (sku, vendor)",
    "CREATE INDEX IF NOT EXISTS listing_mpn ON listing (mpn)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS listing_mpn",
    "DROP INDEX IF EXISTS listing_sku_vendor",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl("ANALYZE listing")

    async def drop_indexes():
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
