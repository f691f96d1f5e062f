"""The indexes of the monthly savings: one row per buyer, month, category, vendor, cost center and currency (unique,
the refresh adds to it); the facts by RFQ line (the consumed value joins them from the few contract lines that orders
took from, found by a partial index)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:38:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "savings per month: indexes (#15)"

INDEXES = (
    ("savings_month_unique", "CREATE UNIQUE INDEX IF NOT EXISTS savings_month_unique ON savings_month "
                             "(buyer, month, category, vendor, cost_center, currency)"),
    ("award_fact_rfq_line", "CREATE INDEX IF NOT EXISTS award_fact_rfq_line ON award_fact (rfq_line)"),
    ("contract_line_consumed", "CREATE INDEX IF NOT EXISTS contract_line_consumed ON contract_line (rfq_line) "
                               "WHERE consumed_qty > 0"),
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
