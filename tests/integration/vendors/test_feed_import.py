"""Feed import through the API and the real job: files, modes, upsert, progress, report, tenancy."""

import csv
import io
import os
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta

import pytest
from openpyxl import Workbook

from app.catalog.tables import Listing, ListingTier
from app.clock import utcnow
from app.vendors import import_run, import_start
from app.vendors.tables import FeedImport, FeedImportError
from app.worker import broker
from tests.support.fixtures import make_company, make_user
from tests.support.vendors import HEADER, csv_bytes, import_and_wait, upload


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["A-1", "Gloves M", "12.50", "EUR", "4006381333931", "10", "10:11.90|100:10.50"],
    ["A-2", "Gloves L", "12.50", "EUR", "", "0", ""],
]


async def test_a_csv_feed_creates_draft_listings_with_tiers(world, api, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes(GOOD))
    assert job["status"] == "done", job
    assert (job["rows_total"], job["rows_done"], job["rows_imported"], job["rows_rejected"]) == (2, 2, 2, 0)
    listings = (await client.get("/api/v1/listings")).json()["items"]
    assert {item["sku"]: item["status"] for item in listings} == {"A-1": "draft", "A-2": "draft"}
    gloves = next(item for item in listings if item["sku"] == "A-1")
    assert gloves["tiers"] == [{"min_qty": 10, "unit_price": "11.9000"}, {"min_qty": 100, "unit_price": "10.5000"}]


async def test_a_second_import_updates_by_sku_instead_of_duplicating(world, api, worker):
    # given an imported feed, one listing of which curation approved
    client = await api(world.vendor_admin)
    await import_and_wait(client, csv_bytes(GOOD))
    await Listing.update({Listing.status: "approved"}).where(Listing.sku.is_in(["A-1", "A-2"]))
    # when the vendor imports new prices for both and a new title for one
    changed = [["A-1", "Gloves M", "9.99", "EUR", "4006381333931", "5", ""],
               ["A-2", "Gloves, size L", "12.50", "EUR", "", "0", ""]]
    job = await import_and_wait(client, csv_bytes(changed))
    # then the same two listings are updated, the title change goes back to curation
    assert job["rows_imported"] == 2
    rows = {r["sku"]: r for r in await Listing.select().where(Listing.vendor == world.vendor.id)}
    assert len(rows) == 2
    assert rows["A-1"]["base_price"] == 99_900 and rows["A-1"]["stock"] == 5 and rows["A-1"]["status"] == "approved"
    assert rows["A-2"]["title"] == "Gloves, size L" and rows["A-2"]["status"] == "pending"
    assert await ListingTier.count() == 0  # an empty tiers cell removes the tiers


async def test_an_xlsx_feed_imports_like_a_csv(world, api, worker):
    client = await api(world.vendor_admin)
    rows = [["X-1", "Tape", 3.35, "EUR", 4006381333931, 12, "10:3.10"],
            ["X-2", "Glue", "0.0035", "usd", None, None, None]]
    job = await import_and_wait(client, xlsx_bytes(rows), name="feed.xlsx")
    assert job["status"] == "done", job
    assert job["rows_imported"] == 2
    tape = await Listing.select().where(Listing.sku == "X-1").first()
    assert (tape["base_price"], tape["gtin"], tape["stock"]) == (33_500, "4006381333931", 12)
    glue = await Listing.select().where(Listing.sku == "X-2").first()
    assert (glue["base_price"], glue["currency"]) == (35, "USD")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feed.pdf", b"%PDF-1.4", "neither a CSV"),
        ("feed.xls", b"\xd0\xcf\x11\xe0", ".xls files are not supported"),
        ("feed.xlsx", b"sku,title\n", "not an Excel workbook"),
        ("feed.csv", "sku,title,base_price,currency\nÄ-1,Bügel,1.00,EUR\n".encode("cp1252"), "not UTF-8"),
        ("feed.csv", b"sku,title,price\nA,B,1\n", "required columns missing: base_price, currency"),
        ("feed.csv", b"", "empty"),
    ],
)
async def test_a_file_that_cannot_be_read_is_400_at_once_and_nothing_is_kept(world, api, name, content, message):
    client = await api(world.vendor_admin)
    response = await upload(client, content, name)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert await FeedImport.count() == 0


BAD = [
    ["B-1", "Ok", "1.00", "EUR", "", "1", ""],
    ["B-2", "", "1.00", "EUR", "", "1", ""],
    ["B-3", "Bad GTIN", "1.00", "EUR", "1234567890123", "-4", ""],
    ["B-4", "Bad price", "1,50", "EUR", "", "1", "2:3"],
    ["B-5", "", "", "EUR", "", "1", ""],
]


async def test_all_or_nothing_imports_nothing_and_reports_row_column_reason(world, api, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes(BAD))
    assert job["status"] == "done"
    assert (job["rows_imported"], job["rows_rejected"], job["rows_total"]) == (0, 4, 5)
    assert "nothing was imported" in job["error"]
    problems = {(e["row"], e["column"]) for e in job["errors"]}
    assert problems == {(3, "title"), (4, "gtin"), (4, "stock"), (5, "base_price"), (6, "title"), (6, "base_price")}
    assert all(e["reason"] for e in job["errors"])
    assert await Listing.count() == 0


async def test_best_effort_imports_the_good_rows_and_reports_the_bad(world, api, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes(BAD), all_or_nothing=False)
    assert (job["rows_imported"], job["rows_rejected"]) == (1, 4)
    assert job["all_or_nothing"] is False
    assert [r["sku"] for r in await Listing.select(Listing.sku)] == ["B-1"]
    assert await FeedImportError.count() == 6


async def test_a_sku_given_twice_is_one_listing_and_the_later_row_wins(world, api, worker):
    client = await api(world.vendor_admin)
    rows = [["D-1", "First", "1.00", "EUR", "", "1", ""], ["D-1", "Second", "2.00", "EUR", "", "1", ""]]
    job = await import_and_wait(client, csv_bytes(rows))
    assert job["rows_imported"] == 2
    assert [r["title"] for r in await Listing.select(Listing.title)] == ["Second"]


async def test_another_vendors_job_is_404_and_buyers_cannot_import(world, api, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes(GOOD))
    other_vendor = await make_company("vendor")
    other = await api(await make_user(other_vendor.id, "vendor_admin"))
    assert (await other.get(f"/api/v1/jobs/{job['id']}")).status_code == 404
    buyer = await api(world.buyer_admin)
    assert (await buyer.get(f"/api/v1/jobs/{job['id']}")).status_code == 403
    assert (await upload(buyer, csv_bytes(GOOD))).status_code == 403


async def test_re_running_a_finished_import_is_a_no_op_and_a_crashed_one_runs_again(world, api, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes(GOOD))
    finished = await FeedImport.select().where(FeedImport.id == job["id"]).first()
    # when the job is delivered again
    await import_run.run_import(job["id"])
    # then nothing changes
    assert await FeedImport.select().where(FeedImport.id == job["id"]).first() == finished
    # given a worker that crashed while running it (no heartbeat for long)
    await FeedImport.update(
        {FeedImport.status: "running", FeedImport.rows_done: 1, FeedImport.heartbeat_at: utcnow() - timedelta(hours=1)}
    ).where(FeedImport.id == job["id"])
    assert await import_run.overdue_import_ids() == [job["id"]]
    # when it is run again, it finishes, without duplicates
    await import_run.run_import(job["id"])
    again = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert (again["status"], again["rows_done"], again["rows_imported"]) == ("done", 2, 2)
    assert await Listing.count() == 2


async def test_progress_is_reported_batch_by_batch(world, monkeypatch):
    # given a feed of 25 rows and batches of 10
    monkeypatch.setattr(import_run, "BATCH_ROWS", 10)
    rows = [[f"P-{n}", "Thing", "1.00", "EUR", "", "1", ""] for n in range(25)]
    feed = io.BytesIO(csv_bytes(rows))
    import_id = await import_start.start_import(world.vendor.id, None, "feed.csv", feed, enqueue=False)
    seen = []
    # when it runs
    await import_run.run_import(import_id, lambda phase, done, total: seen.append((phase, done, total)))
    # then the checking pass reports each batch, the writing (one transaction) its start and its commit
    assert seen == [("checking", 10, 25), ("checking", 20, 25), ("checking", 25, 25),
                    ("writing", 0, 25), ("writing", 25, 25)]
    row = await FeedImport.select().where(FeedImport.id == import_id).first()
    assert (row["rows_done"], row["rows_total"], row["status"]) == (25, 25, "done")


async def test_a_100000_row_csv_goes_through_the_real_job_in_bounded_memory(world, api, worker, tmp_path):
    # given a 100,000-row feed file
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([*HEADER, "description"])
        for n in range(100_000):
            writer.writerow([f"BIG-{n:06d}", f"Article number {n}", f"{n % 997 + 1}.25", "EUR", "", n % 50,
                             "10:0.99" if n % 10 == 0 else "", "A long enough description of this article " * 3])
    size = path.stat().st_size
    client = await api(world.vendor_admin)
    # when it is uploaded (the test client holds the whole request in memory) and the job runs, memory traced
    started = time.perf_counter()
    with path.open("rb") as stream:
        response = await client.post("/api/v1/listings/import", files={"file": ("big.csv", stream)})
    assert response.status_code == 202, response.text
    tracemalloc.start()
    broker.join("imports", timeout=600_000)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # then every row is imported, and memory stayed far below the file's size
    job = (await client.get(f"/api/v1/jobs/{response.json()['id']}")).json()
    assert (job["status"], job["rows_imported"], job["rows_done"]) == ("done", 100_000, 100_000), job
    assert await Listing.count() == 100_000
    assert await ListingTier.count() == 10_000
    print(f"\n100,000 rows (file {size / 1e6:.1f} MB) in {elapsed:.1f} s with tracemalloc on: "
          f"{100_000 / elapsed:,.0f} rows/s; peak traced memory {peak / 1e6:.1f} MB")
    assert peak < size / 2


async def test_the_command_line_imports_with_a_report_and_fails_on_rejected_rows(world, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes(GOOD))
    bad.write_bytes(csv_bytes(BAD))
    run = lambda *args: subprocess.run([sys.executable, "-m", "app.cli", "import-feed", *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=120, env=os.environ.copy(), check=False)
    ok = run("--vendor", world.vendor.name, str(good))
    assert ok.returncode == 0, ok.stderr
    assert "2 imported, 0 rejected of 2 rows" in ok.stdout
    failed = run("--vendor", str(world.vendor.id), str(bad))
    assert failed.returncode == 1
    assert "row 4, gtin:" in failed.stdout
    assert "nothing was imported" in failed.stdout
    best = run("--vendor", str(world.vendor.id), "--best-effort", str(bad))
    assert best.returncode == 0
    assert await Listing.count() == 3
    unknown = run("--vendor", "No Such Vendor", str(good))
    assert unknown.returncode != 0 and "no vendor company" in unknown.stderr


TAXED_HEADER = ["sku", "title", "base_price", "currency", "tax_rate"]


async def tax_rates(client) -> dict[str, str | None]:
    return {item["sku"]: item["tax_rate"] for item in (await client.get("/api/v1/listings")).json()["items"]}


@pytest.mark.parametrize("all_or_nothing", [True, False], ids=["all-or-nothing", "best-effort"])
async def test_a_tax_rate_column_sets_the_rate_and_an_empty_cell_leaves_the_default(world, api, worker, all_or_nothing):
    # given a feed with a tax rate for some rows
    client = await api(world.vendor_admin)
    rows = [["T-1", "Gloves", "1.00", "EUR", "7"], ["T-2", "Tape", "1.00", "EUR", ""],
            ["T-3", "Glue", "1.00", "EUR", "19.5"]]
    # when it is imported
    job = await import_and_wait(client, csv_bytes(rows, header=TAXED_HEADER), all_or_nothing=all_or_nothing)
    # then each listing has the row's rate, and the empty cell leaves it null (the marketplace default)
    assert (job["status"], job["rows_imported"]) == ("done", 3), job
    assert await tax_rates(client) == {"T-1": "7.00", "T-2": None, "T-3": "19.50"}
    assert (await Listing.select(Listing.tax_rate).where(Listing.sku == "T-2").first())["tax_rate"] is None
    # when a second file names other rates, the row's value replaces the listing's, as every column's does
    again = [["T-1", "Gloves", "1.00", "EUR", ""], ["T-2", "Tape", "1.00", "EUR", "7.00"]]
    job = await import_and_wait(client, csv_bytes(again, header=TAXED_HEADER), all_or_nothing=all_or_nothing)
    assert job["rows_imported"] == 2, job
    assert await tax_rates(client) == {"T-1": None, "T-2": "7.00", "T-3": "19.50"}
    # and a file without the column imports as before
    job = await import_and_wait(client, csv_bytes([["T-4", "Pens", "1.00", "EUR"]], header=TAXED_HEADER[:-1]),
                                all_or_nothing=all_or_nothing)
    assert job["rows_imported"] == 1 and (await tax_rates(client))["T-4"] is None


async def test_a_wrong_tax_rate_cell_is_reported_with_its_row_and_column(world, api, worker):
    client = await api(world.vendor_admin)
    rows = [["W-1", "Gloves", "1.00", "EUR", 7.5], ["W-2", "Tape", "1.00", "EUR", 101],
            ["W-3", "Glue", "1.00", "EUR", "19.555"]]
    job = await import_and_wait(client, xlsx_bytes(rows, header=TAXED_HEADER), name="feed.xlsx", all_or_nothing=False)
    assert (job["rows_imported"], job["rows_rejected"]) == (1, 2), job
    assert {(e["row"], e["column"]) for e in job["errors"]} == {(3, "tax_rate"), (4, "tax_rate")}
    assert all("from 0 to 100 with at most 2 decimals" in e["reason"] for e in job["errors"])
    assert await tax_rates(client) == {"W-1": "7.50"}  # an XLSX number cell reads as its decimal text
