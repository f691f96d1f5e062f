"""The vendors area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.vendors.tables import FeedImport, FeedImportError, FeedImportRow, FeedImportTier

APP_CONFIG = AppConfig(
    app_name="vendors",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[FeedImport, FeedImportError, FeedImportRow, FeedImportTier],
    migration_dependencies=["app.accounts.piccolo_app"],
    commands=[],
)
