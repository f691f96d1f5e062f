"""The savings facts' indexes: one fact per award (unique), a buyer's facts by day, and contract lines by RFQ line
(the consumed value is read through it). Same statements on both backends (a migration's raw step runs before its
tables and columns, hence a second migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "savings facts: indexes (#15)"

INDEXES = (
    ("award_fact_award_unique", "CREATE UNIQUE INDEX IF NOT EXISTS award_fact_award_unique ON award_fact (award)"),
    ("award_fact_buyer_day", "CREATE INDEX IF NOT EXISTS award_fact_buyer_day ON award_fact (buyer, awarded_on)"),
    ("contract_line_rfq_line", "CREATE INDEX IF NOT EXISTS contract_line_rfq_line ON contract_line (rfq_line)"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="analytics", description=DESCRIPTION)

    async def create():
        for _, statement in INDEXES:
            await engine_finder().run_ddl(statement)

    async def drop():
        for name, _ in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
