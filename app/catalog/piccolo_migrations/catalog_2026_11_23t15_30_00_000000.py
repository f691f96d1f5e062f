"""Whole-catalog facet counts per segment on PostgreSQL, cached and never stale.

A search without words and with at most one filter needs a facet counted over every product the
segment may see (the brand facet of a brand-only search; all three for a plain browse): tens of
thousands of rows. `catalog_facet_cache` keeps those counts per (segment, in stock only) with the
snapshot (`pg_current_snapshot()`) they were counted in.

`catalog_change` holds the id of every transaction that changed what the counts read (product_search,
kept right by triggers from listings and products; companies; categories; segment rules): statement
triggers insert it, once per transaction. A cached row is used only when no such transaction is
invisible to its snapshot, i.e. when nothing it depends on has been committed since; otherwise the
search counts again and replaces it. So a change shows in the very next search, with no lock shared
between writers (each transaction inserts its own id).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog search on PostgreSQL: per-segment whole-catalog facet counts, invalidated by a change log"

TABLES = ("product_search", "company", "category", "segment_rule")

POSTGRES = [
    "CREATE TABLE catalog_change (xid xid8 PRIMARY KEY)",
    """CREATE TABLE catalog_facet_cache (
         segment integer NOT NULL,
         in_stock boolean NOT NULL,
         snapshot pg_snapshot NOT NULL,
         total integer NOT NULL,
         categories jsonb NOT NULL,
         brands jsonb NOT NULL,
         vendors jsonb NOT NULL,
         PRIMARY KEY (segment, in_stock)
       )""",
    # A plain browse pages the visible products in this order, from the first, and stops after the page.
    "CREATE INDEX product_search_browse ON product_search (featured DESC, name_key, product_id)",
    """CREATE OR REPLACE FUNCTION catalog_change_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO catalog_change (xid) VALUES (pg_current_xact_id()) ON CONFLICT (xid) DO NOTHING;
         RETURN NULL;
       END $$""",
    *(
        f"""CREATE TRIGGER {table}_catalog_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION catalog_change_trigger()"""
        for table in TABLES
    ),
]

POSTGRES_BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {table}_catalog_change ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS catalog_change_trigger()",
    "DROP INDEX IF EXISTS product_search_browse",
    "DROP TABLE IF EXISTS catalog_facet_cache",
    "DROP TABLE IF EXISTS catalog_change",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_cache():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES:
            await engine.run_ddl(statement)

    async def drop_cache():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            return
        for statement in POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_cache)
    manager.add_raw_backwards(drop_cache)
    return manager
