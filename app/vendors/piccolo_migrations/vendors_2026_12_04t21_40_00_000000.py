"""Staged feed rows carry the listing's tax rate (percent; null: the marketplace default), like the listing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Numeric
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tax rate of staged feed rows"


async def forwards():
    # add_column, not raw SQL: Piccolo's auto-migrations (and tests/integration/test_schema.py) read the
    # schema from these calls. It adds a nullable column, which SQLite and PostgreSQL both do in place.
    manager = MigrationManager(migration_id=ID, app_name="vendors", description=DESCRIPTION)

    manager.add_column(
        table_class_name="FeedImportRow",
        tablename="feed_import_row",
        column_name="tax_rate",
        db_column_name="tax_rate",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (5, 2),
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
