"""The on-behalf area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.onbehalf import tables

APP_CONFIG = AppConfig(
    app_name="onbehalf",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["app.accounts.piccolo_app"],
    commands=[],
)
