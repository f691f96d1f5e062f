"""The first plan (app/sourcing/incumbent.py through solver.first_plan) meets every constraint whenever it gives
one; the Lagrangian bound (app/sourcing/bounds.py) never passes the optimum; a plan arrives under a time limit HiGHS
cannot solve in; the conflict search shares the time limit; the baselines are reused only for the same data."""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sourcing import incumbent, scenarios, solver
from app.sourcing.model import (
    Allocation,
    AllowPartial,
    Bound,
    Capacity,
    ExcludeVendor,
    FixedCost,
    Line,
    MinAwardValue,
    Offer,
    Preset,
    Problem,
    Status,
    ValueShare,
    Vendor,
    VendorCount,
    is_partial,
    line_targets,
    plan_total,
    violations,
)
from app.sourcing.solver import _vendor_bound, build, first_plan, solve
from tests.unit.sourcing.test_solver import KINDS, brute_force, cases, hard_problem

D = Decimal


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_first_plan_meets_every_constraint_and_costs_no_less_than_the_optimum(kind: type,
                                                                              data: st.DataObject) -> None:
    # given a small random problem with a constraint of this kind (and up to two others)
    problem, constraints = data.draw(cases(kind))
    model = build(problem, constraints, partial=is_partial(constraints))
    # when the first plan is searched
    plan = first_plan(problem, constraints, model, time.perf_counter() + 5)
    # then it is a plan that breaks nothing, no cheaper than the optimum, or none
    if plan is not None:
        assert violations(problem, constraints, plan) == []
        best = brute_force(problem, constraints)
        assert best is not None and plan_total(plan, constraints) >= best


@pytest.mark.parametrize("kind", [VendorCount, FixedCost, Capacity, AllowPartial], ids=lambda k: k.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_vendor_bound_never_passes_the_optimum(kind: type, data: st.DataObject) -> None:
    # given a small random problem that has a plan
    problem, constraints = data.draw(cases(kind))
    best = brute_force(problem, constraints)
    if best is None:
        return
    partial = is_partial(constraints)
    model = build(problem, constraints, partial=partial)
    # when the Lagrangian bound over the winning vendors is taken, aiming at the optimum itself
    bound = _vendor_bound(model, constraints, line_targets(problem, partial), float(best), time.perf_counter() + 5)
    # then it is at most the optimum
    assert bound <= float(best) + 1e-9


def test_a_problem_too_big_for_the_time_limit_still_gets_a_plan_with_its_gap() -> None:
    # given 200 lines x 30 vendors with counts, value shares, a minimum award and fixed costs
    problem, constraints = hard_problem(200, 30, seed=7)
    model = build(problem, constraints, partial=False)
    # when the first plan is searched with time enough for it (not for HiGHS's proof)
    plan = first_plan(problem, constraints, model, time.perf_counter() + 30)
    # then it meets every constraint
    assert plan is not None
    assert violations(problem, constraints, plan) == []


def test_capacities_and_a_value_share_are_repaired_together() -> None:
    # given two lines, the cheap vendor capped at the small line and a share that needs the dear line's value
    problem = Problem(
        (Line(1, 1, 10), Line(2, 2, 2)), (Vendor(1, "Cheap"), Vendor(2, "Dear")),
        (Offer(1, 1, D("1.00"), 10, 3), Offer(2, 1, D("1.00"), 2, 3),
         Offer(1, 2, D("5.00"), 10, 3), Offer(2, 2, D("5.00"), 2, 3)),
    )
    constraints = [Capacity(1, 5), ValueShare(2, Bound.AT_LEAST, D(50)), MinAwardValue(D(2))]
    model = build(problem, constraints, partial=False)
    # when the first plan is searched, then solved
    plan = first_plan(problem, constraints, model, time.perf_counter() + 5)
    result = solve(problem, constraints)
    # then the cheap vendor takes the small line only, within its capacity, and that is the optimum
    assert plan is not None and violations(problem, constraints, plan) == []
    assert sorted((a.line_id, a.vendor_id) for a in plan) == [(1, 2), (2, 1)]
    assert result.status is Status.OPTIMAL and result.total == plan_total(plan, constraints)


def test_the_baselines_are_reused_only_for_the_same_data() -> None:
    # given a problem and baselines stored for it, and for another problem
    problem = Problem((Line(1, 1, 2),), (Vendor(1, "A"), Vendor(2, "B")),
                      (Offer(1, 1, D("1.00"), 2, 3), Offer(1, 2, D("2.00"), 2, 3)))
    changed = Problem(problem.lines, problem.vendors, (Offer(1, 1, D("1.50"), 2, 3), problem.offers[1]))
    key = scenarios.baseline_key(problem, ())
    stored = scenarios.Baselines(key, 111, 222, True, 2.0)
    # when a scenario is solved with them known
    same = scenarios.solve_scenario(problem, Preset.CHERRY_PICK, [], 2.0, [stored])
    other = scenarios.solve_scenario(changed, Preset.CHERRY_PICK, [], 2.0, [stored])
    # then the same data takes the stored totals, changed offers get their own
    assert (same["single_vendor_total"], same["unconstrained_total"]) == (111, 222)
    assert scenarios.baseline_key(changed, ()) != key
    assert other["baselines"]["key"] == scenarios.baseline_key(changed, ())
    assert other["unconstrained_total"] != 222
    assert scenarios.stored_baselines([same, other, {}])[1].key == other["baselines"]["key"]
    # and a different partial-quantity choice is another key
    assert scenarios.baseline_key(problem, (AllowPartial(),)) != key


def test_repair_closes_a_winner_when_there_are_too_many() -> None:
    # given six groups spread two by two over three vendors, every vendor able to take any group, at most two winners
    cost = np.array([[1.0, 2.0, 3.0]] * 6)
    side = incumbent.Side(units=np.ones(6), value=cost.copy(), capacity=np.full(3, np.inf))
    start = np.array([0, 0, 1, 1, 2, 2])
    # when repaired
    assigned = incumbent.repair(cost, np.zeros(3), side, start, at_most=2)
    # then two vendors win, and the plan is as cheap as two winners allow: all to the cheapest
    assert assigned is not None
    assert len(set(assigned.tolist())) <= 2
    assert set(assigned.tolist()) == {0}


def test_the_conflict_search_gets_what_is_left_of_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a scenario with no plan (two vendors wanted, one excluded, only two offered), the search's budget watched
    problem = Problem((Line(1, 1, 1),), (Vendor(1, "A"), Vendor(2, "B")),
                      (Offer(1, 1, D("1.00"), 1, 3), Offer(1, 2, D("2.00"), 1, 3)))
    budgets: list[float] = []
    real = solver.conflicting

    def watched(problem, constraints, *, time_limit):  # type: ignore[no-untyped-def]
        budgets.append(time_limit)
        return real(problem, constraints, time_limit=time_limit)

    monkeypatch.setattr(solver, "conflicting", watched)
    # when solved within one second
    result = solver.solve(problem, [VendorCount(Bound.AT_LEAST, 2), ExcludeVendor(2)], time_limit=1.0)
    # then the conflict is found within what the main solve left of that second, not a second of its own
    assert result.status is Status.INFEASIBLE and result.conflicts
    assert len(budgets) == 1 and 0 <= budgets[0] < 1.0


def test_the_first_plans_winners_are_kept_and_the_lines_among_them_solved_exactly() -> None:
    # given four vendors, at most two winners, and a first plan whose winners are right (A and B, far cheaper than C
    # and D) but whose lines are given the wrong way round between them
    problem = Problem((Line(1, 1, 10), Line(2, 2, 10)), tuple(Vendor(v, n) for v, n in enumerate("ABCD", 1)), (
        Offer(1, 1, D("1.00"), 10, 3), Offer(1, 2, D("3.00"), 10, 3),
        Offer(2, 1, D("3.00"), 10, 3), Offer(2, 2, D("1.00"), 10, 3),
        *(Offer(line, v, D("9.00"), 10, 3) for line in (1, 2) for v in (3, 4)),
    ))
    constraints = [VendorCount(Bound.AT_MOST, 2)]
    model = build(problem, constraints, partial=False)
    first = (Allocation(1, 2, 10, D("3.00")), Allocation(2, 1, 10, D("3.00")))
    # when polished
    polished = solver._polished(problem, constraints, model, first, time.perf_counter() + 10)
    # then each line goes to the winner that is cheaper for it, and the plan breaks nothing
    assert [(a.line_id, a.vendor_id) for a in polished] == [(1, 1), (2, 2)]
    assert plan_total(polished, constraints) == D("20.00") and violations(problem, constraints, polished) == []
    # and a plan already cheapest among its winners comes back as it was
    assert solver._polished(problem, constraints, model, polished, time.perf_counter() + 10) == polished
