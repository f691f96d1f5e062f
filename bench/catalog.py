"""Catalog benchmark at marketplace size: search with resolved prices through the HTTP app,
the same SQL run directly on the database (the floor), and the 100,000-row feed import.

    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench .venv/bin/python bench/catalog.py
    MARKET_DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/catalog.py --products 20000

Use a fresh, empty database: the script migrates it and fills it. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

import app  # noqa: F401
from app.settings import get_settings
from bench._data import Size, build
from bench._server import migrate, serving


def bar(name: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    end = "\n" if done >= total else ""
    print(f"\r  {name:<20} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}", end=end, file=sys.stderr)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]  # noqa: E731
    return {
        "p50": pick(50) * 1000, "p95": pick(95) * 1000, "p99": pick(99) * 1000,
        "mean": statistics.mean(ordered) * 1000,
    }


async def make_buyers(buyer_ids: list[int], count: int) -> list[str]:
    """A purchaser in `count` buyer companies spread over the segments; returns their tokens."""
    from piccolo.apps.user.tables import BaseUser

    from app.accounts import services
    from app.accounts.schemas import UserIn

    tokens = []
    # The first `count` buyer companies: the data set puts consecutive buyers in different segments, so the
    # searches run under many segments' visibility rules and price lists, not one.
    for company_id in buyer_ids[:count]:
        email = f"bench{company_id}@bench.example"
        if not await BaseUser.exists().where(BaseUser.username == email):  # --skip-build reuses them
            await services.create_user(None, company_id, UserIn(email=email, name="Bench", roles=["purchaser"],
                                                                password="bench-password"))
        tokens.append(await services.issue_token(email, "bench-password", "127.0.0.1"))
    return tokens


def search_params(rng: random.Random, words: list[str], brands: list[str]) -> dict[str, str]:
    shape = rng.random()
    params = {"per_page": "20", "page": str(rng.randint(1, 3))}
    if shape < 0.5:
        params["q"] = rng.choice(words)
    elif shape < 0.7:
        params["q"] = f"{rng.choice(words)} {rng.choice(words)}"
        params["sort"] = "price_asc"
    elif shape < 0.85:
        params["brand"] = rng.choice(brands)
    else:
        params["q"] = rng.choice(words)
        params["in_stock"] = "true"
    return params


def shape_of(params: dict) -> str:
    """The request shape, to report figures per shape."""
    words = len(params.get("q", "").split())
    if not words:
        return "filter only (brand)" if params.get("brand") else "filter only"
    name = "one word" if words == 1 else f"{words} words"
    if params.get("sort", "relevance") != "relevance":
        name += " + price sort"
    if params.get("in_stock"):
        name += " + in stock"
    return name


def by_shape(requests: list[dict], samples: list[tuple[int, float]]) -> str:
    groups: dict[str, list[float]] = {}
    for number, seconds in samples:
        groups.setdefault(shape_of(requests[number]), []).append(seconds)
    return "\n".join(
        f"    {name:<28} n={len(values):>3}  p50 {percentiles(values)['p50']:7.1f} ms  "
        f"p95 {percentiles(values)['p95']:7.1f} ms"
        for name, values in sorted(groups.items())
    )


async def measure_http(base_url: str, tokens: list[str], requests: list[dict], concurrency: int) -> dict:
    latencies: list[float] = []
    samples: list[tuple[int, float]] = []
    errors = 0
    queue: asyncio.Queue[tuple[int, dict]] = asyncio.Queue()
    for number, params in enumerate(requests):
        queue.put_nowait((number, params))

    async def client_loop() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            while not queue.empty():
                number, params = queue.get_nowait()
                headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
                start = time.perf_counter()
                response = await client.get("/api/v1/catalog/products", params=params, headers=headers)
                latencies.append(time.perf_counter() - start)
                samples.append((number, latencies[-1]))
                if response.status_code != 200:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*[client_loop() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    return {**percentiles(latencies), "rps": len(latencies) / elapsed, "errors": errors, "n": len(latencies),
            "shapes": by_shape(requests, samples), "samples": [seconds * 1000 for seconds in latencies]}


async def measure_direct(tokens: list[str], requests: list[dict]) -> dict:
    """Capture the SQL each search runs in-process, then time only that SQL on the database."""
    from app.asgi import create_app
    from app.db import get_engine

    engine_class = type(get_engine())
    original = engine_class.run_querystring
    captured: list = []

    async def capture(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        captured.append(querystring)
        return await original(self, querystring, *args, **kwargs)

    application = create_app(run_worker=False)
    transport = httpx.ASGITransport(app=application)
    timings: list[float] = []
    queries_per_request: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for number, params in enumerate(requests):
            captured.clear()
            engine_class.run_querystring = capture
            try:
                headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
                await client.get("/api/v1/catalog/products", params=params, headers=headers)
            finally:
                engine_class.run_querystring = original
            statements = list(captured)
            queries_per_request.append(len(statements))
            start = time.perf_counter()
            for statement in statements:
                await original(get_engine(), statement)
            timings.append(time.perf_counter() - start)
    return {**percentiles(timings), "queries_per_request": sorted(set(queries_per_request)),
            "shapes": by_shape(requests, list(enumerate(timings)))}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--vendors", type=int, default=200)
    parser.add_argument("--listings-per-product", type=int, default=5)
    parser.add_argument("--segments", type=int, default=20)
    parser.add_argument("--buyers", type=int, default=2_000)
    parser.add_argument("--contracts", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-build", action="store_true", help="reuse a database built by an earlier run")
    parser.add_argument("--import-rows", type=int, default=100_000, help="feed import to time afterwards (0: none)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)

    from app.db import close_pool, start_pool

    settings = get_settings()
    backend = "SQLite" if settings.database_is_sqlite else "PostgreSQL"
    print(f"catalog benchmark on {backend}: {args.products:,} products x {args.listings_per_product} listings, "
          f"{args.vendors} vendors, {args.segments} segments, {args.buyers:,} buyers, {args.contracts:,} contracts")
    await migrate()
    size = Size(products=args.products, vendors=args.vendors, listings_per_product=args.listings_per_product,
                segments=args.segments, buyers=args.buyers, contracts=args.contracts)
    started = time.perf_counter()
    if args.skip_build:
        from app.accounts.tables import Company

        buyer_ids = [r["id"] for r in await Company.select(Company.id).where(Company.name.like("Bench buyer %"))]
        from bench._data import BRANDS, WORDS

        info = {"buyer_ids": buyer_ids, "words": WORDS, "brands": BRANDS}
    else:
        info = await build(settings, size, bar)
        print(f"built in {time.perf_counter() - started:.1f} s")
    await start_pool()
    tokens = await make_buyers(info["buyer_ids"], 20)

    rng = random.Random(11)
    requests = [search_params(rng, list(info["words"]), list(info["brands"])) for _ in range(args.requests)]

    with serving() as server:
        base_url = server.base_url
        if not settings.database_is_sqlite:
            # Whole-catalog facets are counted once per segment after each catalog change and kept until the
            # next one: time that first count on its own (from an empty cache, whatever earlier runs left),
            # then measure the searches as they run between changes.
            from app.catalog.tables import Listing

            await Listing.raw("DELETE FROM catalog_facet_cache")
            cold = await measure_http(base_url, tokens, [{"per_page": "20"} for _ in tokens], 1)
            print(f"\nfirst browse per segment after a catalog change (whole-catalog facets counted, "
                  f"{cold['n']} segments): p50 {cold['p50']:.1f} ms  max {max(cold['samples']):.1f} ms", flush=True)
        await measure_http(base_url, tokens, requests[:20], 1)  # warm-up
        sequential = await measure_http(base_url, tokens, requests, 1)
        print(f"\nsearch through HTTP, one client ({sequential['n']} requests, {sequential['errors']} errors): "
              f"p50 {sequential['p50']:.1f} ms  p95 {sequential['p95']:.1f} ms  p99 {sequential['p99']:.1f} ms  "
              f"{sequential['rps']:.0f} req/s\n{sequential['shapes']}", flush=True)
        parallel = await measure_http(base_url, tokens, requests, args.concurrency)
        print(f"search through HTTP, {args.concurrency} clients ({parallel['errors']} errors): "
              f"p50 {parallel['p50']:.1f} ms  p95 {parallel['p95']:.1f} ms  p99 {parallel['p99']:.1f} ms  "
              f"{parallel['rps']:.0f} req/s\n{parallel['shapes']}", flush=True)
    direct = await measure_direct(tokens, requests)
    await close_pool()

    print(f"same SQL directly on the database: p50 {direct['p50']:.1f} ms  p95 {direct['p95']:.1f} ms  "
          f"p99 {direct['p99']:.1f} ms; queries per request: {direct['queries_per_request']}\n{direct['shapes']}")
    print(f"app / direct (p95, one client): {sequential['p95'] / max(direct['p95'], 1e-6):.2f}x")
    if args.import_rows:
        await time_feed_import(args.import_rows)


async def time_feed_import(rows: int) -> None:
    """The vendor feed import of `rows` rows into this catalog, as the import job runs it (bench/feed_import.py
    has the same with memory figures)."""
    import tempfile
    import uuid

    from app import db
    from app.accounts.tables import Company
    from app.clock import utcnow
    from app.vendors.import_run import run_import
    from app.vendors.import_start import start_import
    from bench.feed_import import write_feed

    await db.start_pool()
    try:
        path = Path(tempfile.mkdtemp(prefix="catalog-bench-")) / "feed.csv"
        write_feed(path, rows)
        vendor = await Company.insert(
            Company(name=f"Bench feed vendor {uuid.uuid4().hex[:8]}", kind="vendor", country="DE", currency="EUR",
                    created_at=utcnow())
        ).returning(Company.id)
        for label in ("inserts", "updates"):
            with path.open("rb") as source:
                import_id = await start_import(vendor[0]["id"], None, path.name, source, enqueue=False)
            started = time.perf_counter()
            await run_import(import_id)
            elapsed = time.perf_counter() - started
            print(f"feed import of {rows:,} rows ({label}): {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")
    finally:
        await db.close_pool()


if __name__ == "__main__":
    asyncio.run(main())
