"""The sourcing area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.sourcing import tables

APP_CONFIG = AppConfig(
    app_name="sourcing",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["app.rfq.piccolo_app"],
    commands=[],
)
