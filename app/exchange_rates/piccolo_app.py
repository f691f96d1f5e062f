"""The exchange-rates area as a Piccolo app: its table and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.exchange_rates import tables

APP_CONFIG = AppConfig(
    app_name="exchange_rates",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=[],
    commands=[],
)
