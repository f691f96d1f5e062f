"""The header of every page counts the caller's unread notifications: an index on (recipient, read_at) answers that
count, and lists one user's notifications, without reading anyone else's rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of a user's notifications by read state"

INDEXES = [
    "CREATE INDEX notification_recipient_read ON notification (recipient, read_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[2]}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
