"""The analytics area as a Piccolo app: its savings facts and the indexes its queries need."""

import os

from piccolo.conf.apps import AppConfig

from app.analytics import tables

APP_CONFIG = AppConfig(
    app_name="analytics",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[getattr(tables, name) for name in tables.__all__],
    migration_dependencies=["app.offers.piccolo_app", "app.contracts.piccolo_app", "app.spending.piccolo_app"],
    commands=[],
)
