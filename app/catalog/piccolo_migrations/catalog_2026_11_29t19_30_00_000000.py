"""The database keeps `category.path` right, whatever writes the row.

A category's path ("/3/17/") lists its ancestors' ids then its own. Segment rules deny or allow a category with
its subtree by matching `path LIKE '%/<id>/%'`. Only the API computed the path, so a category made or moved in
piccolo-admin or by a script got an empty or stale one, and its products escaped their ancestors' rules.
Now triggers derive it from the parent link on every insert and on every update of parent or path, carry a
change down the subtree, and refuse a parent that would make a cycle (the category itself or one below it),
with an error named `category_parent_cycle` (PostgreSQL: check_violation; SQLite: an integrity error):

- PostgreSQL: a BEFORE INSERT OR UPDATE OF parent, path row trigger sets NEW.path from the parent's path
  (serial ids are assigned before BEFORE triggers run). An AFTER UPDATE row trigger, when the path changed,
  touches the children's path: their BEFORE trigger derives it from this row's new one and their own AFTER
  trigger goes on down, one level per nested statement. (A single prefix replace over the whole subtree would
  have each row's BEFORE trigger read its parent in whatever order the rows come, i.e. sometimes the old path.)
- SQLite cannot change NEW in a BEFORE trigger, and a trigger body cannot use WITH. AFTER INSERT and AFTER
  UPDATE OF parent, path triggers rewrite the row's path, then replace the prefix of every path below it (the
  part up to "/<id>/"). SQLite does not fire a trigger from its own body unless `PRAGMA recursive_triggers` is
  on (it is off, by default and in this app), so the inner UPDATEs do not loop. BEFORE triggers refuse cycles.

Both find a cycle through the parent's path, which the triggers keep right from here on; the migration first
recomputes every path from the parent links, so a database that already holds a wrong one is repaired.
Categories no root leads to (a cycle already made in the admin, or below one) cannot be given a path: the
migration stops and names them, as price_list_for_one_party (18:40) does; give one of them another parent.

`category` writes already invalidate the PostgreSQL facet cache (statement triggers of 15:30); the nested
updates fire those too, in the same transaction, which is all they need.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "category.path derived from the parent link by triggers, moved with its subtree; cycles refused"

# The error's name first, as in the constraint errors of 18:40, so that callers can tell it apart the same way
# on both backends.
CYCLE_MESSAGE = "category_parent_cycle: a category cannot be placed under itself or under one of its subcategories"

# Reused by the check (named in the error) and the repair: every category a root leads to, with its path.
TREE = """WITH RECURSIVE tree (id, path) AS (
            SELECT id, '/' || id || '/' FROM category WHERE parent IS NULL
            UNION ALL
            SELECT c.id, t.path || c.id || '/' FROM category c JOIN tree t ON c.parent = t.id
          )"""

UNREACHABLE = f"{TREE} SELECT id FROM category WHERE id NOT IN (SELECT id FROM tree) ORDER BY id"

REPAIR = (
    f"{TREE} UPDATE category SET path = tree.path FROM tree"
    " WHERE tree.id = category.id AND category.path <> tree.path"
)

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION category_path_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       DECLARE
         parent_path text;
       BEGIN
         IF NEW.parent IS NULL THEN
           NEW.path := '/' || NEW.id || '/';
           RETURN NEW;
         END IF;
         SELECT path INTO parent_path FROM category WHERE id = NEW.parent;
         IF NEW.parent = NEW.id OR parent_path LIKE ('%/' || NEW.id || '/%') THEN
           RAISE EXCEPTION '{CYCLE_MESSAGE}'
             USING ERRCODE = 'check_violation', CONSTRAINT = 'category_parent_cycle',
                   DETAIL = format('category %s, parent %s', NEW.id, NEW.parent);
         END IF;
         -- No such parent: the foreign key refuses the row after this trigger; do not fail on NOT NULL first.
         NEW.path := COALESCE(parent_path, '/') || NEW.id || '/';
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER category_path BEFORE INSERT OR UPDATE OF parent, path ON category
       FOR EACH ROW EXECUTE FUNCTION category_path_trigger()""",
    """CREATE OR REPLACE FUNCTION category_subtree_path_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         -- The children's BEFORE trigger derives their path from this row's, as it is now.
         UPDATE category SET path = path WHERE parent = NEW.id;
         RETURN NULL;
       END $$""",
    # No column list: the BEFORE trigger changes the path of an UPDATE that only set the parent.
    """CREATE TRIGGER category_subtree_path AFTER UPDATE ON category
       FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION category_subtree_path_trigger()""",
]

POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS category_subtree_path ON category",
    "DROP TRIGGER IF EXISTS category_path ON category",
    "DROP FUNCTION IF EXISTS category_subtree_path_trigger()",
    "DROP FUNCTION IF EXISTS category_path_trigger()",
]

# What the row's path must be, from its parent's.
SQLITE_PATH = "COALESCE((SELECT p.path FROM category p WHERE p.id = NEW.parent), '/') || NEW.id || '/'"
SQLITE_MARK = "('/' || NEW.id || '/')"

SQLITE = [
    f"""CREATE TRIGGER category_parent_cycle_insert BEFORE INSERT ON category
       WHEN NEW.parent = NEW.id
       BEGIN SELECT RAISE(ABORT, '{CYCLE_MESSAGE}'); END""",
    f"""CREATE TRIGGER category_parent_cycle_update BEFORE UPDATE OF parent ON category
       WHEN NEW.parent = NEW.id
         OR (SELECT p.path FROM category p WHERE p.id = NEW.parent) LIKE ('%' || {SQLITE_MARK} || '%')
       BEGIN SELECT RAISE(ABORT, '{CYCLE_MESSAGE}'); END""",
    f"""CREATE TRIGGER category_path_insert AFTER INSERT ON category
       BEGIN
         UPDATE category SET path = {SQLITE_PATH} WHERE id = NEW.id AND path IS NOT {SQLITE_PATH};
       END""",
    # Nothing to do when the path stays right and unchanged (an edit that re-sends the same parent).
    f"""CREATE TRIGGER category_path_update AFTER UPDATE OF parent, path ON category
       WHEN NEW.path IS NOT {SQLITE_PATH} OR NEW.path IS NOT OLD.path
       BEGIN
         UPDATE category SET path = {SQLITE_PATH} WHERE id = NEW.id AND path IS NOT {SQLITE_PATH};
         UPDATE category
            SET path = (SELECT p.path FROM category p WHERE p.id = NEW.id)
                       || substr(path, instr(path, {SQLITE_MARK}) + length({SQLITE_MARK}))
          WHERE path LIKE ('%' || {SQLITE_MARK} || '%') AND id <> NEW.id;
       END""",
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS category_path_update",
    "DROP TRIGGER IF EXISTS category_path_insert",
    "DROP TRIGGER IF EXISTS category_parent_cycle_update",
    "DROP TRIGGER IF EXISTS category_parent_cycle_insert",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def derive_paths():
        engine = engine_finder()
        unreachable = [row["id"] for row in await engine.run_ddl(UNREACHABLE)]
        if unreachable:
            raise RuntimeError(
                f"categories {', '.join(map(str, unreachable))} are in a cycle of parents (or below one), so no"
                " path leads to them: give one category of the cycle another parent (or none), then run the"
                " migration again"
            )
        # Before the triggers exist: on PostgreSQL they would derive each row from a parent not repaired yet.
        await engine.run_ddl(REPAIR)
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop_triggers():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if isinstance(engine, SQLiteEngine) else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(derive_paths)
    manager.add_raw_backwards(drop_triggers)
    return manager
