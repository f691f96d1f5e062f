"""A budget's figures and a user's month read the orders charged in one period, whatever the history: the charges
indexed by cost center and by user together with their day."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:45:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "order_charge indexed by (cost_center, counts_on) and (user, counts_on)"

INDEXES = [
    "CREATE INDEX order_charge_cost_center_day ON order_charge (cost_center, counts_on)",
    'CREATE INDEX order_charge_user_day ON order_charge ("user", counts_on)',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="spending", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[2]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
