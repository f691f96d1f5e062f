"""All or nothing means it, on both databases: a failure, a lost worker or a rival run while writing leaves the
vendor's listings as they were; a re-run imports everything once; progress shows while the rows are checked."""

from datetime import timedelta

import pytest

from app import db
from app.catalog.tables import Listing, ListingTier
from app.clock import utcnow
from app.vendors import import_reports, import_run, import_start, import_writes
from app.vendors.tables import FeedImport, FeedImportRow, FeedImportTier
from tests.support.vendors import feed, tiers_of

BEFORE = [["A-1", "Gloves M", "12.50", "EUR", "10:11.90|100:10.50"],
          ["A-2", "Gloves L", "12.50", "EUR", "10:11.00"],
          ["A-3", "Gloves S", "12.50", "EUR", ""]]  # fmt: skip
# New prices and tiers for A-1, a new title and no tiers for A-2, tiers for A-3, and three new listings.
FILE = [["A-1", "Gloves M", "12.00", "EUR", "50:9.00"],
        ["A-2", "Gloves, size L", "12.50", "EUR", ""],
        ["A-3", "Gloves S", "12.50", "EUR", "5:12.00"],
        ["A-4", "Gloves XL", "13.00", "EUR", ""],
        ["A-5", "Gloves XS", "13.00", "EUR", "20:12.00"],
        ["A-6", "Gloves XXL", "14.00", "EUR", ""]]  # fmt: skip
FILE_TIERS = {"A-1": [(50, 90_000)], "A-3": [(5, 120_000)], "A-5": [(20, 120_000)]}


class WorkerLost(BaseException):
    """What a killed worker looks like to the code it was running: it never gets to handle anything."""


async def start(vendor_id: int, rows) -> int:
    return await import_start.start_import(vendor_id, None, "feed.csv", feed(rows), enqueue=False)


async def run(vendor_id: int, rows):  # type: ignore[no-untyped-def]
    import_id = await start(vendor_id, rows)
    await import_run.run_import(import_id)
    return await import_reports.import_report(import_id, vendor_id=vendor_id)


async def snapshot(vendor_id: int) -> tuple[list[dict], list[dict]]:
    """Every column of the vendor's listings and tiers (ids and times included)."""
    listings = await Listing.select().where(Listing.vendor == vendor_id).order_by(Listing.id)
    tiers = await ListingTier.select().where(ListingTier.listing.vendor == vendor_id).order_by(ListingTier.id)
    return listings, tiers


async def staged(import_id: int) -> int:
    return await FeedImportRow.count().where(FeedImportRow.feed_import == import_id) + await FeedImportTier.count(
    ).where(FeedImportTier.feed_import == import_id)


async def skus(vendor_id: int) -> list[str]:
    rows = await Listing.select(Listing.sku).where(Listing.vendor == vendor_id).order_by(Listing.id)
    return [row["sku"] for row in rows]


@pytest.fixture
async def vendor_with_listings(world) -> int:
    """The world's vendor with A-1 (approved), A-2 and A-3 imported, then batches of 2 rows."""
    report = await run(world.vendor.id, BEFORE)
    assert report.status == "done", report
    await Listing.update({Listing.status: "approved", Listing.submitted_at: Listing.created_at}).where(
        Listing.sku == "A-1"
    )
    return world.vendor.id


@pytest.fixture
async def failing_insert_of_a5():  # type: ignore[no-untyped-def]
    """`await install()`: from then on the database refuses to insert listing A-5 (dropped after the test)."""
    engine = db.get_engine()

    async def install() -> None:
        if db.is_sqlite():
            await engine.run_ddl(
                "CREATE TRIGGER test_refuse_a5 BEFORE INSERT ON listing WHEN NEW.sku = 'A-5' "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
        else:
            await engine.run_ddl(
                "CREATE FUNCTION test_refuse_a5() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.sku = 'A-5' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
            )
            await engine.run_ddl(
                "CREATE TRIGGER test_refuse_a5 BEFORE INSERT ON listing FOR EACH ROW EXECUTE FUNCTION test_refuse_a5()"
            )

    yield install
    if db.is_sqlite():
        await engine.run_ddl("DROP TRIGGER IF EXISTS test_refuse_a5")
    else:
        await engine.run_ddl("DROP TRIGGER IF EXISTS test_refuse_a5 ON listing")
        await engine.run_ddl("DROP FUNCTION IF EXISTS test_refuse_a5()")


@pytest.mark.parametrize("failure", ["database error in the upsert", "error after the listings are written"])
async def test_a_failure_while_writing_leaves_listings_and_tiers_exactly_as_before(
    vendor_with_listings, monkeypatch, failing_insert_of_a5, failure
):
    vendor = vendor_with_listings
    before = await snapshot(vendor)
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)  # the file is checked and staged in three transactions
    seen_inside: list[list[str]] = []
    if failure == "database error in the upsert":
        # given a database that fails on A-5, after A-1 … A-4 were upserted by the same statement
        await failing_insert_of_a5()
    else:
        # given a failure once every listing is upserted, before the tiers are written
        async def fail_after_the_listings(job):  # type: ignore[no-untyped-def]
            seen_inside.append(await skus(job.vendor_id))
            raise RuntimeError("injected failure")

        monkeypatch.setattr(import_writes, "_write_staged_tiers", fail_after_the_listings)
    # when the vendor imports the file (all or nothing)
    report = await run(vendor, FILE)
    # then the import failed and says so, and nothing of the file shows: every column, every tier
    assert (report.status, report.rows_imported) == ("failed", 0), report
    assert "Something went wrong" in report.error
    if seen_inside:  # (inside the failed transaction the listings had been written)
        assert seen_inside == [["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]]
    assert await snapshot(vendor) == before
    assert await staged(report.id) == 0
    # and once the cause is gone, importing the file again imports every row once
    monkeypatch.undo()
    if failure == "database error in the upsert":
        await db.get_engine().run_ddl(
            "DROP TRIGGER IF EXISTS test_refuse_a5" + ("" if db.is_sqlite() else " ON listing")
        )
    again = await run(vendor, FILE)
    assert (again.status, again.rows_imported, again.error) == ("done", 6, "")
    assert await skus(vendor) == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
    assert await tiers_of(vendor) == FILE_TIERS


async def test_a_worker_lost_while_writing_leaves_nothing_and_the_re_run_imports_everything_once(
    vendor_with_listings, monkeypatch
):
    vendor = vendor_with_listings
    before = await snapshot(vendor)
    import_id = await start(vendor, FILE)
    # given a worker that dies once the listings are upserted, before the tiers are written
    with monkeypatch.context() as patch:
        patch.setattr(import_run, "BATCH_ROWS", 2)

        async def die(job):  # type: ignore[no-untyped-def]
            raise WorkerLost

        patch.setattr(import_writes, "_write_staged_tiers", die)
        with pytest.raises(WorkerLost):
            await import_run.run_import(import_id)
    # then the vendor's listings and tiers are as before, the import is left running with its staged rows
    assert await snapshot(vendor) == before
    assert (await FeedImport.select(FeedImport.status).where(FeedImport.id == import_id).first())["status"] == (
        "running"
    )
    assert await staged(import_id) > 0
    # and a stale staged row of that run would not leak into the next one
    await FeedImportRow.insert(
        FeedImportRow(feed_import=import_id, position=1, row_number=99, sku="GHOST", title="Ghost", base_price=10_000,
                      currency="EUR", status="draft")
    )
    # when the sweeper finds it without heartbeat and runs it again
    await FeedImport.update({FeedImport.heartbeat_at: utcnow() - timedelta(hours=1)}).where(
        FeedImport.id == import_id
    )
    assert await import_run.overdue_import_ids() == [import_id]
    await import_run.run_import(import_id)
    # then every row of the file is imported once, with exactly its tiers, and nothing else
    report = await import_reports.import_report(import_id, vendor_id=vendor)
    assert (report.status, report.rows_done, report.rows_imported) == ("done", 6, 6), report
    assert await skus(vendor) == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
    assert await tiers_of(vendor) == FILE_TIERS
    rows = {row["sku"]: row for row in (await snapshot(vendor))[0]}
    assert (rows["A-1"]["status"], rows["A-1"]["base_price"]) == ("approved", 120_000)  # a price change
    assert rows["A-2"]["title"] == "Gloves, size L"
    assert await staged(import_id) == 0


async def test_progress_shows_while_the_rows_are_checked_and_the_listings_change_only_at_the_end(
    world, api, monkeypatch
):
    # given a 5-row file checked and staged 2 rows per transaction, and the vendor's portal client
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)
    client = await api(world.vendor_admin)
    import_id = await start(world.vendor.id, [[f"P-{n}", "Thing", "1.00", "EUR", ""] for n in range(5)])
    seen = []
    stage_batch = import_run._stage_batch

    async def stage_and_look(*args, **kwargs):  # type: ignore[no-untyped-def]
        await stage_batch(*args, **kwargs)
        job = (await client.get(f"/api/v1/jobs/{import_id}")).json()
        listings = (await client.get("/api/v1/listings")).json()["total"]
        seen.append((job["status"], job["phase"], job["rows_done"], job["rows_total"], listings))

    monkeypatch.setattr(import_run, "_stage_batch", stage_and_look)
    # when the import runs
    await import_run.run_import(import_id)
    # then after each batch the API showed the rows checked so far, and no listing yet
    assert seen == [("running", "checking", 2, 5, 0), ("running", "checking", 4, 5, 0),
                    ("running", "checking", 5, 5, 0)]  # fmt: skip
    job = (await client.get(f"/api/v1/jobs/{import_id}")).json()
    assert (job["status"], job["rows_done"], job["rows_imported"]) == ("done", 5, 5)
    assert (await client.get("/api/v1/listings")).json()["total"] == 5


async def test_a_sku_given_again_in_a_later_batch_is_one_listing_with_the_later_row_and_its_tiers(
    world, monkeypatch
):
    # given a file, staged 2 rows per transaction, that gives D-1 in its first and its second batch
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)
    rows = [["D-1", "First", "1.00", "EUR", "10:0.90"], ["X-1", "X", "1.00", "EUR", ""],
            ["Y-1", "Y", "1.00", "EUR", ""], ["D-1", "Second", "2.00", "EUR", "20:1.80"],
            ["Z-1", "Z", "1.00", "EUR", ""]]  # fmt: skip
    # when it is imported
    report = await run(world.vendor.id, rows)
    # then D-1 is one listing, created first, with the later row's values and tiers
    assert (report.status, report.rows_imported) == ("done", 5), report
    assert await skus(world.vendor.id) == ["D-1", "X-1", "Y-1", "Z-1"]
    d1 = await Listing.select(Listing.title, Listing.base_price).where(Listing.sku == "D-1").first()
    assert (d1["title"], d1["base_price"]) == ("Second", 20_000)
    assert await tiers_of(world.vendor.id) == {"D-1": [(20, 18_000)]}


async def test_a_listing_curation_changed_while_the_file_was_checked_follows_the_edit_rule_as_it_is_then(
    world, monkeypatch
):
    # given an approved listing S-1 and a pending one P-1
    vendor = world.vendor.id
    await run(vendor, [["S-1", "Saw", "10.00", "EUR", ""], ["P-1", "Pliers", "5.00", "EUR", ""]])
    await Listing.update({Listing.status: "approved", Listing.submitted_at: utcnow() - timedelta(days=2)}).where(
        Listing.sku == "S-1"
    )
    submitted = utcnow() - timedelta(days=1)
    await Listing.update({Listing.status: "pending", Listing.submitted_at: submitted}).where(Listing.sku == "P-1")
    # and a file with a new price for S-1 (kept approved) and a new title for P-1 (stays pending), during
    # whose checking curation suspends S-1 and approves P-1
    stage_batch = import_run._stage_batch

    async def stage_then_curate(job, tally, *args, **kwargs):  # type: ignore[no-untyped-def]
        await stage_batch(job, tally, *args, **kwargs)
        if tally.done == tally.total:
            await Listing.update({Listing.status: "suspended"}).where(Listing.sku == "S-1")
            await Listing.update({Listing.status: "approved"}).where(Listing.sku == "P-1")

    monkeypatch.setattr(import_run, "_stage_batch", stage_then_curate)
    # when the file is written
    report = await run(vendor, [["S-1", "Saw", "9.00", "EUR", ""], ["P-1", "Pliers, long nose", "5.00", "EUR", ""]])
    assert report.status == "done", report
    rows = {row["sku"]: row for row in (await snapshot(vendor))[0]}
    # then the suspension stands (a price change), and P-1, approved meanwhile, goes back to curation, dated now
    assert (rows["S-1"]["status"], rows["S-1"]["base_price"]) == ("suspended", 90_000)
    assert (rows["P-1"]["status"], rows["P-1"]["title"]) == ("pending", "Pliers, long nose")
    assert rows["P-1"]["submitted_at"] > submitted


async def test_a_run_whose_import_another_run_claimed_stops_without_writing(world, monkeypatch):
    # given an import whose run stalls after its first batch, so long that the sweeper lets a second run claim it
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)
    vendor = world.vendor.id
    import_id = await start(vendor, FILE)
    stage_batch = import_run._stage_batch
    rivals = []

    async def stall_then_be_overtaken(job, tally, *args, **kwargs):  # type: ignore[no-untyped-def]
        await stage_batch(job, tally, *args, **kwargs)
        if not rivals:
            await FeedImport.update({FeedImport.heartbeat_at: utcnow() - timedelta(hours=1)}).where(
                FeedImport.id == import_id
            )
            rivals.append(await import_run._claim(import_id))

    monkeypatch.setattr(import_run, "_stage_batch", stall_then_be_overtaken)
    # when the first run goes on
    await import_run.run_import(import_id)
    # then it stopped at its next batch: nothing written, the import is the rival run's
    assert await skus(vendor) == []
    row = await FeedImport.select(FeedImport.status, FeedImport.started_at).where(FeedImport.id == import_id).first()
    assert (row["status"], row["started_at"]) == ("running", rivals[0].claimed_at)
    # and when that run is lost too and the sweeper runs the import again, it is imported once
    monkeypatch.undo()
    await FeedImport.update({FeedImport.heartbeat_at: utcnow() - timedelta(hours=1)}).where(
        FeedImport.id == import_id
    )
    await import_run.run_import(import_id)
    assert await skus(vendor) == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
    assert await tiers_of(vendor) == FILE_TIERS
