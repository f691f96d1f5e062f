"""Feed import benchmark: a deterministic 100,000-row CSV imported in-process for a fresh vendor, twice.

The first run inserts every listing, the second updates them all (same SKUs); both run in
all-or-nothing mode (the default: every row is checked and staged 1,000 per transaction, then all are
written in one transaction; best effort writes 1,000 rows per transaction).
A third, untimed run of the updates measures the peak memory Python allocates while importing
(tracemalloc slows the import, so it is kept out of the timed runs). Prints figures; asserts nothing.

    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench_import .venv/bin/python bench/feed_import.py
    .venv/bin/python bench/feed_import.py                 # SQLite in a temporary directory
    .venv/bin/python bench/feed_import.py --rows 20000 --best-effort --no-tracemalloc
    MARKET_DATABASE_URL=… .venv/bin/python bench/feed_import.py --other-listings 1000000   # a grown marketplace

`--other-listings N` first gives another vendor N listings (once per database: a later run with the same N
finds them) and analyzes the table, as autovacuum would have: a marketplace's listing table only grows, and
an import must not slow down with it.

The database is migrated first (run_forwards); an existing database is fine: each run makes its own vendor.
The temporary directory (feed file, stored uploads, SQLite database) is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import migrate

HEADER = ["sku", "title", "brand", "mpn", "description", "unit", "pack_size", "stock", "lead_time_days",
          "base_price", "currency", "tiers"]  # fmt: skip


def write_feed(path: Path, rows: int) -> None:
    """The same file for the same number of rows: 10% of the rows carry two volume tiers."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for n in range(rows):
            price = n % 997 + 1
            writer.writerow([
                f"BENCH-{n:07d}", f"Article number {n}, size {n % 7 + 1}", f"Brand {n % 40}", f"MPN-{n * 7:08d}",
                "A long enough description of this article, as vendors write them. " * 2, "pcs", n % 10 + 1,
                n % 500, n % 15, f"{price}.25", "EUR", f"10:{price}.10|100:{price}.00" if n % 10 == 0 else "",
            ])  # fmt: skip


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--best-effort", action="store_true", help="import in best-effort mode instead")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the untimed memory run")
    parser.add_argument("--other-listings", type=int, default=0,
                        help="listings of another vendor present before the import (made once per database)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="feed-bench-"))
    os.environ["MARKET_VAR_DIR"] = str(work)  # uploaded files are kept under var/imports
    os.environ.setdefault("MARKET_DATABASE_URL", f"sqlite:///{work}/bench.sqlite3")
    logging_quiet()

    import app  # noqa: F401 - reads the settings from the environment set above
    from app import db
    from app.accounts.tables import Company
    from app.catalog.tables import Listing, ListingTier
    from app.clock import utcnow
    from app.vendors.import_reports import import_report
    from app.vendors.import_run import run_import
    from app.vendors.import_start import start_import

    await migrate(quiet=True)
    await db.start_pool(4)
    try:
        engine = "SQLite" if db.is_sqlite() else "PostgreSQL"
        path = work / "feed.csv"
        started = time.perf_counter()
        write_feed(path, args.rows)
        print(f"{engine} ({os.environ['MARKET_DATABASE_URL']}); feed of {args.rows:,} rows, "
              f"{path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s")
        if args.other_listings:
            started = time.perf_counter()
            made = await preload_other_listings(args.other_listings)
            total = await Listing.count()
            print(f"  {total:,} listings in the table ({made:,} made for another vendor in "
                  f"{time.perf_counter() - started:.0f} s)", flush=True)
        vendor = await Company.insert(
            Company(name=f"Bench vendor {uuid.uuid4().hex[:8]}", kind="vendor", country="DE", currency="EUR",
                    created_at=utcnow())
        ).returning(Company.id)
        vendor_id = vendor[0]["id"]
        mode = "best effort" if args.best_effort else "all or nothing"

        async def run(label: str) -> None:
            with path.open("rb") as source:
                import_id = await start_import(
                    vendor_id, None, path.name, source, all_or_nothing=not args.best_effort, enqueue=False
                )
            started = time.perf_counter()
            await run_import(import_id)
            elapsed = time.perf_counter() - started
            report = await import_report(import_id, vendor_id=vendor_id, errors_shown=3)
            print(f"  {label:<8} {elapsed:6.1f} s = {args.rows / elapsed:8,.0f} rows/s  ({mode}; {report.status}, "
                  f"{report.rows_imported:,} imported, {report.rows_rejected:,} rejected; "
                  f"max RSS {max_rss_mb():.0f} MB)", flush=True)

        print(f"  max RSS before importing: {max_rss_mb():.0f} MB")
        await run("inserts")
        await run("updates")
        listings = await Listing.count().where(Listing.vendor == vendor_id)
        tiers = await ListingTier.count().where(ListingTier.listing.vendor == vendor_id)
        print(f"  the vendor has {listings:,} listings and {tiers:,} tiers")
        if not args.no_tracemalloc:
            tracemalloc.start()
            with path.open("rb") as source:
                import_id = await start_import(
                    vendor_id, None, path.name, source, all_or_nothing=not args.best_effort, enqueue=False
                )
            tracemalloc.reset_peak()
            await run_import(import_id)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  peak Python memory while importing (tracemalloc, untimed updates run): {peak / 1e6:.1f} MB "
                  f"for a {path.stat().st_size / 1e6:.1f} MB file")
    finally:
        await db.close_pool()
        shutil.rmtree(work, ignore_errors=True)  # the feed, its stored copies and a SQLite database


OTHER_VENDOR = "Bench vendor with many listings"
PRELOAD_CHUNK = 100_000
# Listings of the other vendor numbered {} to {} (inclusive), as drafts: what a big vendor's feed leaves.
_PRELOAD_SELECT = (
    "SELECT {vendor}, 'OTHER-' || {number}, 'Other article ' || {g}, 'pcs', 10000 + {g} % 1000, 'EUR', 'draft', "
    "{now}, {now}"
)
_PRELOAD_COLUMNS = "vendor, sku, title, unit, base_price, currency, status, created_at, updated_at"


async def preload_other_listings(count: int) -> int:
    """Give the other vendor `count` listings, unless it has them already; how many were made."""
    from app import db
    from app.accounts.tables import Company
    from app.catalog.tables import Listing
    from app.clock import utcnow

    found = await Company.select(Company.id).where(Company.name == OTHER_VENDOR).first()
    if found is None:
        found = (await Company.insert(
            Company(name=OTHER_VENDOR, kind="vendor", country="DE", currency="EUR", created_at=utcnow())
        ).returning(Company.id))[0]
    vendor_id = found["id"]
    have = await Listing.count().where(Listing.vendor == vendor_id)
    now = utcnow()
    for start in range(have + 1, count + 1, PRELOAD_CHUNK):
        end = min(count, start + PRELOAD_CHUNK - 1)
        if db.is_sqlite():
            select = _PRELOAD_SELECT.format(vendor="{}", number="printf('%08d', g)", g="g", now="{}")
            sql = (f"WITH RECURSIVE n(g) AS (SELECT {{}} UNION ALL SELECT g + 1 FROM n WHERE g < {{}}) "
                   f"INSERT INTO listing ({_PRELOAD_COLUMNS}) {select} FROM n")
            await Listing.raw(sql, start, end, vendor_id, now, now)
        else:
            select = _PRELOAD_SELECT.format(vendor="{}", number="lpad(g::text, 8, '0')", g="g", now="{}")
            sql = f"INSERT INTO listing ({_PRELOAD_COLUMNS}) {select} FROM generate_series({{}}::int, {{}}::int) g"
            await Listing.raw(sql, vendor_id, now, now, start, end)
    if not db.is_sqlite():
        await Listing.raw("ANALYZE listing")
    return max(0, count - have)


def logging_quiet() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)


if __name__ == "__main__":
    asyncio.run(main())
