"""Vendor feed builders: CSV files, an upload through the API and its finished job, the tiers a feed wrote."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime, timedelta

from app.catalog.tables import ListingTier
from app.vendors.tables import FeedImport
from tests.support.fixtures import drain

HEADER = ["sku", "title", "base_price", "currency", "gtin", "stock", "tiers"]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


async def upload(client, content: bytes, name="feed.csv", all_or_nothing: bool | None = None):
    data = {} if all_or_nothing is None else {"all_or_nothing": str(all_or_nothing).lower()}
    return await client.post("/api/v1/listings/import", files={"file": (name, content)}, data=data)


async def import_and_wait(client, content: bytes, name="feed.csv", all_or_nothing=None) -> dict:
    response = await upload(client, content, name, all_or_nothing)
    assert response.status_code == 202, response.text
    return await finished_job(client, response.json()["id"])


async def finished_job(client, import_id: int, timeout_seconds: float = 60) -> dict:
    """The import once it is done or failed. Redis's join returns when a worker has taken the message, which may
    be before it finished the job: look at the job itself until it is over."""
    drain("imports")
    deadline = time.monotonic() + timeout_seconds
    while True:
        job = (await client.get(f"/api/v1/jobs/{import_id}")).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        await asyncio.sleep(0.05)


BATCH_HEADER = ["sku", "title", "base_price", "currency", "tiers"]  # the columns a batch-write test needs


def feed(rows) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows([BATCH_HEADER, *rows])
    return io.BytesIO(text.getvalue().encode())


async def tiers_of(vendor_id: int) -> dict[str, list[tuple[int, int]]]:
    rows = await ListingTier.select(ListingTier.listing.sku, ListingTier.min_qty, ListingTier.unit_price).where(
        ListingTier.listing.vendor == vendor_id
    ).order_by(ListingTier.min_qty)
    tiers: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        tiers.setdefault(row["listing.sku"], []).append((row["min_qty"], row["unit_price"]))
    return tiers


IMPORTED_AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


async def an_import(vendor_id: int, filename: str, *, status: str = "done", imported: int = 0, rejected: int = 0,
                    minutes: int = 0) -> int:
    job = FeedImport(vendor=vendor_id, filename=filename, stored_path=f"var/imports/{filename}", file_format="csv",
                     status=status, rows_total=imported + rejected, rows_imported=imported, rows_rejected=rejected,
                     created_at=IMPORTED_AT + timedelta(minutes=minutes))
    await job.save()
    return job.id
