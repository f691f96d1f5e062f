"""Pruning the catalog change log (PostgreSQL) without ever letting a stale facet cache row look valid.

`catalog_change` (migration catalog_2026_11_23t15_30_00_000000) gets one row per transaction that
changed what the whole-catalog facet counts read, and a cached row counted in snapshot S is valid
when no change xid >= xmin(S) is invisible to S. Deleting change rows naively is unsafe: a search
that counted under an old snapshot S0 may store its row after the prune, and a deleted change S0 did
not see would then be missing from the check.

`catalog_change_watermark` holds one xid8, `horizon`, that only grows. A prune
(`facet_cache.prune_catalog_changes`, one statement, so one snapshot P) sets it to wm =
GREATEST(old, LEAST(xmin(P), the lowest xmin of the cache rows still valid)), deletes the change rows
with xid < wm and the cache rows whose snapshot's xmin < wm. A cache row is stored only when its
snapshot's xmin >= the watermark the storing statement reads, and read only when its snapshot's
xmin >= the watermark the reading statement reads (the same statement, so the same snapshot, as the
change rows it checks).

Why a deleted change can never be one a row the reader accepts failed to see: let the reader's
statement see a row counted in S and the watermark w, and let T be a committed change that S does
not see. If the prune that deleted T's row is not visible to the reader, neither is the deletion:
the reader finds T's row and rejects S. If it is visible, the watermark it wrote is too, so
xid(T) < wm <= w <= xmin(S) (the reader's condition). xid(T) < xmin(S) means T had finished before S
was taken, so S sees T if it committed: a contradiction. A transaction that aborted left no change row
(its insert was rolled back with it) and no change. And wm <= xmin(P) means every transaction below
it had finished when the prune ran, so no change row below wm can still be to come.
Taking wm no higher than the lowest valid cache row's xmin keeps those rows (they stay correct):
only when something changed since they were counted (so they are stale anyway) does the watermark
move past them. SQLite has no change log: nothing to do there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog search on PostgreSQL: a watermark below which the change log is pruned"

POSTGRES = [
    """CREATE TABLE catalog_change_watermark (
         one boolean PRIMARY KEY DEFAULT true CHECK (one),
         horizon xid8 NOT NULL
       )""",
    # Nothing pruned yet: every change row and every cache row is above it.
    "INSERT INTO catalog_change_watermark (one, horizon) VALUES (true, '0')",
]

POSTGRES_BACKWARDS = ["DROP TABLE IF EXISTS catalog_change_watermark"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_watermark():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES:
            await engine.run_ddl(statement)

    async def drop_watermark():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_watermark)
    manager.add_raw_backwards(drop_watermark)
    return manager
