"""What a feed batch writes, on both databases: upsert by SKU, tiers replaced, statuses, order, plans."""

import pytest

from app import db
from app.catalog.tables import Listing
from app.vendors import import_reports, import_run, import_sql, import_start
from tests.support.fixtures import make_company
from tests.support.vendors import feed, tiers_of


async def run_feed(vendor_id: int, rows) -> None:
    import_id = await import_start.start_import(vendor_id, None, "feed.csv", feed(rows), enqueue=False)
    await import_run.run_import(import_id)
    report = await import_reports.import_report(import_id, vendor_id=vendor_id)
    assert (report.status, report.rows_rejected, report.error) == ("done", 0, ""), report


async def test_a_re_import_replaces_tiers_and_statuses_follow_the_edit_rules(world, monkeypatch):
    # given a vendor's imported feed (batches of 2), two listings of which curation approved,
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)
    vendor = world.vendor.id
    await run_feed(vendor, [["A-1", "Gloves M", "12.50", "EUR", "10:11.90|100:10.50"],
                            ["A-2", "Gloves L", "12.50", "EUR", "10:11.00"],
                            ["A-3", "Gloves S", "12.50", "EUR", ""]])
    await Listing.update({Listing.status: "approved", Listing.submitted_at: Listing.created_at}).where(
        Listing.sku.is_in(["A-1", "A-2"])
    )
    before = {row["sku"]: row for row in await Listing.select().where(Listing.vendor == vendor)}
    # and another vendor with the same SKU and its own tiers
    other = await make_company("vendor")
    await run_feed(other.id, [["A-1", "Not yours", "5.00", "EUR", "2:4.00"]])
    # when the vendor imports new tiers for A-1, none for A-2 (whose title changes), tiers for
    await run_feed(vendor, [["A-1", "Gloves M", "12.00", "EUR", "50:9.00"],
                            ["A-2", "Gloves, size L", "12.50", "EUR", ""],
                            ["A-3", "Gloves S", "12.50", "EUR", "5:12.00"],
                            ["A-4", "Gloves XL", "13.00", "EUR", ""]])
    # then each listing has exactly its new tiers
    assert await tiers_of(vendor) == {"A-1": [(50, 90_000)], "A-3": [(5, 120_000)]}
    after = {row["sku"]: row for row in await Listing.select().where(Listing.vendor == vendor)}
    assert sorted(after) == ["A-1", "A-2", "A-3", "A-4"]
    # a price change keeps the approval and its date; a title change goes back to curation, dated now
    assert (after["A-1"]["status"], after["A-1"]["base_price"]) == ("approved", 120_000)
    assert after["A-1"]["submitted_at"] == before["A-1"]["submitted_at"]
    assert after["A-2"]["status"] == "pending" and after["A-2"]["submitted_at"] > before["A-2"]["submitted_at"]
    assert (after["A-3"]["status"], after["A-3"]["submitted_at"]) == ("draft", None)
    new = after["A-4"]
    assert (new["status"], new["submitted_at"], new["rejection_reason"]) == ("draft", None, "")
    # an update keeps the creation time and moves the update time; ids stay the same
    for sku in ("A-1", "A-2", "A-3"):
        assert after[sku]["id"] == before[sku]["id"]
        assert after[sku]["created_at"] == before[sku]["created_at"]
        assert after[sku]["updated_at"] > before[sku]["updated_at"]
    # and the other vendor's listing of the same SKU is untouched
    assert await tiers_of(other.id) == {"A-1": [(2, 40_000)]}
    assert (await Listing.select(Listing.title).where(Listing.vendor == other.id).first())["title"] == "Not yours"


async def test_listings_are_created_in_the_order_of_the_file_across_batches(world, monkeypatch):
    # given a feed of 7 rows in an unsorted SKU order, written 3 rows per batch
    monkeypatch.setattr(import_run, "BATCH_ROWS", 3)
    skus = ["Z-9", "A-1", "M-5", "B-2", "Y-8", "C-3", "X-7"]
    # when it is imported
    await run_feed(world.vendor.id, [[sku, f"Thing {sku}", "1.00", "EUR", ""] for sku in skus])
    # then the listings' ids follow the file's order (newest first lists show the file's end first)
    rows = await Listing.select(Listing.sku).where(Listing.vendor == world.vendor.id).order_by(Listing.id)
    assert [row["sku"] for row in rows] == skus


@pytest.mark.skipif(db.is_sqlite(), reason="PostgreSQL plan check; SQLite takes the multi-row INSERT path")
async def test_on_postgresql_existing_listings_are_found_by_index_probes_even_in_a_generic_plan(world):
    # given a vendor with thousands of listings and no fresh statistics (as during a big import)
    await run_feed(world.vendor.id, [[f"S-{n:05d}", "Thing", "1.00", "EUR", ""] for n in range(3_000)])
    async with db.transaction():
        connection = db.get_engine().current_transaction.get().connection
        # when the look-up of existing listings is planned generically, as PostgreSQL does for a
        # statement asyncpg has cached and run five times
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await connection.execute(f"PREPARE feed_existing (integer, varchar[]) AS {import_sql.PG_EXISTING}")
        try:
            explain = f"EXPLAIN EXECUTE feed_existing({int(world.vendor.id)}, ARRAY['S-00001', 'S-00002'])"
            plan = [row[0] for row in await connection.fetch(explain)]
        finally:
            await connection.execute("DEALLOCATE feed_existing")
    # then every SKU is one probe of an index of the vendor and the SKU (the unique one, or the SKU's, which holds
    # the vendor too), never a scan of all the vendor's listings nor of all the listings of a SKU
    text = "\n".join(plan)
    assert "Index Scan using listing_vendor_sku_unique" in text or "Index Scan using listing_sku_vendor" in text, text
    assert any("Index Cond" in line and "sku" in line and "vendor" in line for line in plan), text
    assert "Seq Scan on listing" not in text and "Filter" not in text, text


@pytest.mark.skipif(db.is_sqlite(), reason="PostgreSQL plan check: SQLite keeps no statistics to go stale")
async def test_on_postgresql_each_staged_tier_finds_its_listing_by_one_probe_whatever_the_statistics(world):
    # given a vendor with thousands of listings that the statistics have never seen (written in the same
    # transaction as the tiers, as an all-or-nothing import does), next to a vendor the statistics know
    other = await make_company("vendor")
    await run_feed(other.id, [[f"O-{n:05d}", "Other", "1.00", "EUR", ""] for n in range(2_000)])
    await Listing.raw("ANALYZE listing")
    async with db.transaction():
        connection = db.get_engine().current_transaction.get().connection
        await connection.execute(
            "INSERT INTO listing (vendor, sku, title, unit, base_price, currency, status, created_at, updated_at) "
            "SELECT $1, 'S-' || g, 'Thing', 'pcs', 10000, 'EUR', 'draft', now(), now() "
            "FROM generate_series(1, 3000) g", int(world.vendor.id),
        )
        # when the write of the import's tiers is planned
        explain = "EXPLAIN " + import_sql.WRITE_STAGED_TIERS.format("$1", "$2")
        plan = [row[0] for row in await connection.fetch(explain, int(world.vendor.id), 1)]
    # then each tier finds its staged row and its listing by one probe of a unique index each, never by
    # filtering all the staged rows or all the vendor's listings
    text = "\n".join(plan)
    assert "using listing_vendor_sku_unique" in text or "using listing_sku_vendor" in text, text
    assert "using feed_import_row_sku_unique" in text, text
    probes = [line for line in plan if "Index Cond" in line and "sku" in line]
    assert len(probes) == 2, text
    assert not any("Filter" in line and "sku" in line for line in plan), text
