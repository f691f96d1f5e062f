"""Spending's invariants as unique indexes: a cost center's code once per company, a user once per cost center, one
budget per cost center, period, start and currency, one step position per approval request."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of cost centers, members, budgets and approval steps"

INDEXES = [
    "CREATE UNIQUE INDEX cost_center_code_unique ON cost_center (company, code)",
    "CREATE UNIQUE INDEX cost_center_member_unique ON cost_center_member (cost_center, \"user\")",
    "CREATE UNIQUE INDEX budget_period_unique ON budget (cost_center, period, starts_on, currency)",
    "CREATE UNIQUE INDEX approval_step_position_unique ON approval_step (request, position)",
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
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[3]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
