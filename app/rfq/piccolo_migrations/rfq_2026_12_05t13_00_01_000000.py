"""RFQ numbers for the RFQs made before they had one: per year of creation, in the order they were made, the year's
counter set past them; then the unique index. Same statements on both backends (a migration's raw step runs before
its tables and columns, hence a second migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T13:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "number the RFQs made before RFQ numbers, and make numbers unique"


def _year(created_at) -> int:
    # PostgreSQL gives a datetime, SQLite the stored text ("2026-11-23 13:04:30…"); both start with the year.
    return int(str(created_at)[:4])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rfq", description=DESCRIPTION)

    async def number_the_rfqs():
        engine = engine_finder()
        rows = await engine.run_ddl("SELECT id, created_at FROM rfq WHERE number IS NULL ORDER BY created_at, id")
        counters = {
            row["year"]: row["last_value"]
            for row in await engine.run_ddl("SELECT year, last_value FROM rfq_number_counter")
        }
        for row in rows or []:
            year = _year(row["created_at"])
            counters[year] = counters.get(year, 0) + 1
            # Whole numbers only: nothing user-typed goes into these statements.
            await engine.run_ddl(
                f"UPDATE rfq SET number = 'RFQ-{year:04d}-{counters[year]:06d}' WHERE id = {int(row['id'])}")
        for year, last_value in counters.items():
            await engine.run_ddl(f"DELETE FROM rfq_number_counter WHERE year = {int(year)}")
            await engine.run_ddl(
                f"INSERT INTO rfq_number_counter (year, last_value) VALUES ({int(year)}, {int(last_value)})")
        await engine.run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS rfq_number_unique ON rfq (number)")

    async def drop_the_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS rfq_number_unique")

    manager.add_raw(number_the_rfqs)
    manager.add_raw_backwards(drop_the_index)
    return manager
