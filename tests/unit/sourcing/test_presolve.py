"""The exact reductions before the solve (only offers some feasible plan can use) and the local search that gives
HiGHS its first plan."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sourcing.incumbent import local_search
from app.sourcing.model import (
    Allocation,
    AllowPartial,
    Bound,
    Line,
    Offer,
    Problem,
    RequireVendor,
    Vendor,
    VendorCount,
    is_partial,
    line_targets,
    violations,
)
from app.sourcing.presolve import usable_offers
from app.sourcing.solver import build, cheapest_filling, solve
from tests.unit.sourcing.test_solver import _splits, constraint_of, problems

D = Decimal


def _problem(covers: dict[int, tuple[int, ...]], lines: int = 3) -> Problem:
    return Problem(
        tuple(Line(i, i, 2) for i in range(1, lines + 1)),
        tuple(Vendor(v, f"Vendor {v}") for v in covers),
        tuple(Offer(line, v, D("1.00"), 2, 3) for v, covered in covers.items() for line in covered),
    )


def _vendors(offers: list[Offer]) -> set[int]:
    return {o.vendor_id for o in offers}


def test_with_one_winner_only_vendors_that_fill_every_line_stay():
    # given vendor 1 offering every line, vendor 2 two of the three
    problem = _problem({1: (1, 2, 3), 2: (1, 2)})
    constraints = [VendorCount(Bound.AT_MOST, 1)]
    # when reduced, then vendor 2 can never be the one winner
    assert _vendors(usable_offers(problem.offers, constraints, line_targets(problem, False), False)) == {1}


def test_with_two_winners_a_vendor_needs_a_partner_that_fills_the_rest():
    # given 2 and 3 together fill every line, 4 fills only line 1 and nobody else fills lines 2 and 3 alone
    problem = _problem({2: (1, 2), 3: (3,), 4: (1,)})
    constraints = [VendorCount(Bound.AT_MOST, 2)]
    # then 4 can never be among two winners
    assert _vendors(usable_offers(problem.offers, constraints, line_targets(problem, False), False)) == {2, 3}
    # and a required vendor takes one of the two places
    constraints.append(RequireVendor(3))
    assert _vendors(usable_offers(problem.offers, constraints, line_targets(problem, False), False)) == {2, 3}


def _feasible_plans(problem: Problem, constraints: list) -> list[list[Allocation]]:
    partial = is_partial(constraints)
    choices = []
    for line_id, target in line_targets(problem, partial).items():
        offers = [o for o in problem.offers if o.line_id == line_id]
        ways = (_splits(target, [(o.vendor_id, min(o.quantity, target)) for o in offers]) if partial
                else [[(o.vendor_id, target)] for o in offers if o.quantity >= target])
        price = {o.vendor_id: o.unit_price for o in offers}
        choices.append([[Allocation(line_id, v, q, price[v]) for v, q in way] for way in ways])
    plans = [[a for part in plan for a in part] for plan in itertools.product(*choices)]
    return [plan for plan in plans if not violations(problem, constraints, plan)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_feasible_plan_uses_an_offer_the_reduction_drops(data: st.DataObject):
    # given a small random problem with a vendor count (and up to two other constraints)
    partial = data.draw(st.booleans())
    problem = data.draw(problems(partial=partial))
    constraints = [constraint_of(VendorCount, problem, data.draw)]
    constraints += [constraint_of(k, problem, data.draw) for k in data.draw(st.lists(st.sampled_from(
        [RequireVendor, VendorCount]), max_size=2))]
    if partial:
        constraints.append(AllowPartial())
    # when reduced
    kept = {(o.line_id, o.vendor_id) for o in usable_offers(problem.offers, constraints,
                                                             line_targets(problem, partial), partial)}
    # then every plan that meets the constraints uses kept offers only
    for plan in _feasible_plans(problem, constraints):
        assert {(a.line_id, a.vendor_id) for a in plan} <= kept


def test_the_local_search_finds_the_cheapest_single_vendor_and_respects_the_count():
    # given three lines and three vendors (vendor 2 cannot take line 3)
    cost = np.array([[1.0, 2.0, 5.0], [4.0, 1.0, 5.0], [4.0, np.inf, 5.0]])
    fixed = np.zeros(3)
    # when one winner may win, then it is the cheapest that takes every line
    one = local_search(cost, fixed, at_most=1)
    assert one is not None and one.vendors == (0,) and one.cost == 9.0
    # and with two, each line goes to the cheaper of the two best together
    two = local_search(cost, fixed, at_most=2)
    assert two is not None and len(two.vendors) <= 2 and two.cost == 6.0
    # and a fixed cost per winner makes fewer winners worth it
    assert local_search(cost, np.array([10.0, 10.0, 0.0])).vendors == (2,)


def test_the_local_search_gives_up_when_no_allowed_winners_take_every_line():
    cost = np.array([[1.0, np.inf], [np.inf, 1.0]])
    assert local_search(cost, np.zeros(2), at_most=1) is None


def test_the_cheapest_filling_bounds_every_plan_from_below():
    # given two lines, vendor 1 short on line 1 (1 of 2 units), vendor 2 dearer
    problem = Problem((Line(1, 1, 2), Line(2, 2, 2)), (Vendor(1, "A"), Vendor(2, "B")), (
        Offer(1, 1, D("1.00"), 1, 3), Offer(1, 2, D("3.00"), 2, 3), Offer(2, 1, D("2.00"), 2, 3),
        Offer(2, 2, D("2.50"), 2, 3)))
    # then lines going whole: line 1 only from vendor 2 (6.00), line 2 from vendor 1 (4.00)
    whole = build(problem, [], partial=False)
    assert cheapest_filling(whole, line_targets(problem, False)) == 10.0
    # and split: line 1 one unit from each (1.00 + 3.00), line 2 as before
    split = build(problem, [AllowPartial()], partial=True)
    assert cheapest_filling(split, line_targets(problem, True)) == 8.0
    # and no plan under any constraint costs less
    for constraints in ([VendorCount(Bound.AT_MOST, 1)], [AllowPartial(), VendorCount(Bound.AT_MOST, 1)]):
        assert solve(problem, constraints).total >= D("8.00")
