"""The indexes of the precomputed analytics: one competitiveness row per buyer, vendor, month and currency (unique,
the refresh adds to it), the awarded RFQs whose facts are not written yet (a partial index: the per-request check
reads an empty index, not two counts), and a vendor's competitiveness by buyer."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:31:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "precomputed analytics: indexes (#15)"

INDEXES = (
    ("vendor_month_unique",
     "CREATE UNIQUE INDEX IF NOT EXISTS vendor_month_unique ON vendor_month (vendor, buyer, month, currency)"),
    ("rfq_facts_due",
     "CREATE INDEX IF NOT EXISTS rfq_facts_due ON rfq (id) WHERE status = 'awarded' AND facts_written_at IS NULL"),
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
