"""Hostile files through `POST /api/v1/listings/import`: refused at once, in little memory, while the app answers.

Each upload runs beside a loop of `GET /api/v1/me` on the same event loop (the ASGI transport): a refusal that
parsed on the loop, or held the GIL for long, would show in the slowest answer of /me. The file is sent from disk
in 64 KB chunks, as a client's socket delivers it (sent as one bytes object, the in-process transport hands the
app the whole body as one message). The figures are printed (`pytest -s` shows them).
"""

import asyncio
import dataclasses
import time
import tracemalloc
from pathlib import Path

import pytest

from app.settings import get_settings
from app.vendors import import_run
from app.vendors.tables import FeedImport
from tests.support.hostile_files import (
    MB,
    csv_one_line,
    many_parts,
    many_sheets,
    numbered_rows,
    sheet_xml,
    workbook_with_sheet,
    zip_bomb,
)
from tests.support.vendors import finished_job, upload

ME_BUDGET_SECONDS = 0.2


@dataclasses.dataclass
class Answer:
    status: int
    body: dict
    detail: str
    seconds: float
    peak_mb: float
    slowest_me_seconds: float
    me_calls: int


async def _upload_beside_me(uploader, watcher, path: Path, name: str) -> Answer:
    """Upload the file while `watcher` calls /me in a loop; the upload's answer, time and traced memory peak."""
    finished = asyncio.Event()
    latencies: list[float] = []

    async def watch() -> None:
        while not finished.is_set():
            started = time.perf_counter()
            response = await watcher.get("/api/v1/me")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text

    async def send():  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)  # /me is on its way first
        started = time.perf_counter()
        try:
            with path.open("rb") as stream:
                response = await uploader.post("/api/v1/listings/import", files={"file": (name, stream)})
            return response, time.perf_counter() - started
        finally:
            finished.set()

    tracemalloc.start()
    try:
        (response, seconds), _ = await asyncio.gather(send(), watch())
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    body = response.json()
    detail = body.get("detail", "") if response.status_code == 400 else ""
    return Answer(response.status_code, body, detail, seconds, peak, max(latencies), len(latencies))


def _print(name: str, answer: Answer) -> None:
    print(f"\n{name}: {answer.status} in {answer.seconds * 1000:.0f} ms, peak traced memory {answer.peak_mb:.1f} MB, "
          f"slowest /me {answer.slowest_me_seconds * 1000:.0f} ms of {answer.me_calls}: {answer.detail}")


@pytest.fixture
async def clients(world, api):
    return await api(world.vendor_admin), await api(world.buyer_admin)


async def test_a_zip_bomb_is_refused_within_a_second_and_50_mb_while_the_app_answers(clients, tmp_path):
    # given a 2 MB workbook whose sheet, without <dimension>, unpacks to 300 MB
    path = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=300)
    # when a vendor uploads it while another user calls /me
    answer = await _upload_beside_me(*clients, path, "bomb.xlsx")
    _print(f"zip bomb ({path.stat().st_size / MB:.1f} MB unpacking to 300 MB)", answer)
    # then it is refused at once, naming the limit, and nothing is kept
    assert answer.status == 400
    assert "bomb.xlsx: the workbook unpacks to more than 256 MB (300 MB)" in answer.detail
    assert answer.seconds <= 1 and answer.peak_mb <= 50
    assert answer.slowest_me_seconds < ME_BUDGET_SECONDS
    assert await FeedImport.count() == 0


def _utf16_csv(path: Path) -> Path:
    path.write_text("sku,title,base_price,currency\n" + "A-1,Gloves,1.50,EUR\n" * 200_000, encoding="utf-16")
    return path


# The 50 MB file takes most of its time to arrive: the in-process transport moves it at about 70 MB/s.
@pytest.mark.parametrize(("name", "make", "message", "seconds"), [
    ("sheets.xlsx", lambda path: many_sheets(path, 1_000),
     "the workbook has 1,004 parts (sheets, pictures, …), more than the 500 a feed may have", 1),
    ("parts.xlsx", lambda path: many_parts(path, 40_000), "the workbook has 40,009 parts", 1),
    ("utf16.csv", _utf16_csv, "not UTF-8 text (it contains NUL bytes; UTF-16?): export it as CSV UTF-8", 1),
    ("line.csv", lambda path: csv_one_line(path, megabytes=50), "row 1 is longer than 1,024 KB, the limit of one row",
     3),
])  # fmt: skip
async def test_hostile_files_are_refused_at_once_with_the_reason(clients, tmp_path, name, make, message, seconds):
    path = make(tmp_path / name)
    answer = await _upload_beside_me(*clients, path, name)
    _print(f"{name} ({path.stat().st_size / MB:.1f} MB)", answer)
    assert answer.status == 400
    assert message in answer.detail
    assert answer.seconds <= seconds and answer.peak_mb <= 50
    assert answer.slowest_me_seconds < ME_BUDGET_SECONDS
    assert await FeedImport.count() == 0


def _limits(monkeypatch, **changes) -> None:
    """The job's settings with `changes` (the settings are read once; the job asks for them per run)."""
    changed = dataclasses.replace(get_settings(), **changes)
    monkeypatch.setattr(import_run, "get_settings", lambda: changed)


async def _accepted(client, content: bytes, name: str) -> int:
    response = await upload(client, content, name)
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def _job(client, import_id: int) -> dict:
    started = time.perf_counter()
    job = await finished_job(client, import_id)
    job["seconds"] = time.perf_counter() - started
    return job


async def test_a_big_sheet_without_dimension_is_taken_at_once_and_stopped_at_the_row_limit(
    clients, tmp_path, monkeypatch, request
):
    # given a sheet of 100,000 rows without <dimension>, and a row limit of 1,000
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml(numbered_rows(100_000)), compresslevel=1)
    _limits(monkeypatch, feed_max_rows=1_000)
    vendor, _ = clients
    # when it is uploaded, then only its header is read: the answer comes at once
    answer = await _upload_beside_me(*clients, path, "feed.xlsx")
    _print("100,000-row sheet without <dimension>", answer)
    assert answer.status == 202 and answer.seconds <= 1
    assert answer.slowest_me_seconds < ME_BUDGET_SECONDS
    request.getfixturevalue("worker")  # only now: the job's reading is not the upload's
    # and the job stops at the limit with the reason, instead of sitting at "checking 0/0"
    job = await _job(vendor, answer.body["id"])
    assert (job["status"], job["rows_imported"]) == ("failed", 0), job
    assert job["error"] == ("The import was stopped: the file has more than 1,000 rows, the limit of one import: "
                            "split it into files of at most 1,000 rows")
    assert job["seconds"] < 5


async def test_an_import_over_the_time_limit_fails_with_the_reason(clients, worker, tmp_path, monkeypatch):
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml(numbered_rows(100_000)), compresslevel=1)
    _limits(monkeypatch, feed_time_limit_seconds=1)
    vendor, _ = clients
    job = await _job(vendor, await _accepted(vendor, path.read_bytes(), "feed.xlsx"))
    assert job["status"] == "failed", job
    assert job["error"] == ("The import was stopped: the import took longer than 1 second, the time limit of one "
                            "import: split the file into smaller ones")
    assert job["seconds"] < 5


async def test_a_50_mb_row_after_a_good_header_fails_the_job_at_that_row(clients, worker, tmp_path):
    vendor, _ = clients
    content = csv_one_line(tmp_path / "line.csv", megabytes=50, header=True).read_bytes()
    job = await _job(vendor, await _accepted(vendor, content, "line.csv"))
    assert job["status"] == "failed", job
    assert job["error"].startswith("The file could not be read: row 2 is longer than 1,024 KB, the limit of one row")
    assert job["seconds"] < 2
