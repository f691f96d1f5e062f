"""The rules of billing a race cannot break: one invoice number per vendor, one set of terms per company (and per
vendor relationship), positive quantities and payments, an invoice never paid past its gross, terms of 0 to 365 days
and limits not below zero."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique invoice number per vendor and terms per company and vendor; amounts within bounds"

INDEXES = [
    "CREATE UNIQUE INDEX invoice_number_unique ON invoice (vendor, number)",
    "CREATE UNIQUE INDEX payment_term_unique ON payment_term (company, COALESCE(vendor, 0))",
    "CREATE UNIQUE INDEX invoice_line_position_unique ON invoice_line (invoice, position)",
    "CREATE INDEX invoice_buyer_status ON invoice (buyer, status)",
]
# (table, constraint, condition): `{n}` prefixes each column ("NEW." in SQLite's triggers).
CHECKS = [
    ("invoice", "invoice_paid_within_gross", "{n}paid >= 0 AND {n}paid <= {n}gross"),
    ("invoice_line", "invoice_line_quantity_positive", "{n}quantity >= 1"),
    ("invoice_payment", "invoice_payment_positive", "{n}amount > 0"),
    ("credit_limit", "credit_limit_not_negative", "{n}amount >= 0"),
    ("payment_term", "payment_term_days_range", "{n}days BETWEEN 0 AND 365"),
]


def _sqlite_triggers(table: str, name: str, condition: str) -> list[str]:
    # SQLite cannot add a CHECK to an existing table: two triggers refuse what the check would.
    return [
        f"""CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
            WHEN NOT ({condition.format(n='NEW.')})
            BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"""
        for event in ("INSERT", "UPDATE")
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

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
                await engine.run_ddl(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition.format(n='')})")

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
