"""The notifications area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.notifications.tables import Notification, OutboxEmail

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[OutboxEmail, Notification],
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
    commands=[],
)
