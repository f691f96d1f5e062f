"""Award scenario benchmark: an RFQ of 500 lines x 50 vendors generated in memory (no database), solved under
scenarios that use every kind of constraint, each with the solver's default time limit (2 s).

    .venv/bin/python bench/sourcing.py
    .venv/bin/python bench/sourcing.py --lines 500 --vendors 50 --seed 1 --time-limit 2

Prints, per scenario, its status (proven optimal, best found with its gap, infeasible with its conflict), the
solve time and the vendors used; then the solve time p50/p95 over the scenarios, how many were proven optimal and
the gaps of the others, and how many got a plan. Each plan is checked exactly against its constraints (exit
status 1 if one breaks any).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sourcing import highs_process, model, solver
from app.sourcing.model import (
    AllowPartial,
    Bound,
    Bundle,
    Capacity,
    ExcludeVendor,
    FixedCost,
    MaxLeadTime,
    MinAwardValue,
    RequireVendor,
    ValueShare,
    VendorCount,
)
from bench.catalog import percentiles


def generate(lines: int, vendors: int, seed: int) -> model.Problem:
    """Lines of 10 to 5,000 units with a base price; the first five vendors offer every line, the others 40 to 80 % of
    them, at the base ±35 %, one offer in ten short of the quantity asked; each vendor has its lead time."""
    rng = random.Random(seed)
    asked = [model.Line(i, i, rng.randint(10, 5000), None) for i in range(1, lines + 1)]
    base = {line.line_id: Decimal(rng.randint(500, 500_000)) / 10_000 for line in asked}
    target = {i: (price * Decimal("1.05")).quantize(Decimal("0.0001")) for i, price in base.items() if i % 3}
    asked = [model.Line(line.line_id, line.position, line.quantity, target.get(line.line_id)) for line in asked]
    offers = []
    for v in range(1, vendors + 1):
        coverage = 1.0 if v <= 5 else rng.uniform(0.4, 0.8)
        lead = 7 if v == 1 else rng.choice([3, 5, 7, 10, 14, 21, 30])  # vendor 1: the incumbent
        level = rng.uniform(0.9, 1.1)
        for line in asked:
            if rng.random() < coverage:
                price = (base[line.line_id] * Decimal(str(round(level * rng.uniform(0.65, 1.35), 4)))).quantize(
                    Decimal("0.0001"))
                quantity = line.quantity if rng.random() > 0.1 or v <= 5 else rng.randint(1, line.quantity)
                offers.append(model.Offer(line.line_id, v, max(price, Decimal("0.0001")), quantity, lead))
    return model.Problem(tuple(asked), tuple(model.Vendor(v, f"Vendor {v}") for v in range(1, vendors + 1)),
                         tuple(offers))


def scenarios(problem: model.Problem, seed: int) -> list[tuple[str, list[model.Constraint]]]:
    rng = random.Random(seed + 1)
    line_ids = [line.line_id for line in problem.lines]
    vendor_ids = [v.vendor_id for v in problem.vendors]
    bundles = [Bundle(tuple(line_ids[i:i + 3])) for i in range(0, 60, 3)]
    capacity = [Capacity(v, sum(line.quantity for line in problem.lines) // 6) for v in vendor_ids[:10]]
    fixed = [FixedCost(v, Decimal(rng.randint(50, 800))) for v in vendor_ids]
    named = tuple(rng.sample(line_ids, 50))
    lead = {o.vendor_id: o.lead_time_days for o in problem.offers}
    quick = next(v for v in vendor_ids[11:] if lead.get(v, 99) <= 14)  # required where lead times are capped
    return [
        ("cherry-pick (no constraint)", []),
        ("lowest total from one vendor", [VendorCount(Bound.AT_MOST, 1)]),
        ("at most 5 vendors", [VendorCount(Bound.AT_MOST, 5)]),
        ("at least 8 vendors, minimum award 5,000", [VendorCount(Bound.AT_LEAST, 8), MinAwardValue(Decimal(5000))]),
        ("3 excluded, 2 required", [ExcludeVendor(7), ExcludeVendor(8), ExcludeVendor(9), RequireVendor(10),
                                    RequireVendor(11)]),
        ("incumbent keeps at least 30 % of the value", [ValueShare(1, Bound.AT_LEAST, Decimal(30))]),
        ("at most 10 % of 50 named lines to vendor 2", [ValueShare(2, Bound.AT_MOST, Decimal(10), named)]),
        ("capacities of 10 vendors", capacity),
        ("20 bundles of 3 lines", bundles),
        ("fixed cost per awarded vendor", fixed),
        ("lead time at most 14 days", [MaxLeadTime(14)]),
        ("partial quantities, at most 6 vendors", [AllowPartial(), VendorCount(Bound.AT_MOST, 6)]),
        ("every kind at once", [
            VendorCount(Bound.AT_MOST, 8), VendorCount(Bound.AT_LEAST, 3), ExcludeVendor(9), RequireVendor(quick),
            ValueShare(1, Bound.AT_LEAST, Decimal(25)), ValueShare(2, Bound.AT_MOST, Decimal(15), named),
            *capacity[:3], *bundles[:10], MinAwardValue(Decimal(2000)), *fixed, MaxLeadTime(21), AllowPartial(),
        ]),
        ("every kind at once, whole lines", [
            VendorCount(Bound.AT_MOST, 8), VendorCount(Bound.AT_LEAST, 3), ExcludeVendor(9), RequireVendor(quick),
            ValueShare(1, Bound.AT_LEAST, Decimal(25)), ValueShare(2, Bound.AT_MOST, Decimal(15), named),
            *capacity[:3], *bundles[:10], MinAwardValue(Decimal(2000)), *fixed, MaxLeadTime(21),
        ]),
    ]


def _gap(gap: float | None) -> str:
    return "unbounded (no bound yet)" if gap is None else f"{gap:.4%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=solver.DEFAULT_TIME_LIMIT)
    args = parser.parse_args()
    started = time.perf_counter()
    problem = generate(args.lines, args.vendors, args.seed)
    print(f"problem: {args.lines} lines x {args.vendors} vendors, {len(problem.offers)} offers "
          f"(generated in {time.perf_counter() - started:.2f} s); time limit {args.time_limit} s; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    highs_process.start_worker()  # as the app does when it starts: the first scenario does not wait for it
    times: list[float] = []
    gaps: list[float | None] = []
    optimal, broken, planned, without = 0, 0, 0, []
    for name, constraints in scenarios(problem, args.seed):
        result = solver.solve(problem, constraints, time_limit=args.time_limit)
        times.append(result.seconds)
        if result.status is model.Status.OPTIMAL:
            optimal += 1
        if result.status is model.Status.BEST_FOUND:
            gaps.append(result.gap)
        planned += result.status.has_plan
        if result.status is model.Status.NO_PLAN:
            without.append(name)
        wrong = model.violations(problem, constraints, result.allocations) if result.status.has_plan else []
        broken += bool(wrong)
        detail = (f"total {result.total}, {len(result.vendors_used)} vendors" if result.status.has_plan
                  else "; ".join(result.conflicts) or "no plan in time")
        gap = f" gap {_gap(result.gap)}" if result.status is model.Status.BEST_FOUND else ""
        print(f"  {name:45} {result.status.value:11}{gap} {result.seconds * 1000:8.0f} ms"
              f"  {detail}"
              + (f"  BROKEN: {wrong[:3]}" if wrong else ""))
    spread = percentiles(times)
    print(f"solve time over {len(times)} scenarios: p50 {spread['p50']:.0f} ms, p95 {spread['p95']:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms")
    print(f"load average now {os.getloadavg()[0]:.2f}")
    print(f"proven optimal: {optimal}/{len(times)}; best found with a gap: {len(gaps)}"
          + (f" (gaps {', '.join(_gap(g) for g in gaps)})" if gaps else ""))
    print(f"plans found: {planned}/{len(times)}; no plan within the time limit: {len(without)}"
          + (f" ({', '.join(without)})" if without else ""))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
