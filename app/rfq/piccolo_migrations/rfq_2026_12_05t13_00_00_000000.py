from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "RFQ numbers: a per-year counter and the number users see (filled and made unique by the next one)"


def _params(**overrides):
    return {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rfq", description=DESCRIPTION)
    manager.add_table(class_name="RfqNumberCounter", tablename="rfq_number_counter", schema=None, columns=None)
    manager.add_column(
        table_class_name="RfqNumberCounter", tablename="rfq_number_counter", column_name="year",
        db_column_name="year", column_class_name="Integer", column_class=Integer,
        params=_params(default=0, null=False, unique=True), schema=None,
    )
    manager.add_column(
        table_class_name="RfqNumberCounter", tablename="rfq_number_counter", column_name="last_value",
        db_column_name="last_value", column_class_name="Integer", column_class=Integer,
        params=_params(default=0, null=False), schema=None,
    )
    manager.add_column(
        table_class_name="Rfq", tablename="rfq", column_name="number", db_column_name="number",
        column_class_name="Varchar", column_class=Varchar,
        params=_params(default=None, null=True, length=20), schema=None,
    )
    return manager
