"""Each consumption mark of a contract line once (unique index), and a consumed quantity never below zero."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one row per contract line and mark; consumed quantity not negative"

INDEXES = ["CREATE UNIQUE INDEX contract_line_mark_unique ON contract_line_mark (line, mark)"]
POSTGRES = ["ALTER TABLE contract_line ADD CONSTRAINT contract_line_consumed_not_negative CHECK (consumed_qty >= 0)"]
POSTGRES_BACK = ["ALTER TABLE contract_line DROP CONSTRAINT IF EXISTS contract_line_consumed_not_negative"]
SQLITE = [
    f"""CREATE TRIGGER contract_line_consumed_not_negative_{event.lower()} BEFORE {event} ON contract_line
        WHEN NEW.consumed_qty < 0
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: contract_line_consumed_not_negative'); END"""
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACK = [f"DROP TRIGGER IF EXISTS contract_line_consumed_not_negative_{event}" for event in ("insert", "update")]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in INDEXES + (SQLITE if engine.engine_type == "sqlite" else POSTGRES):
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in SQLITE_BACK if engine.engine_type == "sqlite" else POSTGRES_BACK:
            await engine.run_ddl(statement)
        await engine.run_ddl("DROP INDEX IF EXISTS contract_line_mark_unique")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
