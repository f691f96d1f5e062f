from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class CostCenter(Table, tablename="cost_center", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Rfq(Table, tablename="rfq", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-06T08:31:09:367801"
VERSION = "1.38.0"
DESCRIPTION = "an RFQ's cost center (#15)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="spending", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RfqCostCenter",
        tablename="rfq_cost_center",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RfqCostCenter",
        tablename="rfq_cost_center",
        column_name="rfq",
        db_column_name="rfq",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Rfq,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RfqCostCenter",
        tablename="rfq_cost_center",
        column_name="cost_center",
        db_column_name="cost_center",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": CostCenter,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
