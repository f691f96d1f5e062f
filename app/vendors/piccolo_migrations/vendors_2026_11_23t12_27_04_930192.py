from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T12:27:04:930192"
VERSION = "1.38.0"
DESCRIPTION = "import phase and heartbeat"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="vendors", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="FeedImport",
        tablename="feed_import",
        column_name="heartbeat_at",
        db_column_name="heartbeat_at",
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

    manager.add_column(
        table_class_name="FeedImport",
        tablename="feed_import",
        column_name="phase",
        db_column_name="phase",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "checking",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "ImportPhase", {"CHECKING": "checking", "WRITING": "writing"}
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
