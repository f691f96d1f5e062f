"""A contract's rating scores 1 to 5: the database says so too, so piccolo-admin or a script cannot store a 0 or a 9
that every vendor's average would carry (the API checks it first, app/contracts/schemas.RatingIn).

PostgreSQL: the CHECK constraint `contract_rating_score_1_to_5`. SQLite cannot add a CHECK to an existing table, so
two BEFORE triggers (insert, update of score) abort with the rule in words, as for price lists
(catalog_2026_11_29t18_40_00_000000.py). A separate migration: a migration's raw SQL runs before its new tables exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T05:19:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "a contract rating's score is 1 to 5: a check (PostgreSQL) or triggers (SQLite) (#15)"

POSTGRES = [
    "ALTER TABLE contract_rating ADD CONSTRAINT contract_rating_score_1_to_5 CHECK (score BETWEEN 1 AND 5)",
]
POSTGRES_BACKWARDS = ["ALTER TABLE contract_rating DROP CONSTRAINT IF EXISTS contract_rating_score_1_to_5"]

SQLITE_MESSAGE = "contract_rating_score_1_to_5: a rating scores 1 (poor) to 5 (excellent)"
SQLITE = [
    f"""CREATE TRIGGER contract_rating_score_1_to_5_insert BEFORE INSERT ON contract_rating
       WHEN NEW.score NOT BETWEEN 1 AND 5
       BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGE}'); END""",
    f"""CREATE TRIGGER contract_rating_score_1_to_5_update BEFORE UPDATE OF score ON contract_rating
       WHEN NEW.score NOT BETWEEN 1 AND 5
       BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGE}'); END""",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS contract_rating_score_1_to_5_update",
    "DROP TRIGGER IF EXISTS contract_rating_score_1_to_5_insert",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    async def add_rule():
        engine = engine_finder()
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop_rule():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if isinstance(engine, SQLiteEngine) else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(add_rule)
    manager.add_raw_backwards(drop_rule)
    return manager
