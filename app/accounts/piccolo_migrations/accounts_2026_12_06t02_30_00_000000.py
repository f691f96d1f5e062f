"""Every member has a locale and a time zone (issue #16): pages, PDFs and e-mails show money and times in them.

English and UTC to start with; the next migration gives existing members their company country's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "locale and time zone of each member"


def _varchar(length: int, default: str) -> dict:
    return {
        "length": length, "default": default, "null": False, "primary_key": False, "unique": False,
        "index": False, "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    for name, length, default in (("locale", 20, "en"), ("time_zone", 64, "UTC")):
        manager.add_column(
            table_class_name="Membership", tablename="membership", column_name=name, db_column_name=name,
            column_class_name="Varchar", column_class=Varchar, params=_varchar(length, default), schema=None,
        )

    return manager
