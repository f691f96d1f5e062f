"""Award scenarios as a service: load the closed RFQ's comparison for its buyer, solve, store, list, compare and
award a scenario through the one atomic award (app/contracts/awards.py)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from app import db
from app.auth import Principal
from app.contracts import awards
from app.contracts.schemas import AwardPreview
from app.errors import Conflict, InvalidInput, NotFound
from app.money import MoneyError, from_minor, parse_amount, to_minor
from app.offers import services as offers
from app.offers.comparison import Comparison
from app.offers.schemas import AwardIn, AwardLineIn, AwardResultOut
from app.rfq.access import RfqHead, buyer_actor
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqLine
from app.sourcing import model, scoring, solver
from app.sourcing.access import scenario_rfq
from app.sourcing.schemas import (
    AllocationOut,
    AllowPartialIn,
    BundleIn,
    CapacityIn,
    ConstraintIn,
    ExcludeVendorIn,
    FiguresOut,
    FixedCostIn,
    MaxLeadTimeIn,
    MinAwardValueIn,
    RequireVendorIn,
    ScenarioAwardIn,
    ScenarioIn,
    ScenarioListOut,
    ScenarioOut,
    ValueShareIn,
    VendorCountIn,
    VendorShareOut,
)
from app.sourcing.scores import facts_of, vendor_ratings, weights_of
from app.sourcing.tables import AwardScenario

NO_SUCH_SCENARIO = "No such scenario."


# --- access and loading ---------------------------------------------------------------------------------------------


def problem_of(matrix: Comparison, scored: scoring.Scoring | None = None) -> model.Problem:
    """The comparison (every live offer's latest revision, in the RFQ's currency) as the solver's problem; with
    `scored`, each offer carries its weighted line score (for the "best weighted score per line" preset)."""
    lines = tuple(model.Line(row.line.rfq_line_id, row.line.position, row.line.quantity, row.line.target_price)
                  for row in matrix.rows)
    vendors = tuple(model.Vendor(v.vendor_id, v.vendor_name) for v in matrix.vendors)
    offered = tuple(
        model.Offer(row.line.rfq_line_id, vendor.vendor_id, cell.unit_price, cell.quantity, vendor.lead_time_days,
                    vendor.offer_id, vendor.revision_number, _line_score(scored, row.line.rfq_line_id, vendor.offer_id))
        for row in matrix.rows for vendor, cell in zip(matrix.vendors, row.cells, strict=True) if cell is not None
    )
    return model.Problem(lines, vendors, offered)


def _line_score(scored: scoring.Scoring | None, line_id: int, offer_id: int) -> Decimal:
    found = scored.line_score(line_id, offer_id) if scored is not None else None
    return found.total if found is not None else Decimal(0)


def constraints_of(problem: model.Problem, given: Sequence[ConstraintIn]) -> list[model.Constraint]:
    """The API's constraints as the model's, each checked against the RFQ: 400 naming the one to fix."""
    vendor_ids = {v.vendor_id for v in problem.vendors}
    line_ids = {line.line_id for line in problem.lines}
    found: list[model.Constraint] = []
    for index, c in enumerate(given, start=1):
        where = f"constraints[{index}] ({c.__struct_config__.tag})"

        def vendor(vendor_id: int, where: str = where) -> int:
            if vendor_id not in vendor_ids:
                raise InvalidInput(f"{where}: vendor {vendor_id} has no offer on this RFQ; name a vendor that offered.")
            return vendor_id

        def lines(ids: Sequence[int], where: str = where) -> tuple[int, ...]:
            unknown = sorted(set(ids) - line_ids)
            if unknown:
                raise InvalidInput(f"{where}: {unknown} are not line ids of this RFQ.")
            return tuple(dict.fromkeys(ids))

        def amount(value: Decimal, where: str = where) -> Decimal:
            try:
                parsed = parse_amount(value)
                to_minor(parsed)
            except MoneyError as exc:
                raise InvalidInput(f"{where}: {exc}.") from None
            if parsed < 0:
                raise InvalidInput(f"{where}: the amount must be 0 or more.")
            return parsed

        match c:
            case VendorCountIn(bound, count):
                if count < 1:
                    raise InvalidInput(f"{where}: count must be at least 1.")
                found.append(model.VendorCount(bound, count))
            case ExcludeVendorIn(vendor_id):
                found.append(model.ExcludeVendor(vendor(vendor_id)))
            case RequireVendorIn(vendor_id):
                found.append(model.RequireVendor(vendor(vendor_id)))
            case ValueShareIn(vendor_id, bound, percent, line_ids_given):
                if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.01")):
                    raise InvalidInput(f"{where}: percent must be between 0 and 100, with at most two decimals.")
                found.append(model.ValueShare(vendor(vendor_id), bound, percent, lines(line_ids_given)))
            case CapacityIn(vendor_id, units):
                found.append(model.Capacity(vendor(vendor_id), units))
            case BundleIn(line_ids_given):
                found.append(model.Bundle(lines(line_ids_given)))
            case MinAwardValueIn(value):
                found.append(model.MinAwardValue(amount(value)))
            case FixedCostIn(vendor_id, value):
                found.append(model.FixedCost(vendor(vendor_id), amount(value)))
            case MaxLeadTimeIn(days):
                found.append(model.MaxLeadTime(days))
            case AllowPartialIn():
                found.append(model.AllowPartial())
    return found


# --- solving and the figures ---------------------------------------------------------------------------------------


def baseline_key(problem: model.Problem, terms: Sequence[model.Constraint]) -> str:
    """What the baselines depend on, as a digest: the lines asked, every offer's price, quantity and lead time, and
    the terms kept (fixed costs, partial quantities). Baselines stored under the same key are the same baselines,
    whenever they were solved: a changed offer changes the key, so a stored one is never stale."""
    data = (
        sorted((line.line_id, line.quantity) for line in problem.lines),
        sorted((o.line_id, o.vendor_id, str(o.unit_price), o.quantity, o.lead_time_days) for o in problem.offers),
        sorted(repr(t) for t in terms),
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Baselines:
    """The two baselines' totals (minor units; None when none was found) as solved under `key`, and whether both
    were proven optimal within `time_limit`."""

    key: str
    single_vendor_total: int | None
    unconstrained_total: int | None
    optimal: bool
    time_limit: float

    def serves(self, key: str, time_limit: float) -> bool:
        """Reusable for a scenario with this key: the same data, solved to the optimum or with at least as much time."""
        return self.key == key and (self.optimal or self.time_limit >= time_limit)


def stored_baselines(results: Sequence[dict[str, Any]]) -> list[Baselines]:
    """The baselines kept in stored scenario results (older results have none)."""
    found = []
    for result in results:
        kept = result.get("baselines") if isinstance(result, dict) else None
        if isinstance(kept, dict):
            with contextlib.suppress(TypeError, KeyError):
                found.append(Baselines(**kept))
    return found


def solve_baselines(problem: model.Problem, terms: Sequence[model.Constraint], time_limit: float) -> Baselines:
    """The cheapest plan from one vendor and the cheapest without the restrictions (keeping the costs and the
    partial-quantity choice), within one `time_limit` between them."""
    started = time.perf_counter()
    single = solver.solve(problem, (*terms, model.VendorCount(model.Bound.AT_MOST, 1)), time_limit=time_limit / 2)
    free = solver.solve(problem, terms, time_limit=max(0.05, time_limit - (time.perf_counter() - started)))
    return Baselines(
        key=baseline_key(problem, terms),
        single_vendor_total=_minor(single.total) if single.status.has_plan else None,
        unconstrained_total=_minor(free.total) if free.status.has_plan else None,
        optimal=all(r.status in (model.Status.OPTIMAL, model.Status.INFEASIBLE) for r in (single, free)),
        time_limit=time_limit,
    )


def solve_scenario(problem: model.Problem, preset: model.Preset, constraints: Sequence[model.Constraint],
                   time_limit: float, known: Sequence[Baselines] = ()) -> dict[str, Any]:
    """Solve the scenario within `time_limit` (its conflict search included), and its baselines: taken from `known`
    when one there was solved on the same data, else solved in what the scenario left of the time limit (a quarter
    of it at least, so a request solves for at most 1.25 time limits); the stored result, money in minor units."""
    started = time.perf_counter()
    asked = (*model.preset_constraints(preset), *constraints)
    objective = model.objective_of(preset)
    result = solver.solve(problem, asked, time_limit=time_limit, objective=objective)
    terms = model.terms(asked)
    key = baseline_key(problem, terms)
    left = max(time_limit / 4, time_limit - (time.perf_counter() - started))
    # baselines solved with less time than this request's, and not proven, are solved again by a later one
    baselines = next((b for b in known if b.serves(key, time_limit)), None) or solve_baselines(problem, terms, left)
    offers = model.offer_index(problem)
    lines = {line.line_id: line for line in problem.lines}
    goods = model.goods_value(result.allocations) if result.status.has_plan else None
    return {
        "status": result.status.value,
        "gap": result.gap,
        "seconds": result.seconds,
        "relaxations": result.relaxations,
        "conflict_minimal": result.conflict_minimal,
        "conflicts": list(result.conflicts),
        "unoffered": sorted(lines[i].position for i in result.unoffered),
        "texts": [model.describe(c, problem) for c in asked],
        "allocations": [
            {"line": a.line_id, "position": lines[a.line_id].position, "vendor": a.vendor_id,
             "vendor_name": problem.vendor_name(a.vendor_id), "offer": offers[(a.line_id, a.vendor_id)].offer_id,
             "revision": offers[(a.line_id, a.vendor_id)].revision_number, "quantity": a.quantity,
             "unit_price": to_minor(a.unit_price), "lead": offers[(a.line_id, a.vendor_id)].lead_time_days}
            for a in result.allocations
        ],
        "goods_total": None if goods is None else to_minor(goods),
        "total": None if result.total is None else to_minor(result.total),
        "single_vendor_total": baselines.single_vendor_total,
        "unconstrained_total": baselines.unconstrained_total,
        "baselines": dataclasses.asdict(baselines),
        "savings_vs_target": _minor(model.target_savings(problem, result.allocations)),
        "average_lead_time": _text(model.average_lead_time(problem, result.allocations)),
        "weighted_score": _text(model.plan_score(problem, result.allocations, model.is_partial(asked)).quantize(
            scoring.SCORE_PLACES)) if objective is model.Objective.SCORE and result.status.has_plan else None,
    }


def _minor(amount: Decimal | None) -> int | None:
    return None if amount is None else to_minor(amount)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def explanation(result: dict[str, Any]) -> str | None:
    """Why an infeasible scenario has no plan, in the buyer's words."""
    conflicts = result["conflicts"]
    if result["status"] != model.Status.INFEASIBLE.value or not conflicts:
        return None
    quoted = [f"“{c}”" for c in conflicts]
    named = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    holds = "cannot hold" if len(quoted) == 1 else ("cannot both hold" if len(quoted) == 2 else "cannot all hold")
    tried = f"found by relaxing the constraints one at a time ({result['relaxations']} solves)"
    if not result["conflict_minimal"]:
        tried += "; the time limit stopped the search, so fewer of them may already clash"
    advice = "change it" if len(quoted) == 1 else "relax one of them"
    return f"{named} {holds} together with the offers made ({tried}): {advice}."


def blocker(result: dict[str, Any], rfq_status: RfqStatus) -> str | None:
    """Why the scenario cannot be awarded as it stands, in the buyer's words; None when it can."""
    if result["status"] not in (model.Status.OPTIMAL.value, model.Status.BEST_FOUND.value) or not result[
            "allocations"]:
        return "This scenario has no plan to award: change its constraints and solve it again."
    vendors_of_line: dict[int, set[int]] = defaultdict(set)
    for a in result["allocations"]:
        vendors_of_line[a["position"]].add(a["vendor"])
    split = sorted(position for position, vendors in vendors_of_line.items() if len(vendors) > 1)
    if split:
        return (f"Line{'s' * (len(split) > 1)} {', '.join(map(str, split))} "
                f"{'are' if len(split) > 1 else 'is'} split between vendors, and an award gives each line to one "
                "offer: solve the scenario without partial quantities.")
    if rfq_status is not RfqStatus.CLOSED:
        return f"The RFQ is {rfq_status.value}: only a closed RFQ can be awarded."
    return None


def to_out(row: dict[str, Any], head: RfqHead, descriptions: dict[int, str]) -> ScenarioOut:
    result = row["result"]
    allocations = [
        AllocationOut(
            rfq_line_id=a["line"], position=a["position"], description=descriptions.get(a["line"], ""),
            vendor_id=a["vendor"], vendor_name=a["vendor_name"], offer_id=a["offer"], revision_number=a["revision"],
            quantity=a["quantity"], unit_price=from_minor(a["unit_price"]),  # type: ignore[arg-type]
            extended_price=from_minor(a["unit_price"]) * a["quantity"],  # type: ignore[operator]
            lead_time_days=a["lead"],
        )
        for a in sorted(result["allocations"], key=lambda a: (a["position"], a["vendor_name"]))
    ]
    shares: dict[int, VendorShareOut] = {}
    for a in allocations:
        share = shares.setdefault(a.vendor_id, VendorShareOut(a.vendor_id, a.vendor_name, 0, Decimal(0)))
        share.value += a.extended_price
    for vendor_id, count in model.lines_per_vendor(
            [model.Allocation(a.rfq_line_id, a.vendor_id, a.quantity, a.unit_price) for a in allocations]).items():
        shares[vendor_id].lines = count
    total, goods = from_minor(result["total"]), from_minor(result["goods_total"])
    single, free = from_minor(result["single_vendor_total"]), from_minor(result["unconstrained_total"])
    reason = blocker(result, head.status)
    return ScenarioOut(
        id=row["id"], rfq_id=row["rfq"], name=row["name"], preset=row["preset"],
        constraints=msgspec.convert(row["constraints"], list[ConstraintIn]), constraint_texts=result["texts"],
        status=row["status"], gap=result["gap"], solve_ms=row["solve_ms"], currency=head.currency,
        allocations=allocations,
        figures=FiguresOut(
            goods_total=goods, fixed_costs=_difference(total, goods), total=total, vendors_used=len(shares),
            lines_awarded=len({a.rfq_line_id for a in allocations}),
            vendors=sorted(shares.values(), key=lambda s: (-s.value, s.vendor_name)),
            average_lead_time_days=None if result["average_lead_time"] is None else Decimal(
                result["average_lead_time"]),
            savings_vs_target=from_minor(result["savings_vs_target"]), single_vendor_total=single,
            savings_vs_single_vendor=_difference(single, total), unconstrained_total=free,
            cost_of_constraints=_difference(total, free),
            weighted_score=None if result.get("weighted_score") is None else Decimal(result["weighted_score"]),
        ),
        conflicts=result["conflicts"], conflict_explanation=explanation(result),
        unoffered_positions=result["unoffered"], awardable=reason is None,
        not_awardable_because=reason, created_at=row["created_at"],
    )


# --- the services ---------------------------------------------------------------------------------------------------


async def create(principal: Principal, rfq_id: int, data: ScenarioIn) -> ScenarioOut:
    """Solve a named scenario on the closed RFQ's offers and keep it (purchasers, buyer_admins and approvers of the
    RFQ's company)."""
    head = await scenario_rfq(principal, rfq_id)
    buyer_actor(principal, head)
    matrix = await offers.comparison_for_buyer(principal, rfq_id)
    scored = None
    if model.objective_of(data.preset) is model.Objective.SCORE:
        weights, _ = await weights_of(rfq_id)
        rated = await vendor_ratings([v.vendor_id for v in matrix.vendors], head.buyer_id)
        scored = scoring.score(facts_of(matrix, rated), weights)
    problem = problem_of(matrix, scored)
    constraints = constraints_of(problem, data.constraints)
    known = stored_baselines([row["result"] for row in await AwardScenario.select(AwardScenario.result).where(
        AwardScenario.rfq == rfq_id).output(load_json=True)])
    # HiGHS holds the thread for up to 1.25 time limits (the scenario, new baselines): keep the event loop serving.
    result = await asyncio.to_thread(solve_scenario, problem, data.preset, constraints, data.time_limit, known)
    now = await db.db_now()
    row = AwardScenario(
        rfq=rfq_id, name=data.name.strip() or "Scenario", preset=data.preset.value,
        constraints=msgspec.json.encode(data.constraints).decode(), result=msgspec.json.encode(result).decode(),
        status=result["status"], total=result["total"], solve_ms=round(result["seconds"] * 1000),
        created_by=principal.user_id, created_at=now,
    )
    await row.save()
    return await get(principal, rfq_id, row.id)


async def _rows(rfq_id: int, scenario_id: int | None = None) -> list[dict[str, Any]]:
    query = AwardScenario.select().where(AwardScenario.rfq == rfq_id)
    if scenario_id is not None:
        query = query.where(AwardScenario.id == scenario_id)
    return await query.order_by(AwardScenario.id).output(load_json=True)


async def _descriptions(rfq_id: int) -> dict[int, str]:
    return {row["id"]: row["description"] for row in
            await RfqLine.select(RfqLine.id, RfqLine.description).where(RfqLine.rfq == rfq_id)}


async def list_scenarios(principal: Principal, rfq_id: int) -> ScenarioListOut:
    """The RFQ's scenarios, oldest first, with their side-by-side figures."""
    head = await scenario_rfq(principal, rfq_id)
    descriptions = await _descriptions(rfq_id)
    return ScenarioListOut(rfq_id=rfq_id, currency=head.currency,
                           scenarios=[to_out(row, head, descriptions) for row in await _rows(rfq_id)])


async def _row(principal: Principal, rfq_id: int, scenario_id: int) -> tuple[RfqHead, dict[str, Any]]:
    head = await scenario_rfq(principal, rfq_id)
    rows = await _rows(rfq_id, scenario_id)
    if not rows:
        raise NotFound(NO_SUCH_SCENARIO)
    return head, rows[0]


async def get(principal: Principal, rfq_id: int, scenario_id: int) -> ScenarioOut:
    head, row = await _row(principal, rfq_id, scenario_id)
    return to_out(row, head, await _descriptions(rfq_id))


async def delete(principal: Principal, rfq_id: int, scenario_id: int) -> None:
    head, row = await _row(principal, rfq_id, scenario_id)
    buyer_actor(principal, head)
    await AwardScenario.delete().where(AwardScenario.id == row["id"])


async def award_request(principal: Principal, rfq_id: int, scenario_id: int, justification: str) -> AwardIn:
    """The award the scenario pre-fills: each line to the offer of its plan; 409 when the plan cannot be awarded
    as solved (no plan, a split line, an offer revised or withdrawn since)."""
    head, row = await _row(principal, rfq_id, scenario_id)
    reason = blocker(row["result"], head.status)
    if reason is not None:
        raise Conflict(reason)
    matrix = await offers.comparison_for_buyer(principal, rfq_id)
    current = {v.offer_id: v.revision_number for v in matrix.vendors}
    changed = sorted({a["vendor_name"] for a in row["result"]["allocations"]
                      if current.get(a["offer"]) != a["revision"]})
    if changed:
        raise Conflict(f"{', '.join(changed)} revised or withdrew {'their offers' if len(changed) > 1 else 'its offer'}"
                       " since this scenario was solved: solve it again before awarding.")
    return AwardIn(awards=[AwardLineIn(a["line"], a["offer"]) for a in row["result"]["allocations"]],
                   justification=justification)


async def preview_award(principal: Principal, rfq_id: int, scenario_id: int) -> AwardPreview:
    """What awarding the scenario would do, written nowhere (the confirmation page states it)."""
    return await awards.preview(principal, rfq_id, await award_request(principal, rfq_id, scenario_id, ""))


async def award(principal: Principal, rfq_id: int, scenario_id: int, data: ScenarioAwardIn) -> AwardResultOut:
    """Award the scenario's plan through the one atomic award (its checks, its contracts, its e-mails), which checks
    again, under its lock, that no offer was revised since the solve (a revision may land after the check above)."""
    request = await award_request(principal, rfq_id, scenario_id, data.justification)
    _, row = await _row(principal, rfq_id, scenario_id)
    solved = {a["offer"]: a["revision"] for a in row["result"]["allocations"]}
    return await awards.award(principal, rfq_id, request, revisions_seen=solved)
