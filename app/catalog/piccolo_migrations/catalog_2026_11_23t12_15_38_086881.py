from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:15:38:086881"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes (SQLite cannot ALTER TABLE ADD CONSTRAINT)"

INDEXES = [
    "CREATE UNIQUE INDEX listing_vendor_sku_unique ON listing (vendor, sku)",
    "CREATE UNIQUE INDEX listing_tier_unique ON listing_tier (listing, min_qty)",
    "CREATE UNIQUE INDEX price_list_entry_unique ON price_list_entry (price_list, listing, min_qty)",
    "CREATE UNIQUE INDEX segment_rule_unique ON segment_rule (segment, target, target_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[3]}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
