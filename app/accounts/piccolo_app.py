"""The accounts area as a Piccolo app: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from app.accounts.tables import ApiToken, Company, CompanyAddress, Invitation, LoginFailure, MemberRole, Membership

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Company, Membership, MemberRole, ApiToken, Invitation, LoginFailure, CompanyAddress],
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
    commands=[],
)
