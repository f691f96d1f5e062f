"""The orders area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.orders.tables import Cart, CartLine

APP_CONFIG = AppConfig(
    app_name="orders",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Cart, CartLine],
    migration_dependencies=["app.accounts.piccolo_app", "app.catalog.piccolo_app"],
    commands=[],
)
