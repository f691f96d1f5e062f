"""The credit exposure reads only a company's open orders and open invoices, whatever its history: a partial index of
the orders that can still hold credit (not released, not billed in full) and one of the open invoices; and the flag
filled for the orders already billed in full (new invoices keep it: app/billing/credit.py `refresh_billed`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial indexes of the orders and invoices that hold credit; billed_in_full filled"

INDEXES = [
    "CREATE INDEX purchase_order_credit_open ON purchase_order (buyer, currency) "
    "WHERE status NOT IN ('cancelled', 'rejected') AND NOT billed_in_full",
    "CREATE INDEX invoice_credit_open ON invoice (buyer, currency) WHERE status IN ('issued', 'overdue')",
]
FILL = """
UPDATE purchase_order SET billed_in_full = NOT EXISTS (
  SELECT 1 FROM order_line ol WHERE ol."order" = purchase_order.id AND ol.gross > COALESCE(
    (SELECT SUM(il.gross) FROM invoice_line il JOIN invoice i ON i.id = il.invoice
     WHERE il.order_line = ol.id AND i.status <> 'cancelled'), 0))
WHERE EXISTS (SELECT 1 FROM invoice_line il WHERE il."order" = purchase_order.id)
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        await engine.run_ddl(FILL)
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[2]}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
