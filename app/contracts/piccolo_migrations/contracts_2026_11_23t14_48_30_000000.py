from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T14:48:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one contract per rfq and vendor, one line per rfq line, one current and one proposed version"

INDEXES = [
    ("contract_rfq_vendor_unique", "CREATE UNIQUE INDEX contract_rfq_vendor_unique ON contract (rfq, vendor)"),
    ("contract_line_unique", "CREATE UNIQUE INDEX contract_line_unique ON contract_line (contract, rfq_line)"),
    ("contract_line_tier_unique",
     "CREATE UNIQUE INDEX contract_line_tier_unique ON contract_line_tier (line, min_qty)"),
    ("contract_version_unique",
     "CREATE UNIQUE INDEX contract_version_unique ON contract_version (contract, number)"),
    ("contract_version_one_current",
     "CREATE UNIQUE INDEX contract_version_one_current ON contract_version (contract) WHERE status = 'current'"),
    ("contract_version_one_proposed",
     "CREATE UNIQUE INDEX contract_version_one_proposed ON contract_version (contract) WHERE status = 'proposed'"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for _, statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for name, _ in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
