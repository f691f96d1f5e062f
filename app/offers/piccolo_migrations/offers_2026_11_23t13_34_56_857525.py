from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T13:34:56:857525"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of counter-proposals: one open per offer, one line per RFQ line"

INDEXES = [
    "CREATE UNIQUE INDEX counter_proposal_open_unique ON counter_proposal (offer) WHERE status = 'open'",
    "CREATE UNIQUE INDEX counter_proposal_line_unique ON counter_proposal_line (proposal, rfq_line)",
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
