"""The rules of ordering a race cannot break: one purchase order number per buyer company, one checkout per
idempotency key, positions unique within their order, quantities of at least 1, and a listing's stock never below
zero (the checkout's conditional update reserves it; this is the last word), and a tax rate from 0 to 100 %."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique PO number and idempotency key per company; positive quantities; stock not negative; tax rate a percentage"

INDEXES = [
    "CREATE UNIQUE INDEX order_group_po_number_unique ON order_group (company, po_number)",
    "CREATE UNIQUE INDEX order_group_idempotency_unique ON order_group (company, idempotency_key)"
    " WHERE idempotency_key IS NOT NULL",
    "CREATE UNIQUE INDEX purchase_order_position_unique ON purchase_order (\"group\", position)",
    "CREATE UNIQUE INDEX order_line_position_unique ON order_line (\"order\", position)",
    "CREATE UNIQUE INDEX shipment_number_unique ON shipment (\"order\", number)",
    "CREATE INDEX purchase_order_vendor_placed ON purchase_order (vendor, placed_at)",
    "CREATE INDEX purchase_order_buyer_placed ON purchase_order (buyer, placed_at)",
]
# (table, constraint, condition)
CHECKS = [
    ("order_line", "order_line_quantity_positive", "quantity >= 1"),
    ("shipment_line", "shipment_line_quantity_positive", "quantity >= 1"),
    ("receipt_line", "receipt_line_quantity_positive", "quantity >= 1"),
    ("requisition_list_line", "requisition_list_line_quantity_positive", "quantity >= 1"),
    ("listing", "listing_stock_not_negative", "stock >= 0"),
    # A tax rate is a percentage; NULL (the marketplace's default) passes: NOT (NULL BETWEEN …) is not true.
    ("listing", "listing_tax_rate_percent", "tax_rate BETWEEN 0 AND 100"),
]


def _sqlite_triggers(table: str, name: str, condition: str) -> list[str]:
    # SQLite cannot add a CHECK to an existing table: two triggers refuse what the check would.
    return [
        f"""CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
            WHEN NOT (NEW.{condition})
            BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"""
        for event in ("INSERT", "UPDATE")
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        sqlite = engine.engine_type == "sqlite"
        for statement in INDEXES:
            await engine.run_ddl(statement)
        for table, name, condition in CHECKS:
            if sqlite:
                for statement in _sqlite_triggers(table, name, condition):
                    await engine.run_ddl(statement)
            else:
                # NOT VALID: old rows are not rescanned (a listing table can be large); new writes are checked.
                await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")

    async def drop():
        engine = engine_finder()
        sqlite = engine.engine_type == "sqlite"
        for table, name, _ in CHECKS:
            if sqlite:
                for event in ("insert", "update"):
                    await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}_{event}")
            else:
                await engine.run_ddl(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[3 if 'UNIQUE' in statement else 2]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
