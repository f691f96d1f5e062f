"""Ordering benchmark at the catalog benchmark's size: a 1,000-line quick order resolved and priced, and the checkout
of a 200-line cart split over 20 vendors, through the running app, by ten buyers without spending controls; then
100 checkouts at once against one buyer's credit limit (throughput, p95, and whether the limit held:
bench/credit_race.py); then the same checkout by ten other buyers whose spending controls apply (issue #14: a cost
center with a hard budget, two approval rules the order matches, a per-month limit, and a credit limit), so each
order waits for approval; then the same SQL run directly on the database (the floor), and the queries per request.

    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench .venv/bin/python bench/ordering.py
    ... bench/ordering.py --skip-build          # reuse a database that bench/catalog.py or this script built
    ... bench/ordering.py --only-credit --products 2000 --buyers 20   # the credit-limit race alone, small catalog

Use a fresh, empty database (or --skip-build on one built before): the script migrates it and fills it. Prints the
figures; asserts nothing. Each measured checkout commits (its stock stays reserved); the direct-SQL replays run in a
transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from piccolo.querystring import QueryString

import app  # noqa: F401
from app.settings import get_settings
from bench._data import Size, build
from bench._server import migrate, serving
from bench.catalog import bar, make_buyers, percentiles
from bench.credit_race import credit_race

LINES_PER_VENDOR = 10
VENDORS_PER_CART = 20
QUICK_ORDER_LINES = 1_000


class Rollback(Exception):
    """Raised to undo a unit of work whose statements were only being captured or timed."""


async def bench_buyers(buyer_ids: list[int], count: int) -> list[tuple[str, int]]:
    """(token, user id) of a purchaser in each of `count` buyer companies, each with a default delivery address."""
    from piccolo.apps.user.tables import BaseUser

    from app.accounts.addresses import add_company_address
    from app.accounts.addresses_rules import AddressKind
    from app.accounts.schemas import AddressIn
    from app.accounts.tables import CompanyAddress

    tokens = await make_buyers(buyer_ids, count)
    found = []
    for company_id, token in zip(buyer_ids[:count], tokens, strict=True):
        user = await BaseUser.select(BaseUser.id).where(BaseUser.username == f"bench{company_id}@bench.example").first()
        if not await CompanyAddress.exists().where(CompanyAddress.company == company_id):
            await add_company_address(company_id, AddressIn(
                kind=AddressKind.DELIVERY, label="Bench dock", recipient="Bench buyer", street="Benchstraße 1",
                postal_code="10115", city="Berlin", country="DE", is_default=True))
        found.append((token, user["id"]))
    return found


async def fill_cart(user_id: int, rng: random.Random) -> int:
    """Empty the buyer's cart, then put 10 visible, orderable listings of each of 20 vendors in it."""
    from app.auth import load_principal
    from app.catalog.services import visible_listing_ids
    from app.catalog.tables import Listing
    from app.orders.cart import add_listings
    from app.orders.tables import CartLine

    principal = await load_principal(user_id)
    assert principal is not None
    await CartLine.raw('DELETE FROM cart_line WHERE cart IN (SELECT id FROM cart WHERE "user" = {})', user_id)
    vendors = [row["vendor"] for row in await Listing.raw(
        "SELECT DISTINCT vendor FROM listing WHERE status = 'approved'")]
    chosen: dict[int, int] = {}
    for vendor in rng.sample(vendors, len(vendors)):
        candidates = [row["id"] for row in await Listing.raw(
            "SELECT id FROM listing WHERE vendor = {} AND status = 'approved' AND stock >= 50 AND min_order_qty = 1"
            " AND pack_size = 1 ORDER BY random() LIMIT 60", vendor)]
        visible = sorted(await visible_listing_ids(principal.company_id, candidates))[:LINES_PER_VENDOR]
        if len(visible) < LINES_PER_VENDOR:
            continue
        chosen.update({listing: rng.randint(1, 3) for listing in visible})
        if len(chosen) >= LINES_PER_VENDOR * VENDORS_PER_CART:
            break
    await add_listings(principal, chosen)
    return len(chosen)


async def spending_controls(buyer_ids: list[int], buyers: list[tuple[str, int]]) -> None:
    """Each bench buyer company gets a cost center of its purchaser with a hard yearly budget far above what the
    bench orders, two approval rules every bench order matches (>= 1 EUR an approver; >= 10 EUR a buyer admin
    too), a per-month limit for its purchaser, and a credit limit far above its exposure (replacing the one the
    credit race left), so each checkout also passes the credit check with the limit's row locked. Idempotent."""
    from decimal import Decimal

    from app.billing.tables import CreditLimit
    from app.clock import utcnow
    from app.money import to_minor
    from app.spending.rules import Period, period_start
    from app.spending.tables import ApprovalRule, Budget, CostCenter, CostCenterMember, UserLimit

    now = utcnow()
    for company_id, (_, user_id) in zip(buyer_ids, buyers, strict=False):
        await CreditLimit.delete().where(CreditLimit.company == company_id)
        await CreditLimit.insert(CreditLimit(company=company_id, currency="EUR", amount=to_minor(Decimal(10**9)),
                                             updated_at=now))
        if await CostCenter.exists().where((CostCenter.company == company_id) & (CostCenter.code == "BENCH")):
            continue
        center = (await CostCenter.insert(CostCenter(company=company_id, code="BENCH", name="Bench", created_at=now)
                                          ).returning(CostCenter.id))[0]["id"]
        await CostCenterMember.insert(CostCenterMember(cost_center=center, user=user_id))
        await Budget.insert(Budget(cost_center=center, period=Period.YEAR.value,
                                   starts_on=period_start(Period.YEAR, now.date()), currency="EUR",
                                   amount=to_minor(Decimal(10**9)), hard=True, created_at=now, updated_at=now))
        await ApprovalRule.insert(
            ApprovalRule(company=company_id, name="1 EUR", level=1, min_total=to_minor(Decimal(1)), currency="EUR",
                         approver_role="approver", created_at=now, updated_at=now),
            ApprovalRule(company=company_id, name="10 EUR", level=2, min_total=to_minor(Decimal(10)),
                         currency="EUR", approver_role="buyer_admin", created_at=now, updated_at=now))
        await UserLimit.insert(UserLimit(company=company_id, user=user_id, currency="EUR",
                                         per_month=to_minor(Decimal(10**9)), updated_at=now))


def expected_lines(cart: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"],
             "net": line["net"]} for line in cart["lines"]]


async def quick_order_text(rng: random.Random, lines: int) -> str:
    """`lines` lines of "SKU quantity" as pasted from a spreadsheet: SKUs of approved listings, some unknown."""
    from app.catalog.tables import Listing

    skus = [row["sku"] for row in await Listing.raw(
        "SELECT sku FROM listing WHERE status = 'approved' ORDER BY random() LIMIT {}", lines)]
    rows = [f"{sku}\t{rng.randint(1, 5)}" for sku in skus]
    for index in rng.sample(range(len(rows)), max(1, lines // 50)):  # 2 %: typos and discontinued articles
        rows[index] = f"NO-SUCH-{index}\t1"
    return "\n".join(rows)


async def time_http(calls: list[Callable[[], Awaitable[httpx.Response]]]) -> dict[str, Any]:
    timings, errors = [], 0
    for call in calls:
        start = time.perf_counter()
        response = await call()
        timings.append(time.perf_counter() - start)
        if response.status_code >= 400:
            errors += 1
            if errors <= 3:
                print(f"  ! {response.status_code}: {response.text[:300]}", file=sys.stderr)
    return {**percentiles(timings), "n": len(timings), "errors": errors}


# PostgreSQL's sequences, as they stood: a rolled-back insert still used up its id, and a replayed statement that
# names an id an earlier one returned (an order's group) must find it again.
_SEQUENCES = "SELECT schemaname, sequencename, last_value FROM pg_sequences"


@dataclass
class Captured:
    """The statements a unit of work ran, and the sequences as they stood before it (PostgreSQL)."""

    statements: list[Any]
    sequences: list[dict[str, Any]]


async def captured_statements(work: Callable[[], Awaitable[Any]]) -> Captured:
    """The SQL `work` runs, captured in-process inside a transaction that is then rolled back."""
    from app import db

    engine_class = type(db.get_engine())
    original = engine_class.run_querystring
    captured: list[Any] = []
    sequences = [] if db.is_sqlite() else await db.get_engine().run_querystring(QueryString(_SEQUENCES))

    async def capture(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        captured.append(querystring)
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = capture
    try:
        async with db.transaction():
            await work()
            raise Rollback
    except Rollback:
        pass
    finally:
        engine_class.run_querystring = original
    return Captured(captured, sequences)


async def replay(work: Captured) -> float:
    """Time the captured statements run directly, in one transaction rolled back (the work without the app), the
    sequences set back first as they were when the work was captured (outside the timing)."""
    from app import db

    engine = db.get_engine()
    engine_class = type(engine)
    for sequence in work.sequences:
        name = f'"{sequence["schemaname"]}"."{sequence["sequencename"]}"'
        if sequence["last_value"] is None:
            await engine.run_querystring(QueryString("SELECT setval({}::regclass, 1, false)", name))
        else:
            await engine.run_querystring(QueryString("SELECT setval({}::regclass, {})", name,
                                                     sequence["last_value"]))
    start = time.perf_counter()
    try:
        async with db.transaction():
            for statement in work.statements:
                await engine_class.run_querystring(engine, statement)
            raise Rollback
    except Rollback:
        pass
    return time.perf_counter() - start


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--buyers", type=int, default=2_000)
    parser.add_argument("--checkouts", type=int, default=30)
    parser.add_argument("--quick-orders", type=int, default=30)
    parser.add_argument("--skip-build", action="store_true", help="reuse a database built by an earlier run")
    parser.add_argument("--credit-checkouts", type=int, default=100,
                        help="concurrent checkouts against one credit limit (0: none)")
    parser.add_argument("--only-credit", action="store_true", help="measure only the credit-limit race")
    args = parser.parse_args()
    if args.buyers < 20:
        parser.error("--buyers must be at least 20: ten buyers check out with spending controls, ten without")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    from app.accounts.tables import Company
    from app.auth import load_principal
    from app.db import close_pool, start_pool
    from app.orders import cart, checkout, quick_order
    from app.orders.order_schemas import CheckoutIn, ExpectedLineIn

    settings = get_settings()
    backend = "SQLite" if settings.database_is_sqlite else "PostgreSQL"
    print(f"ordering benchmark on {backend}: {args.products:,} products, carts of "
          f"{LINES_PER_VENDOR * VENDORS_PER_CART} lines over {VENDORS_PER_CART} vendors, quick orders of "
          f"{QUICK_ORDER_LINES:,} lines")
    await migrate(quiet=True)
    if args.skip_build:
        buyer_ids = [r["id"] for r in await Company.select(Company.id).where(
            Company.name.like("Bench buyer %")).order_by(Company.id)]
    else:
        started = time.perf_counter()
        info = await build(settings, Size(products=args.products, buyers=args.buyers), bar)
        buyer_ids = info["buyer_ids"]
        print(f"built in {time.perf_counter() - started:.1f} s")
    await start_pool()
    buyer_ids = sorted(buyer_ids)  # the same companies in every run: the first ten get spending controls, below
    buyers = await bench_buyers(buyer_ids, 10)
    # ten others that never get them (a run on a reused database finds the first ten's from the run before)
    plain_buyers = await bench_buyers(buyer_ids[10:], 10)
    rng = random.Random(13)
    texts = [await quick_order_text(rng, QUICK_ORDER_LINES) for _ in range(args.quick_orders)]

    if args.only_credit:
        with serving() as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
                report_credit(await credit_race(client, buyer_ids[0], args.credit_checkouts))
        await close_pool()
        return
    with serving() as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            def auth(number: int) -> dict[str, str]:
                return {"Authorization": f"Bearer {buyers[number % len(buyers)][0]}"}

            # quick order: each call resolves, prices and adds 1,000 pasted lines
            await client.post("/api/v1/cart/quick-order", json={"text": texts[0]}, headers=auth(0))  # warm-up
            quick = await time_http([
                (lambda n=n: client.post("/api/v1/cart/quick-order", json={"text": texts[n]}, headers=auth(n)))
                for n in range(args.quick_orders)
            ])
            print(f"\nquick order of {QUICK_ORDER_LINES:,} lines through HTTP ({quick['n']} requests, "
                  f"{quick['errors']} errors): p50 {quick['p50']:.1f} ms  p95 {quick['p95']:.1f} ms  "
                  f"p99 {quick['p99']:.1f} ms", flush=True)

            async def checkouts(label: str, who: list[tuple[str, int]]) -> dict[str, Any]:
                # a fresh 200-line cart each time (filled outside the timing), the cart read as the buyer would
                # before confirming, then the timed checkout
                timings, errors, line_counts, statuses = [], 0, [], set()
                for number in range(args.checkouts + 1):
                    token, user_id = who[number % len(who)]
                    headers = {"Authorization": f"Bearer {token}"}
                    line_counts.append(await fill_cart(user_id, rng))
                    seen = (await client.get("/api/v1/cart", headers=headers)).json()
                    body = {"po_number": f"BENCH-{time.time_ns()}", "expected_lines": expected_lines(seen)}
                    start = time.perf_counter()
                    response = await client.post("/api/v1/cart/checkout", json=body, headers=headers)
                    if number:  # the first one warms up
                        timings.append(time.perf_counter() - start)
                    if response.status_code != 201:
                        errors += 1
                        print(f"  ! {response.status_code}: {response.text[:300]}", file=sys.stderr)
                    else:
                        statuses.add(response.json()["status"])
                figures = percentiles(timings)
                print(f"checkout of a {min(line_counts)}-{max(line_counts)}-line cart over {VENDORS_PER_CART} vendors"
                      f" {label} through HTTP ({len(timings)} checkouts, {errors} errors, group status "
                      f"{sorted(statuses)}): p50 {figures['p50']:.1f} ms  p95 {figures['p95']:.1f} ms  "
                      f"p99 {figures['p99']:.1f} ms", flush=True)
                return figures

            figures = await checkouts("without spending controls", plain_buyers)
            if args.credit_checkouts:
                report_credit(await credit_race(client, buyer_ids[0], args.credit_checkouts))
            await spending_controls(buyer_ids, buyers)
            spending_figures = await checkouts("matching two approval rules, under a hard budget", buyers)

    # the same SQL directly: captured in-process, replayed on the database
    direct_quick, quick_queries, direct_checkout, checkout_queries = [], set(), [], set()
    for number in range(min(args.quick_orders, 20)):
        principal = await load_principal(buyers[number % len(buyers)][1])
        statements = await captured_statements(
            lambda p=principal, n=number: quick_order.quick_order_text(p, texts[n]))
        quick_queries.add(len(statements.statements))
        direct_quick.append(await replay(statements))
    for number in range(min(args.checkouts, 20)):
        _, user_id = buyers[number % len(buyers)]
        principal = await load_principal(user_id)
        await fill_cart(user_id, rng)
        seen = await cart.get_cart(principal)
        data = CheckoutIn(po_number=f"BENCH-D-{time.time_ns()}", expected_lines=[
            ExpectedLineIn(line_id=line.id, quantity=line.quantity, unit_price=line.unit_price, net=line.net)
            for line in seen.lines])
        statements = await captured_statements(lambda p=principal, d=data: checkout.checkout(p, d, None))
        checkout_queries.add(len(statements.statements))
        direct_checkout.append(await replay(statements))
    await close_pool()
    dq, dc = percentiles(direct_quick), percentiles(direct_checkout)
    print(f"\nsame SQL directly on the database (checkouts with spending controls): quick order p50 {dq['p50']:.1f} ms"
          f"  p95 {dq['p95']:.1f} ms "
          f"(queries per request: {sorted(quick_queries)}); checkout p50 {dc['p50']:.1f} ms  p95 {dc['p95']:.1f} ms "
          f"(queries per request: {sorted(checkout_queries)})")
    print(f"app / direct (p95): quick order {quick['p95'] / max(dq['p95'], 1e-6):.2f}x, "
          f"checkout with spending controls {spending_figures['p95'] / max(dc['p95'], 1e-6):.2f}x "
          f"(without them, through HTTP: p95 {figures['p95']:.1f} ms)")


def report_credit(race: dict[str, Any]) -> None:
    print(f"\n{race['count']} concurrent checkouts against one credit limit through HTTP: {race['placed']} placed "
          f"(room for {race['expected_placed']}), {race['credit_refusals']} refused for credit, "
          f"{race['refused'] - race['credit_refusals']} other refusals; {race['throughput']:.1f} checkouts/s "
          f"({race['wall_s']:.2f} s), p50 {race['p50']:.1f} ms  p95 {race['p95']:.1f} ms; exposure "
          f"{race['before']} -> {race['after']} {race['currency']} against a limit of {race['limit']}: "
          f"{'HELD' if race['held'] else 'EXCEEDED'}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
