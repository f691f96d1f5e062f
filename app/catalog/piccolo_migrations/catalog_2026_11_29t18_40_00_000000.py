"""A price list is for exactly one party, a segment or a buyer company: the database says so too.

The API checked it (app/curation/rules.check_owner) but nothing stopped piccolo-admin, a script or a
future writer from saving a price list for both or neither, which the price resolver cannot place.
PostgreSQL: the CHECK constraint `price_list_for_one_party`. SQLite cannot add a CHECK to an existing
table short of rebuilding it (a copy-and-swap that price_list_entry's foreign key makes delicate), so two
BEFORE triggers, on insert and on update of segment/company, abort with the rule in words
(sqlite3.IntegrityError). Not declared with piccolo.constraints.Check in tables.py: Piccolo adds those with
ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks (as for the composite unique indexes elsewhere).

Rows that already break the rule are left alone and the migration stops, naming their ids: which party
such a price list was meant for is a business decision (deleting it would silently drop prices buyers
may be paying, guessing could give them to the wrong buyers). Fix or delete them, then migrate again.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T18:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a price list is for exactly one segment or one buyer company: a check (PostgreSQL) or triggers (SQLite)"

BROKEN_ROWS = "SELECT id FROM price_list WHERE (segment IS NULL) = (company IS NULL) ORDER BY id"

POSTGRES = [
    "ALTER TABLE price_list ADD CONSTRAINT price_list_for_one_party CHECK ((segment IS NULL) <> (company IS NULL))",
]

POSTGRES_BACKWARDS = ["ALTER TABLE price_list DROP CONSTRAINT IF EXISTS price_list_for_one_party"]

# The constraint's name first, as in PostgreSQL's message, so that both backends can be told apart from
# other integrity errors the same way.
SQLITE_MESSAGE = (
    "price_list_for_one_party: a price list is for exactly one segment or one buyer company;"
    " set one of segment and company, not both and not neither"
)

SQLITE = [
    f"""CREATE TRIGGER price_list_for_one_party_insert BEFORE INSERT ON price_list
       WHEN (NEW.segment IS NULL) = (NEW.company IS NULL)
       BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGE}'); END""",
    f"""CREATE TRIGGER price_list_for_one_party_update BEFORE UPDATE OF segment, company ON price_list
       WHEN (NEW.segment IS NULL) = (NEW.company IS NULL)
       BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGE}'); END""",
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS price_list_for_one_party_update",
    "DROP TRIGGER IF EXISTS price_list_for_one_party_insert",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def add_rule():
        engine = engine_finder()
        # This check only names the culprits. A broken row written after it cannot get past either:
        # PostgreSQL's ADD CONSTRAINT checks every row itself, and on SQLite the DDL below, in the same
        # transaction as this read, cannot start writing once another connection committed after it.
        broken = [row["id"] for row in await engine.run_ddl(BROKEN_ROWS)]
        if broken:
            raise RuntimeError(
                f"price lists {', '.join(map(str, broken))} are for both a segment and a company, or for"
                " neither: give each exactly one (or delete it), then run the migration again"
            )
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop_rule():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if isinstance(engine, SQLiteEngine) else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(add_rule)
    manager.add_raw_backwards(drop_rule)
    return manager
