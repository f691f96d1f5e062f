"""Vendor scorecard benchmark on PostgreSQL: a marketplace history written in bulk with SQL, then one vendor's
scorecard figures and a 50-vendor page of the operators' grid loaded as the app loads them (eight queries each).

    createdb -h 127.0.0.1 -U postgres market_bench_scorecards
    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench_scorecards \
        .venv/bin/python bench/scorecards.py --rfqs 10000

Use a fresh, empty database: the script migrates it and fills it. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import app  # noqa: F401
from app import db
from app.accounts.tables import Company
from app.grids import GridPage, GridState
from app.sourcing import scorecard_rules as rules
from app.sourcing import scorecard_store as store
from app.sourcing.scorecards import SCORECARD_GRID, scorecard_grid
from bench._server import migrate

BUYERS, VENDORS, LINES, BIDDERS = 40, 200, 5, 4

# Each RFQ: 5 lines, 6 vendors invited, 4 bidding (the 1st of them revising once), awarded to the 2nd; every
# tenth RFQ's winner gets an order confirmed after 10-70 hours. Vendor ids are picked by arithmetic on the RFQ id.
FILL = [
    """INSERT INTO company (name, kind, country, currency, status, tax_id, created_at)
       SELECT 'Buyer ' || g, 'buyer', 'DE', 'EUR', 'active', '', now() FROM generate_series(1, {buyers}) g""",
    """INSERT INTO company (name, kind, country, currency, status, tax_id, created_at)
       SELECT 'Vendor ' || g, 'vendor', 'DE', 'EUR', 'active', '', now() FROM generate_series(1, {vendors}) g""",
    """CREATE TEMP TABLE b AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM company WHERE kind = 'buyer'""",
    """CREATE TEMP TABLE v AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM company WHERE kind = 'vendor'""",
    """INSERT INTO rfq (title, description, buyer, currency, delivery_address, payment_terms, deadline, visibility,
                       bidding_mode, status, show_best_price, anti_snipe_minutes, max_extension_minutes,
                       extended_minutes, created_at, published_at, closed_at, awarded_at, cancel_reason)
       SELECT 'RFQ ' || g, '', (SELECT id FROM b WHERE n = g % {buyers}), 'EUR', '', 'net_30',
              now() - (g % 700) * interval '1 day', 'invited', 'sealed', 'awarded', false, 0, 0, 0,
              now() - (g % 700 + 7) * interval '1 day', now() - (g % 700 + 7) * interval '1 day',
              now() - (g % 700) * interval '1 day', now() - (g % 700) * interval '1 day', ''
       FROM generate_series(1, {rfqs}) g""",
    """INSERT INTO rfq_line (rfq, position, description, quantity, unit, notes)
       SELECT r.id, p, 'Item ' || p, 100, 'pcs', '' FROM rfq r, generate_series(1, {lines}) p""",
    """CREATE TEMP TABLE pick AS
       SELECT r.id AS rfq, k, (SELECT id FROM v WHERE n = (r.id * 7 + k * 13) % {vendors}) AS vendor
       FROM rfq r, generate_series(0, 5) k""",
    """INSERT INTO rfq_invitation (rfq, vendor, invited_at, decline_reason)
       SELECT p.rfq, p.vendor, r.published_at, '' FROM pick p JOIN rfq r ON r.id = p.rfq""",
    """INSERT INTO offer (rfq, vendor, status, revision_count, created_at)
       SELECT p.rfq, p.vendor, 'live', CASE WHEN p.k = 0 THEN 2 ELSE 1 END, r.published_at
       FROM pick p JOIN rfq r ON r.id = p.rfq WHERE p.k < {bidders}""",
    """INSERT INTO offer_revision (offer, number, received_at, lead_time_days, notes)
       SELECT o.id, n, r.published_at + ((o.id % 48) + n) * interval '1 hour', 5, ''
       FROM offer o JOIN rfq r ON r.id = o.rfq, generate_series(1, 2) n WHERE n <= o.revision_count""",
    """INSERT INTO offer_line (revision, rfq_line, unit_price, quantity)
       SELECT rev.id, l.id, 100000 + ((o.id * 31 + l.id * 17) % 20000) - (rev.number - 1) * 3000, 100
       FROM offer_revision rev JOIN offer o ON o.id = rev.offer JOIN rfq_line l ON l.rfq = o.rfq""",
]


async def fill(rfqs: int) -> None:
    sizes = {"buyers": BUYERS, "vendors": VENDORS, "rfqs": rfqs, "lines": LINES, "bidders": BIDDERS}
    engine = db.get_engine()
    for statement in FILL:
        started = time.perf_counter()
        await engine.run_ddl(statement.format(**sizes))
        print(f"  {statement.split()[0]} {statement.split()[2]:<16} {time.perf_counter() - started:6.1f} s",
              file=sys.stderr)
    await engine.run_ddl("ANALYZE")


async def timed(label: str, runs: int, load) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await load()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"{label:<46} p50 {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   ({len(result)} vendors)")


async def _items(page: Awaitable[GridPage]) -> list[object]:
    return list((await page).items)


async def _queries(load: Callable[[], Awaitable[object]]) -> int:
    """How many queries `load` sends, counted at the engine."""
    engine = db.get_engine()
    original, calls = engine.run_querystring, 0

    async def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await original(*args, **kwargs)

    engine.run_querystring = counted  # type: ignore[method-assign]
    try:
        await load()
    finally:
        engine.run_querystring = original  # type: ignore[method-assign]
    return calls


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rfqs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if db.is_sqlite():
        raise SystemExit("this benchmark fills the database with PostgreSQL's SQL: point it at PostgreSQL")
    await migrate(quiet=True)
    await db.start_pool()
    if not await Company.exists():
        await fill(args.rfqs)
    vendors = [row["id"] for row in await Company.select(Company.id).where(Company.kind == "vendor")
               .order_by(Company.id)]
    now = await db.db_now()
    one = vendors[:1]
    print(f"{args.rfqs:,} RFQs x {LINES} lines, {VENDORS} vendors, {BUYERS} buyers; each vendor in "
          f"~{args.rfqs * 6 // VENDORS:,} invitations, ~{args.rfqs * BIDDERS * LINES // VENDORS:,} offered lines")
    await timed("one vendor's scorecard (8 queries)", args.runs, lambda: store.histories(one, now))
    await timed("operators' grid page, 50 vendors (8 queries)", max(3, args.runs // 4),
                lambda: store.histories(vendors[:50], now))
    state = GridState(SCORECARD_GRID, "name", False)
    await timed("operators' grid, first page (/operator/scorecards)", max(3, args.runs // 4),
                lambda: _items(scorecard_grid(state)))
    print(f"queries: one vendor's figures {await _queries(lambda: store.histories(one, now))}, 50 vendors' "
          f"{await _queries(lambda: store.histories(vendors[:50], now))}, the grid page "
          f"{await _queries(lambda: scorecard_grid(state))}; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores")
    histories = (await store.histories(one, now))[one[0]]
    started = time.perf_counter()
    figures = rules.figures(histories)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"figures of one vendor from {len(histories)} buyer histories: {elapsed:.1f} ms"
          f" (median gap {figures.price_gap_median} % over {figures.price_gap_lines} lines)")
    await db.close_pool()


if __name__ == "__main__":
    asyncio.run(main())
