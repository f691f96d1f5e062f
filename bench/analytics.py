"""Savings analytics benchmark: two years of one buyer's history on PostgreSQL (10,000 awarded RFQs of 10 lines,
100,000 awarded lines, three to five vendors' offers on each, 40 % of them revised), then the savings API and page
timed over HTTP against `market serve`, and the queries each one runs counted in-process.

    createdb -h 127.0.0.1 -U postgres market_bench_analytics
    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench_analytics .venv/bin/python bench/analytics.py
    ... --rfqs 10000 --lines 10 --requests 60     # run again on the same database: its history is reused

The history is the demo's plan (app/demo/history.py) at scale, written with COPY. The facts' refresh then writes the
savings facts of every awarded RFQ, their monthly sums and the vendors' months (one transaction; timed apart as the
cold start, as the first request after a bulk load would pay it); later requests find nothing due (one look at an
empty partial index) and read the monthly sums.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx

from bench._server import migrate, serving
from bench.catalog import percentiles

BUYER = "Bench Hospital"
VENDORS = {"EUR": [f"Bench Vendor {n}" for n in range(1, 6)], "USD": ["Bench Vendor 1", "Bench Vendor 6",
                                                                      "Bench Vendor 7"]}


async def build(rfqs: int, lines: int) -> tuple[int, str]:
    """The buyer, its vendors, 40 categories of 10 products, and the history; the buyer admin's token."""
    from app.accounts import services
    from app.accounts.schemas import CompanyIn, UserIn
    from app.catalog.tables import Category, Product
    from app.clock import utcnow
    from app.demo import history
    from app.settings import get_settings

    buyer = await services.find_company_id("buyer", BUYER)
    if buyer is None:
        buyer = (await services.create_company(CompanyIn(name=BUYER, kind="buyer", country="DE", currency="EUR"))).id
        await services.create_user(None, buyer, UserIn(email="bench.buyer@bench.example", name="Bench",
                                                       roles=["buyer_admin"], password="bench-password"))
    token = await services.issue_token("bench.buyer@bench.example", "bench-password", "127.0.0.1")
    if await history.Rfq.exists().where(history.Rfq.buyer == buyer):
        return buyer, token
    vendor_ids = {}
    for name in sorted({n for names in VENDORS.values() for n in names}):
        found = await services.find_company_id("vendor", name)
        vendor_ids[name] = found or (await services.create_company(
            CompanyIn(name=name, kind="vendor", country="DE", currency="EUR"))).id
    products = []
    for c in range(40):
        category = Category(name=f"Bench category {c}", path="")
        await category.save()
        await Category.update({Category.path: f"/{category.id}/"}).where(Category.id == category.id)
        rows = [Product(name=f"Bench product {c}-{p}", category=category.id) for p in range(10)]
        await Product.insert(*rows)
        products += [(r.id, r.name, Decimal(100 + 37 * (c * 10 + p) % 4900) / 100) for p, r in enumerate(rows)]
    now = utcnow()
    plan = history.Plan(buyer_id=buyer, vendors={k: [vendor_ids[n] for n in v] for k, v in VENDORS.items()},
                        products=products, rfqs=rfqs, lines_per_rfq=lines, first=now - timedelta(days=730),
                        last=now - timedelta(days=3), tag="B")
    started = time.perf_counter()
    rows = history.build(plan, await history.next_ids(), now)
    built = time.perf_counter() - started
    connection = await asyncpg.connect(get_settings().database_url)
    try:
        for table in history.TABLES:
            columns = table._meta.columns
            records = [tuple(getattr(row, c._meta.name) for c in columns) for row in rows.get(table, [])]
            await connection.copy_records_to_table(table._meta.tablename, records=records,
                                                   columns=[c._meta.db_column_name for c in columns])
            name = table._meta.tablename
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    counts = {t._meta.tablename: len(rows.get(t, [])) for t in history.TABLES}
    print(f"built in {built:.1f} s, copied in {time.perf_counter() - started - built:.1f} s: {counts}")
    return buyer, token


async def count_queries(token: str) -> dict[str, int]:
    """The queries of one API call and one page's figures, counted at the engine."""
    from app.analytics import services
    from app.analytics.schemas import GroupBy
    from app.auth import principal_for_token
    from app.db import get_engine

    engine = get_engine()
    calls = 0
    original = engine.run_querystring

    async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return await original(*args, **kwargs)

    engine.run_querystring = counted  # type: ignore[method-assign]
    principal = await principal_for_token(token)
    assert principal is not None
    found = {}
    for name, call in (
        ("API group_by=month", lambda: services.savings(principal, GroupBy.MONTH, None, None)),
        ("API group_by=vendor", lambda: services.savings(principal, GroupBy.VENDOR, None, None)),
        ("API group_by=cost_center", lambda: services.savings(principal, GroupBy.COST_CENTER, None, None)),
        ("page figures", lambda: services.savings_page(principal, None, None, None, None)),
    ):
        calls = 0
        await call()
        found[name] = calls
    engine.run_querystring = original  # type: ignore[method-assign]
    return found


def timed(client: httpx.Client, path: str, requests: int) -> dict[str, float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return percentiles(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rfqs", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    if not os.environ.get("MARKET_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set MARKET_DATABASE_URL to a PostgreSQL database (see the docstring)")
    print(f"load average before: {os.getloadavg()} on {os.cpu_count()} cores")

    async def prepare() -> tuple[str, dict[str, int]]:
        from app import db

        await migrate(quiet=True)
        _, token = await build(args.rfqs, args.lines)
        from app.analytics import facts

        started = time.perf_counter()
        await facts.refresh()
        print(f"savings facts written (cold start, once): {time.perf_counter() - started:.1f} s")
        # What autovacuum would do soon after such a bulk write: without statistics the planner takes the buyer's
        # 100,000 facts for a few hundred and joins them in a nested loop.
        await facts.AwardFact.raw("ANALYZE award_fact")
        await facts.AwardFact.raw("ANALYZE savings_month")
        await facts.AwardFact.raw("ANALYZE vendor_month")
        counts = await count_queries(token)
        await db.close_pool()
        return token, counts

    token, counts = asyncio.run(prepare())
    print("queries per call (the caller's authentication aside):", counts)
    with serving() as server, httpx.Client(base_url=server.base_url, timeout=60,
                                           headers={"Authorization": f"Bearer {token}"}) as client:
        paths = {
            "GET /api/v1/analytics/savings?group_by=month": "/api/v1/analytics/savings?group_by=month",
            "GET /api/v1/analytics/savings?group_by=category": "/api/v1/analytics/savings?group_by=category",
            "GET /api/v1/analytics/savings?group_by=cost_center": "/api/v1/analytics/savings?group_by=cost_center",
            "GET /api/v1/analytics/savings?group_by=vendor (one year)":
                "/api/v1/analytics/savings?group_by=vendor&from=2025-12-01&to=2026-11-30",
        }
        for label, path in paths.items():
            client.get(path)  # warm
            spread = timed(client, path, args.requests)
            print(f"{label:60} p50 {spread['p50']:6.0f} ms  p95 {spread['p95']:6.0f} ms  ({args.requests} requests)")
        # The page is a browser's: the same figures, the charts, behind a session cookie.
        with httpx.Client(base_url=server.base_url, timeout=60) as browser:
            form = browser.get("/login").text
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form)
            login = browser.post("/login", data={"email": "bench.buyer@bench.example", "password": "bench-password",
                                                 "next": "/", "_csrf_token": csrf.group(1) if csrf else ""})
            page = browser.get("/analytics/savings")
            if page.status_code == 200 and "<svg" in page.text:
                spread = timed(browser, "/analytics/savings", max(args.requests // 2, 10))
                print(f"{'GET /analytics/savings (page with 4 charts)':60} p50 {spread['p50']:6.0f} ms  "
                      f"p95 {spread['p95']:6.0f} ms")
            else:
                print(f"page not timed: {page.status_code} (login {login.status_code})")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
