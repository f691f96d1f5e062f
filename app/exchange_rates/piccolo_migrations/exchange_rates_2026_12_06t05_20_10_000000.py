from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:20:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "one exchange rate per pair of currencies and day (a composite unique index)"

INDEXES = [
    "CREATE UNIQUE INDEX exchange_rate_pair_day_unique ON exchange_rate (base, quote, valid_on)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="exchange_rates", description=DESCRIPTION)

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
