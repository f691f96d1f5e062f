from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T13:04:34:360459"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes that back the bidding invariants (SQLite cannot ALTER TABLE ADD CONSTRAINT)"

INDEXES = [
    "CREATE UNIQUE INDEX rfq_invitation_unique ON rfq_invitation (rfq, vendor)",
    "CREATE UNIQUE INDEX rfq_line_position_unique ON rfq_line (rfq, position)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rfq", description=DESCRIPTION)

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
