"""PostgreSQL: room on each page of `product_search` for the next version of its rows.

Every listing write that changes what a product offers (approved, withdrawn, in or out of stock, moved)
rewrites the product's summary row in the same transaction. With free room on the row's page the new
version goes there (a HOT update: no new index entries, and the page prunes the old version itself);
on a full page it goes to another page, and the table spreads. A search reads one heap page per matching
product, so a spread-out table costs more pages for the same answer: on the 100,000-product bench,
right after its bulk load (five versions of each row), 189 MB instead of 33 MB and the matches of a
common word in 4,478 pages, most of them from outside shared_buffers. Applies to pages written from now
on; VACUUM FULL rewrites the rest. SQLite keeps no such table.
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
