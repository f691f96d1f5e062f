from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T05:51:18:313219"
VERSION = "1.38.0"
DESCRIPTION = "pending_approval among the statuses of orders, groups and timeline events (issue #14): choices only"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="orders", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OrderEvent",
        tablename="order_event",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "OrderStatus",
                {
                    "PENDING_APPROVAL": "pending_approval",
                    "PLACED": "placed",
                    "CONFIRMED": "confirmed",
                    "REJECTED": "rejected",
                    "CANCELLATION_REQUESTED": "cancellation_requested",
                    "PARTIALLY_SHIPPED": "partially_shipped",
                    "SHIPPED": "shipped",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        old_params={
            "choices": Enum(
                "OrderStatus",
                {
                    "PLACED": "placed",
                    "CONFIRMED": "confirmed",
                    "REJECTED": "rejected",
                    "CANCELLATION_REQUESTED": "cancellation_requested",
                    "PARTIALLY_SHIPPED": "partially_shipped",
                    "SHIPPED": "shipped",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="OrderGroup",
        tablename="order_group",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "GroupStatus",
                {
                    "PENDING_APPROVAL": "pending_approval",
                    "PLACED": "placed",
                    "IN_PROGRESS": "in_progress",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        old_params={
            "choices": Enum(
                "GroupStatus",
                {
                    "PLACED": "placed",
                    "IN_PROGRESS": "in_progress",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PurchaseOrder",
        tablename="purchase_order",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "OrderStatus",
                {
                    "PENDING_APPROVAL": "pending_approval",
                    "PLACED": "placed",
                    "CONFIRMED": "confirmed",
                    "REJECTED": "rejected",
                    "CANCELLATION_REQUESTED": "cancellation_requested",
                    "PARTIALLY_SHIPPED": "partially_shipped",
                    "SHIPPED": "shipped",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        old_params={
            "choices": Enum(
                "OrderStatus",
                {
                    "PLACED": "placed",
                    "CONFIRMED": "confirmed",
                    "REJECTED": "rejected",
                    "CANCELLATION_REQUESTED": "cancellation_requested",
                    "PARTIALLY_SHIPPED": "partially_shipped",
                    "SHIPPED": "shipped",
                    "DELIVERED": "delivered",
                    "CANCELLED": "cancelled",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
