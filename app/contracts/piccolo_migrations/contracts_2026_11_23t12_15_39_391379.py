from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T12:15:39:391379"
VERSION = "1.38.0"
DESCRIPTION = "contract prices are unique per company, listing, tier and start"

INDEXES = [
    "CREATE UNIQUE INDEX contract_price_unique ON contract_price (company, listing, min_qty, valid_from)",
    "CREATE INDEX contract_price_lookup ON contract_price (listing, company)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            name = statement.split()[3] if statement.startswith("CREATE UNIQUE") else statement.split()[2]
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
