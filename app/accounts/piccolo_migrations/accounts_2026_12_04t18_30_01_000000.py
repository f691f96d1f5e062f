"""At most one default address of each kind per company, in the database: a partial unique index over the addresses
that count (default and not archived), so two requests making two addresses the default at once cannot both win.
Both SQLite and PostgreSQL support partial indexes with the same statement.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T18:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one default address of each kind per company (a partial unique index)"

INDEXES = [
    "CREATE UNIQUE INDEX company_address_one_default ON company_address (company, kind)"
    " WHERE is_default AND archived_at IS NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            name = statement.split()[3]
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
