"""A cart's lines in the database: one line per listing in a cart (a unique index, which also serves a cart's lines
and lets `INSERT … ON CONFLICT` add to a line atomically), and a quantity of at least 1 (a CHECK constraint on
PostgreSQL; SQLite cannot add one to an existing table, so two triggers refuse it there).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T19:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one cart line per listing (unique index) and a positive quantity"

INDEXES = ["CREATE UNIQUE INDEX cart_line_listing_unique ON cart_line (cart, listing)"]
POSTGRES = ["ALTER TABLE cart_line ADD CONSTRAINT cart_line_quantity_positive CHECK (quantity >= 1)"]
POSTGRES_BACK = ["ALTER TABLE cart_line DROP CONSTRAINT IF EXISTS cart_line_quantity_positive"]
SQLITE = [
    f"""CREATE TRIGGER cart_line_quantity_positive_{event.lower()} BEFORE {event} ON cart_line
        WHEN NEW.quantity IS NULL OR NEW.quantity < 1
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cart_line_quantity_positive'); END"""
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACK = [f"DROP TRIGGER IF EXISTS cart_line_quantity_positive_{event}" for event in ("insert", "update")]


def _is_sqlite(engine) -> bool:  # type: ignore[no-untyped-def]
    return engine.engine_type == "sqlite"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in INDEXES + (SQLITE if _is_sqlite(engine) else POSTGRES):
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in SQLITE_BACK if _is_sqlite(engine) else POSTGRES_BACK:
            await engine.run_ddl(statement)
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[3]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
