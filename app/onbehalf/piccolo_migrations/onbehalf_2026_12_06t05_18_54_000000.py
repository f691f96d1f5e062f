"""Ordering on behalf: one assignment per company and user, and the audit log kept immutable by triggers on both
backends: any UPDATE or DELETE of a row is refused by the database itself. (TRUNCATE, which only the table's owner
may run and which the app never issues, is left to the database's privileges: the tests empty tables with it.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T05:18:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "one assignment per company and user; the on-behalf audit log cannot be changed or deleted"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="onbehalf", description=DESCRIPTION)
    manager.add_raw(_constraints)
    manager.add_raw_backwards(_drop_constraints)
    return manager


IMMUTABLE = "on_behalf_action is an audit log: its rows cannot be changed or deleted"


async def _constraints():
    engine = engine_finder()
    await engine.run_ddl("CREATE UNIQUE INDEX sales_assignment_unique ON sales_assignment (company, \"user\")")
    if engine.engine_type == "sqlite":
        for event in ("UPDATE", "DELETE"):
            await engine.run_ddl(
                f"CREATE TRIGGER on_behalf_action_no_{event.lower()} BEFORE {event} ON on_behalf_action "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )
        return
    await engine.run_ddl(
        "CREATE FUNCTION on_behalf_action_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{IMMUTABLE}' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    await engine.run_ddl(
        "CREATE TRIGGER on_behalf_action_immutable BEFORE UPDATE OR DELETE ON on_behalf_action "
        "FOR EACH ROW EXECUTE FUNCTION on_behalf_action_immutable()"
    )


async def _drop_constraints():
    engine = engine_finder()
    await engine.run_ddl("DROP INDEX IF EXISTS sales_assignment_unique")
    if engine.engine_type == "sqlite":
        for event in ("update", "delete"):
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS on_behalf_action_no_{event}")
        return
    await engine.run_ddl("DROP TRIGGER IF EXISTS on_behalf_action_immutable ON on_behalf_action")
    await engine.run_ddl("DROP FUNCTION IF EXISTS on_behalf_action_immutable()")
