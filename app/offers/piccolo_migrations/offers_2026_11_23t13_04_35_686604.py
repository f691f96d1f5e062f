from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T13:04:35:686604"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes that back the bidding invariants (SQLite cannot ALTER TABLE ADD CONSTRAINT)"

INDEXES = [
    "CREATE UNIQUE INDEX offer_live_unique ON offer (rfq, vendor) WHERE status = 'live'",
    "CREATE UNIQUE INDEX offer_revision_unique ON offer_revision (offer, number)",
    "CREATE UNIQUE INDEX offer_line_unique ON offer_line (revision, rfq_line)",
    "CREATE UNIQUE INDEX award_line_unique ON award (rfq_line)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="offers", description=DESCRIPTION)

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
