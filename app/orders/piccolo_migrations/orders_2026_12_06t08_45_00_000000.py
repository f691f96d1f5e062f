"""An order billed in full holds no more credit: the flag that lets billing's exposure read only open orders (billing
fills it for orders already invoiced, and indexes it: billing_2026_12_06t08_45_01_000000)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T08:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "purchase_order.billed_in_full"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    manager.add_column(
        table_class_name="PurchaseOrder",
        tablename="purchase_order",
        column_name="billed_in_full",
        db_column_name="billed_in_full",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
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
