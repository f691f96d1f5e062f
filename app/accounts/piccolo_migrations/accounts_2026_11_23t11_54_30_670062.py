from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T11:54:30:670062"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes (SQLite cannot ALTER TABLE ADD CONSTRAINT)"

INDEXES = [
    "CREATE UNIQUE INDEX company_kind_name_unique ON company (kind, lower(name))",
    "CREATE UNIQUE INDEX member_role_unique ON member_role (membership, role)",
    "CREATE UNIQUE INDEX piccolo_user_email_unique ON piccolo_user (lower(email))",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            name = statement.split()[3]
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
