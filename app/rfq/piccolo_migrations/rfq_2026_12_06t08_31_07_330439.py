from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T08:31:07:330439"
VERSION = "1.38.0"
DESCRIPTION = "when the savings facts of an awarded RFQ were written (#15)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rfq", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Rfq",
        tablename="rfq",
        column_name="facts_written_at",
        db_column_name="facts_written_at",
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
