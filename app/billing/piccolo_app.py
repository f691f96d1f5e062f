"""The billing area as a Piccolo app: payment terms, credit limits, invoices and their audit."""

import os

from piccolo.conf.apps import AppConfig

from app.billing import tables

APP_CONFIG = AppConfig(
    app_name="billing",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["app.accounts.piccolo_app", "app.orders.piccolo_app"],
    commands=[],
)
