"""The RFQ area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.rfq.tables import Rfq, RfqAttachment, RfqClarification, RfqInvitation, RfqLine, RfqNumberCounter

APP_CONFIG = AppConfig(
    app_name="rfq",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Rfq, RfqLine, RfqInvitation, RfqAttachment, RfqClarification, RfqNumberCounter],
    migration_dependencies=["app.accounts.piccolo_app", "app.catalog.piccolo_app"],
    commands=[],
)
