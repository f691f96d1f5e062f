"""PostgreSQL: room on each page of `product_search` for the next version of its rows.

Every listing written (approved, stocked, re-priced into or out of stock, moved) rewrites its product's
summary row in the same transaction. With free room on the row's page the new version goes there (a HOT
update: no index entry, and the page prunes the old version itself); on a full page it goes wherever
there is room, and a catalog's rows end up one per page. A search reads one heap page per matching
product, so a spread-out table reads several times the pages for the same answer (measured on the
100,000-product bench: 189 MB instead of 33 MB, the matches of a common word in 4,478 pages, most of them
from outside shared_buffers). Applies to pages written from now on; VACUUM FULL rewrites the rest.
SQLite keeps no such table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: product_search keeps 20% of each page free for its rows' next versions"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def set_fillfactor():
        engine = engine_finder()
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl("ALTER TABLE product_search SET (fillfactor = 80)")

    async def reset_fillfactor():
        engine = engine_finder()
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl("ALTER TABLE product_search RESET (fillfactor)")

    manager.add_raw(set_fillfactor)
    manager.add_raw_backwards(reset_fillfactor)
    return manager
