from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T13:08:24:426682"
VERSION = "1.38.0"
DESCRIPTION = "rfq close_scheduled_for"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rfq", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Rfq",
        tablename="rfq",
        column_name="close_scheduled_for",
        db_column_name="close_scheduled_for",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
