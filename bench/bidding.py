"""Bidding benchmark against the live server: many vendors submit, then revise twice, large offers to one
RFQ in a burst just before its deadline; then a last burst straddles the deadline.

    MARKET_REDIS_URL=redis://127.0.0.1:6379/3 \
    MARKET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/market_bench_bidding .venv/bin/python bench/bidding.py
    MARKET_DATABASE_URL=sqlite:///var/bench-bidding.sqlite3 .venv/bin/python bench/bidding.py --vendors 50

With MARKET_REDIS_URL the app process runs as in production: jobs go to Redis for `market worker`
instead of running inside the server (no worker needs to run for the benchmark). Without it the
in-process worker shares the server's CPU, e-mails from earlier runs included.

The script migrates the database and adds its own companies (a new set on every run), warms the server up
on a second RFQ, then prints p50/p95 latency per write (each burst too), throughput, errors and the app
process's CPU time per write, then checks in the database that every accepted revision is
stored with all its lines and that none was received at or after the deadline (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

import app  # noqa: F401
from app.settings import get_settings
from bench._server import migrate, serving
from bench.catalog import percentiles

PASSWORD = "bench-password"  # noqa: S105 (the benchmark users' throwaway password)


async def build(vendors: int, lines: int, deadline_in: float) -> tuple[int, list[int], list[str], object, int]:
    """A buyer, `vendors` vendor companies each with a seller and a token, one published RFQ inviting them all,
    and a second one (deadline in an hour) to warm the server up on."""
    from piccolo.apps.user.tables import BaseUser

    from app import db
    from app.accounts import services
    from app.accounts.schemas import CompanyIn, UserIn

    # The benchmark measures bidding, not password hashing: cheap hashes for its own users only.
    BaseUser._pbkdf2_iteration_count = 1_000
    run = uuid.uuid4().hex[:8]
    buyer = await services.create_company(CompanyIn(name=f"Bench bidding buyer {run}", kind="buyer", country="DE",
                                                    currency="EUR"))
    vendor_ids, tokens = [], []
    for number in range(vendors):
        company = await services.create_company(CompanyIn(name=f"Bench bidder {run} {number}", kind="vendor",
                                                          country="DE", currency="EUR"))
        email = f"bidder{number}-{run}@bench.example"
        await services.create_user(None, company.id, UserIn(email=email, name="Bench", roles=["vendor_sales"],
                                                            password=PASSWORD))
        vendor_ids.append(company.id)
        tokens.append(await services.issue_token(email, PASSWORD, "127.0.0.1"))
    now = await db.db_now()
    deadline = now + timedelta(seconds=deadline_in)
    rfq_id, line_ids = await published_rfq(f"Bench RFQ {run}", buyer.id, vendor_ids, lines, now, deadline)
    warmup_id, _ = await published_rfq(f"Bench warm-up RFQ {run}", buyer.id, vendor_ids, lines, now,
                                       now + timedelta(hours=1))
    return rfq_id, line_ids, tokens, deadline, warmup_id


async def published_rfq(title: str, buyer_id: int, vendor_ids: list[int], lines: int, now: object,
                        deadline: object) -> tuple[int, list[int]]:
    from app.rfq.tables import Rfq, RfqInvitation, RfqLine

    rfq = Rfq(title=title, buyer=buyer_id, currency="EUR", deadline=deadline, status="published",
              created_at=now, published_at=now)
    await rfq.save()
    await RfqLine.insert(*[RfqLine(rfq=rfq.id, position=i + 1, description=f"Item {i + 1}", quantity=100 + i)
                           for i in range(lines)])
    line_ids = [r["id"] for r in await RfqLine.select(RfqLine.id).where(RfqLine.rfq == rfq.id).order_by(RfqLine.id)]
    await RfqInvitation.insert(*[RfqInvitation(rfq=rfq.id, vendor=v, invited_at=now) for v in vendor_ids])
    return rfq.id, line_ids


def cpu_seconds(root: int) -> float | None:
    """CPU time (user + system) of a process and its descendants, from /proc; None where there is no /proc."""
    stats: dict[int, tuple[int, float]] = {}
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    except OSError:
        return None
    family, total, grew = {root}, 0.0, True
    while grew:
        grew = False
        for pid, (parent, _) in stats.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    for pid in family:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def body(rng: random.Random, line_ids: list[int]) -> dict:
    return {"lines": [{"rfq_line_id": line, "unit_price": f"{rng.randint(100, 999_999) / 10_000:.4f}"}
                      for line in line_ids], "lead_time_days": rng.randint(1, 30), "notes": "bench"}


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.refused: int = 0
        self.accepted: dict[int, list[int]] = {}  # offer id → revision numbers acknowledged

    def accept(self, offer: dict) -> None:
        self.accepted.setdefault(offer["id"], []).append(offer["revision_count"])


async def write(client: httpx.AsyncClient, method: str, url: str, token: str, payload: dict, rec: Recorder,
                late_ok: bool = False) -> dict | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, json=payload, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        rec.errors.append(f"{method} {url}: {exc!r}")
        return None
    rec.latencies.append(time.perf_counter() - started)
    if response.status_code in (200, 201):
        offer = response.json()
        rec.accept(offer)
        return offer
    if late_ok and response.status_code == 409 and "Bidding closed" in response.text:
        rec.refused += 1
        return None
    rec.errors.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    return None


async def burst(base_url: str, jobs: list[tuple], concurrency: int, rec: Recorder, late_ok: bool = False) -> float:
    """Run (method, url, token, payload, not_before) jobs with `concurrency` clients; returns seconds taken."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: dict[str, dict] = {}

    async def loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            method, url, token, payload, not_before = queue.get_nowait()
            if not_before:
                await asyncio.sleep(max(0.0, not_before - time.monotonic()))
            offer = await write(client, method, url, token, payload, rec, late_ok)
            if offer is not None:
                results[token] = offer

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        await asyncio.gather(*[loop(client) for _ in range(concurrency)])
    burst.results = results  # type: ignore[attr-defined]
    return time.perf_counter() - started


def report(name: str, rec: Recorder, seconds: float, writes: int) -> None:
    if not rec.latencies:
        print(f"{name}: no writes completed; errors {len(rec.errors)}")
        for error in rec.errors[:5]:
            print(f"    {error}")
        return
    p = percentiles(rec.latencies)
    print(f"{name}: {writes} writes in {seconds:.2f} s = {writes / seconds:.0f} writes/s; "
          f"p50 {p['p50']:.1f} ms  p95 {p['p95']:.1f} ms  p99 {p['p99']:.1f} ms  mean {p['mean']:.1f} ms; "
          f"errors {len(rec.errors)}" + (f"; refused after the deadline {rec.refused}" if rec.refused else ""))
    for error in rec.errors[:5]:
        print(f"    {error}")


async def verify(rfq_id: int, deadline: object, accepted: dict[int, list[int]], line_count: int) -> list[str]:
    """Every acknowledged revision is stored with all its lines; nothing received at or after the deadline."""
    from app.clock import as_utc
    from app.offers.tables import Offer, OfferLine, OfferRevision

    problems = []
    offers = {r["id"]: r for r in await Offer.select(Offer.id, Offer.revision_count).where(Offer.rfq == rfq_id)}
    revisions = await OfferRevision.select(OfferRevision.id, OfferRevision.offer, OfferRevision.number,
                                           OfferRevision.received_at).where(OfferRevision.offer.is_in(list(offers)))
    stored: dict[int, set[int]] = {}
    for revision in revisions:
        stored.setdefault(revision["offer"], set()).add(revision["number"])
        if as_utc(revision["received_at"]) >= deadline:  # type: ignore[operator]
            problems.append(f"revision {revision['id']} received at {revision['received_at']}, after the deadline")
    for offer_id, numbers in accepted.items():
        if not set(numbers) <= stored.get(offer_id, set()):
            kept = sorted(stored.get(offer_id, []))
            problems.append(f"offer {offer_id}: acknowledged {sorted(numbers)}, stored {kept}")
    for offer_id, numbers in stored.items():
        if offers[offer_id]["revision_count"] != len(numbers) or numbers != set(range(1, len(numbers) + 1)):
            problems.append(f"offer {offer_id}: revision_count {offers[offer_id]['revision_count']}, stored {numbers}")
    line_rows = await OfferLine.count().where(OfferLine.revision.is_in([r["id"] for r in revisions] or [-1]))
    if line_rows != len(revisions) * line_count:
        problems.append(f"{line_rows} offer lines stored for {len(revisions)} revisions of {line_count} lines")
    unacknowledged = sum(len(n) for n in stored.values()) - sum(len(n) for n in accepted.values())
    if unacknowledged:
        print(f"note: {unacknowledged} stored revisions were not acknowledged to a client (timeouts?)")
    print(f"stored: {len(offers)} offers, {len(revisions)} revisions, {line_rows:,} offer lines")
    return problems


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vendors", type=int, default=200)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--revisions", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=32,
                        help="vendors that submit and revise once on another RFQ before the measured burst")
    parser.add_argument("--server-workers", type=int, default=1,
                        help="app processes (`serve --workers N`; more than one needs MARKET_REDIS_URL)")
    parser.add_argument("--deadline-in", type=float, default=30.0,
                        help="seconds from setup to the deadline; the main burst must finish before it")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)

    from app.db import close_pool, db_now, start_pool
    from app.rfq.tables import RfqLine

    backend = "SQLite" if get_settings().database_is_sqlite else "PostgreSQL"
    print(f"bidding benchmark on {backend}: {args.vendors} vendors x (1 offer + {args.revisions} revisions) of "
          f"{args.lines} lines, {args.concurrency} concurrent clients, {args.server_workers} app process(es)")
    await migrate()
    await start_pool()
    rfq_id, line_ids, tokens, deadline, warmup_id = await build(args.vendors, args.lines, args.deadline_in)

    rng = random.Random(7)
    main_rec = Recorder()
    with serving(workers=args.server_workers) as server:
        base_url = server.base_url
        # A server that has just started has no prepared statements yet: warm it up on another RFQ first, as a
        # server running for hours would be. These writes are not in the figures.
        warm_tokens = tokens[: args.warmup]
        warm_lines = [r["id"] for r in await RfqLine.select(RfqLine.id).where(RfqLine.rfq == warmup_id)]
        warm_rec = Recorder()
        warm = [("POST", f"/api/v1/rfqs/{warmup_id}/offers", t, body(rng, warm_lines), 0.0) for t in warm_tokens]
        await burst(base_url, warm, args.concurrency, warm_rec)
        warm = [("PUT", f"/api/v1/offers/{o['id']}", t, body(rng, warm_lines), 0.0)
                for t, o in burst.results.items()]  # type: ignore[attr-defined]
        await burst(base_url, warm, args.concurrency, warm_rec)
        if warm_rec.errors:
            raise SystemExit(f"the warm-up failed: {warm_rec.errors[:3]}")
        print(f"warm-up: {len(warm_rec.latencies)} writes on another RFQ (not counted)")
        submit = [("POST", f"/api/v1/rfqs/{rfq_id}/offers", t, body(rng, line_ids), 0.0) for t in tokens]
        cpu_before = cpu_seconds(server.pid)
        seconds = await burst(base_url, submit, args.concurrency, main_rec)
        phases = [("offers", len(main_rec.latencies), seconds)]
        offer_of = {t: o["id"] for t, o in burst.results.items()}  # type: ignore[attr-defined]
        writes, total_seconds = len(submit), seconds
        for _ in range(args.revisions):
            revise = [("PUT", f"/api/v1/offers/{offer_of[t]}", t, body(rng, line_ids), 0.0) for t in offer_of]
            seconds = await burst(base_url, revise, args.concurrency, main_rec)
            phases.append((f"revision {len(phases)}", len(main_rec.latencies), seconds))
            total_seconds += seconds
            writes += len(revise)
        cpu_after = cpu_seconds(server.pid)
        left = (deadline - await db_now()).total_seconds()
        report("submit + revisions", main_rec, total_seconds, writes)
        done = 0
        for name, upto, phase_seconds in phases:
            p = percentiles(main_rec.latencies[done:upto])
            print(f"    {name}: {upto - done} writes in {phase_seconds:.2f} s; p50 {p['p50']:.1f} ms  "
                  f"p95 {p['p95']:.1f} ms  max {max(main_rec.latencies[done:upto]) * 1000:.1f} ms")
            done = upto
        if cpu_before is not None and cpu_after is not None:
            print(f"app process CPU: {1000 * (cpu_after - cpu_before) / writes:.1f} ms per write "
                  f"({100 * (cpu_after - cpu_before) / total_seconds:.0f}% of one core during the burst)")
        print(f"the burst ended {left:.1f} s before the deadline")
        if left < 0:
            print("WARNING: the burst outlasted the deadline; raise --deadline-in")
        # The edge: one more revision per vendor, spread over the second before and after the deadline.
        edge_rec = Recorder()
        start = time.monotonic() + max(0.0, left - 1.0)
        edge = [("PUT", f"/api/v1/offers/{offer_of[t]}", t, body(rng, line_ids), start + 2.0 * i / len(offer_of))
                for i, t in enumerate(offer_of)]
        edge_seconds = await burst(base_url, edge, args.concurrency, edge_rec, late_ok=True)
        report("revisions straddling the deadline", edge_rec, edge_seconds, len(edge))
    accepted = dict(main_rec.accepted)
    for offer_id, numbers in edge_rec.accepted.items():
        accepted.setdefault(offer_id, []).extend(numbers)
    problems = await verify(rfq_id, deadline, accepted, args.lines)
    await close_pool()
    if main_rec.errors or edge_rec.errors or problems:
        for problem in problems[:20]:
            print(f"PROBLEM: {problem}")
        raise SystemExit(1)
    print("check: every accepted revision is stored with its lines; none was received at or after the deadline")


if __name__ == "__main__":
    asyncio.run(main())
