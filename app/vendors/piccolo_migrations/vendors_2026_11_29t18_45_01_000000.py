from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T18:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (import, SKU) of staged rows (a migration's raw SQL runs before its new tables exist)"

INDEXES = ["CREATE UNIQUE INDEX feed_import_row_sku_unique ON feed_import_row (feed_import, sku)"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="vendors", description=DESCRIPTION)

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
