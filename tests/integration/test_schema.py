"""The schema comes from the migrations, and the migrations match the table classes."""

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from app.db import is_sqlite

OUR_APPS = ["accounts", "notifications", "catalog", "contracts", "vendors", "rfq", "offers", "orders", "sourcing",
            "analytics"]


@pytest.mark.parametrize("app_name", OUR_APPS)
async def test_migrations_describe_every_table_and_column(app_name):
    # given the app's table classes and the migrations written for them
    app_config = Finder().get_app_config(app_name)
    # when Piccolo's auto-migration compares the two
    statements = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=app_config)
    # then there is nothing left to migrate: run `piccolo migrations new APP --auto` when this fails
    pending = [statement for change in statements for statement in change.statements]
    assert pending == [], f"{app_name}: tables and migrations differ; create a migration"


async def test_the_migrated_database_has_every_column_of_every_table():
    # The tests' schema is built by `run_forwards`, never by create_table: compare it with the classes.
    from app.db import get_engine

    engine = get_engine()
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if is_sqlite():
            rows = await engine.run_querystring(table.raw(f'PRAGMA table_info("{name}")').querystrings[0])
            columns = {row["name"] for row in rows}
        else:
            rows = await table.raw(
                "SELECT column_name FROM information_schema.columns WHERE table_name = {}", name
            )
            columns = {row["column_name"] for row in rows}
        expected = {column._meta.db_column_name for column in table._meta.columns}
        assert expected <= columns, f"{name} lacks {expected - columns}"


async def test_composite_unique_indexes_exist():
    from app.accounts.tables import MemberRole

    if is_sqlite():
        rows = await MemberRole.raw("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row["name"] for row in rows}
    else:
        rows = await MemberRole.raw("SELECT indexname AS name FROM pg_indexes")
        names = {row["name"] for row in rows}
    assert {
        "company_kind_name_unique", "member_role_unique", "piccolo_user_email_unique", "listing_vendor_sku_unique",
        "offer_live_unique", "award_line_unique", "rfq_invitation_unique", "cart_line_listing_unique",
    } <= names
