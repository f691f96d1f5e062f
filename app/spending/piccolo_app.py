"""The spending area as a Piccolo app: cost centers, budgets, limits, approval rules and approvals."""

import os

from piccolo.conf.apps import AppConfig

from app.spending import tables

APP_CONFIG = AppConfig(
    app_name="spending",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["app.accounts.piccolo_app", "app.catalog.piccolo_app", "app.orders.piccolo_app"],
    commands=[],
)
