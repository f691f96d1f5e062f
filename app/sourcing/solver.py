"""An award scenario solved exactly as a mixed-integer program with HiGHS (highspy): build the model from plain
values, solve under a time limit, read the plan back into plain values; when no plan exists, find which constraints
conflict by dropping them one at a time (a deletion filter down to a minimal conflicting set)."""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from app.sourcing import bounds, highs_process, incumbent
from app.sourcing.highs_process import INF, Ending
from app.sourcing.model import (
    Allocation,
    Bound,
    Bundle,
    Capacity,
    Constraint,
    ExcludeVendor,
    MinAwardValue,
    Objective,
    Offer,
    Problem,
    RequireVendor,
    Result,
    Status,
    ValueShare,
    VendorCount,
    WholeLines,
    describe,
    is_partial,
    line_targets,
    plan_score,
    plan_total,
    restrictions,
    violations,
)
from app.sourcing.model import FixedCost as FixedCostTerm
from app.sourcing.presolve import usable_offers

DEFAULT_TIME_LIMIT = 2.0
# The part of the time limit by which HiGHS stops early, for our own bound of a plan it has not proven optimal
# (app/sourcing/bounds.py) and then ANSWER_SHARE: the bound has 5 %, and on bench/sourcing.py's 500 x 50 RFQ its
# rounds converge in about 60 ms, which 2 s x 5 % allows.
BOUND_SHARE = 0.08
# The part kept at the very end for what follows the last step (the plan's totals, the result) and for a loaded
# machine's scheduling: every step of a solve ends by the time limit less this share. Stop 24's CI overran a 1 s
# limit by 19 ms when the bound was allowed a minimum past it.
ANSWER_SHARE = 0.03
# Of the time before HiGHS must end (`solve`): the part the first plan may take at most (app/sourcing/incumbent.py),
# and the part by which its polish among its winners (`_polished`) ends. HiGHS has the rest on the whole model.
FIRST_PLAN_SHARE = 0.5
POLISH_SHARE = 0.75


@dataclass
class _Rows:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def add(self, terms: Sequence[tuple[int, float]], lower: float, upper: float) -> None:
        self.starts.append(len(self.index))
        for column, coefficient in terms:
            self.index.append(column)
            self.value.append(coefficient)
        self.lower.append(lower)
        self.upper.append(upper)


@dataclass
class Model:
    """The MILP as arrays, and which column is which offer's quantity / use and which vendor's use."""

    offers: list[Offer]
    cost: list[float]
    lower: list[float]
    upper: list[float]
    integer: list[bool]
    rows: _Rows
    quantity_col: dict[int, tuple[int, float]]  # offer position in `offers` → (column, factor) of its quantity
    vendor_col: dict[int, int]  # vendor id → its "wins something" column
    impossible: bool = False  # a constraint names a vendor without offers and requires it
    use_col: dict[int, int] = field(default_factory=dict)  # split lines: offer position → its own use column


def build(problem: Problem, constraints: Sequence[Constraint | WholeLines], *, partial: bool,
          with_cost: bool = True, objective: Objective = Objective.COST) -> Model:
    """The model: per offer an integer quantity x and a binary use y, per vendor a binary z (wins something).
    Every offered line gets its target quantity; without partial quantities it goes whole to one vendor. The
    objective is the plan's cost, or (Objective.SCORE) minus its weighted score: each offer's line score times the
    share of the line it gets."""
    targets = line_targets(problem, partial)
    # Only the offers some feasible plan can use (app/sourcing/presolve.py): an excluded vendor's, those over the
    # maximum lead time, short ones when lines go whole, and vendors that cannot fit among "at most N" are left out
    # (the model is built again for each set of constraints the conflict search tries).
    offers = usable_offers(problem.offers, constraints, targets, partial)
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    integer: list[bool] = []

    def column(c: float, lo: float, up: float, is_integer: bool) -> int:
        cost.append(c)
        lower.append(lo)
        upper.append(up)
        integer.append(is_integer)
        return len(cost) - 1

    # HiGHS works in binary floating point, so prices enter the model as floats; they only steer the search. The plan
    # read back is whole quantities per offer, and its total and every check of it are Decimal (model.plan_total,
    # model.violations), so no float reaches a stored or shown amount.
    # The quantity of offer k is `factor * column`: its own integer column when lines may be split; without
    # splitting it is the line's whole target times the offer's binary use y, so no quantity column is needed. Split
    # lines need a use column only where a bundle asks one offer per line.
    bundled = {i for c in constraints if isinstance(c, Bundle) for i in c.line_ids}
    # Split quantities are continuous columns unless a constraint weighs them by price: with the binaries fixed,
    # what is left is a flow from vendors to lines (each line's target, a vendor's capacity, at least one unit to
    # a winner, each offer's cap), whose matrix is totally unimodular, so its optimum is whole at a vertex and
    # the MIP's optimum is the optimum in whole units (`highs_process.whole` takes that vertex). HiGHS's
    # reduced-cost fixing lists every value of a general integer column, thousands per offer here, in a step it
    # cannot interrupt.
    whole_quantities = any(isinstance(c, ValueShare | MinAwardValue) for c in constraints)
    x: dict[int, tuple[int, float]] = {}
    y: dict[int, int] = {}
    for k, offer in enumerate(offers):
        target = targets[offer.line_id]
        price = float(offer.unit_price) if with_cost else 0.0
        if with_cost and objective is Objective.SCORE:
            price = -float(offer.score) / target  # per unit: a whole line counts its score once
        if partial:
            x[k] = (column(price, 0, min(offer.quantity, target), whole_quantities), 1.0)
            if offer.line_id in bundled:
                y[k] = column(0.0, 0, 1, True)
        else:
            y[k] = column(price * target, 0, 1, True)
            x[k] = (y[k], float(target))
    fixed: dict[int, Decimal] = defaultdict(Decimal)  # two fixed costs named for one vendor both count (plan_total)
    for c in constraints:
        if isinstance(c, FixedCostTerm):
            fixed[c.vendor_id] += c.amount
    vendors = sorted({o.vendor_id for o in offers})
    # Whether each vendor wins anything is a column only when a constraint or a cost counts the vendors: the rows
    # that tie it to the offers are most of the model.
    counted = any(isinstance(c, VendorCount | MinAwardValue | FixedCostTerm) for c in constraints)
    costs = with_cost and objective is Objective.COST  # a fixed cost is money: no part of a score
    z = {v: column(float(fixed.get(v, 0)) if costs else 0.0, 0, 1, True) for v in vendors} if counted else {}
    rows = _Rows()
    by_line: dict[int, list[int]] = defaultdict(list)
    by_vendor: dict[int, list[int]] = defaultdict(list)
    for k, offer in enumerate(offers):
        by_line[offer.line_id].append(k)
        by_vendor[offer.vendor_id].append(k)
    impossible = any(line_id not in by_line for line_id in targets)  # a line no usable offer can fill
    for line_id, ks in by_line.items():
        if partial:
            target = float(targets[line_id])
            rows.add([(x[k][0], 1.0) for k in ks], target, target)
        else:
            rows.add([(y[k], 1.0) for k in ks], 1, 1)
    alone = min((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_MOST),
                default=None) == 1
    # The linking is disaggregated, one row per offer (x <= cap * z, not sum x <= M * z): the LP relaxation then
    # knows that a vendor used for a fraction supplies at most that fraction of each line, which is what bounds the
    # search for "at most N vendors" and fixed costs.
    for k, offer in enumerate(offers):
        cap = float(min(offer.quantity, targets[offer.line_id]))
        if k in y and partial:
            rows.add([(x[k][0], 1.0), (y[k], -cap)], -INF, 0)
            rows.add([(x[k][0], 1.0), (y[k], -1.0)], 0, INF)
        if z and alone:  # the one winner takes every line whole: the offer is used exactly when its vendor wins
            if k in y:
                rows.add([(y[k], 1.0), (z[offer.vendor_id], -1.0)], 0, 0)
            else:
                rows.add([(x[k][0], 1.0), (z[offer.vendor_id], -float(targets[offer.line_id]))], 0, 0)
        elif z:
            if k in y:
                rows.add([(y[k], 1.0), (z[offer.vendor_id], -1.0)], -INF, 0)
            else:
                rows.add([(x[k][0], 1.0), (z[offer.vendor_id], -cap)], -INF, 0)
    for v in z:  # a vendor counts as a winner only if it gets something
        rows.add([(z[v], 1.0)] + [(y[k] if k in y else x[k][0], -1.0) for k in by_vendor[v]], -INF, 0)
    model = Model(offers, cost, lower, upper, integer, rows, x, z, impossible=impossible,
                  use_col=dict(y) if partial else {})
    for c in constraints:
        _restrict(model, c, problem, targets, y, by_line, by_vendor)
    return model


def _restrict(model: Model, c: Constraint | WholeLines, problem: Problem, targets: dict[int, int],
              y: dict[int, int], by_line: dict[int, list[int]], by_vendor: dict[int, list[int]]) -> None:
    rows, x, z, offers = model.rows, model.quantity_col, model.vendor_col, model.offers
    match c:
        case VendorCount(bound, count):
            terms = [(col, 1.0) for col in z.values()]
            if bound is Bound.AT_LEAST:
                if count > len(z):
                    model.impossible = True
                rows.add(terms, count, INF)
            else:
                rows.add(terms, -INF, count)
        case RequireVendor(vendor_id):
            if vendor_id in z:
                rows.add([(z[vendor_id], 1.0)], 1, INF)
            elif by_vendor.get(vendor_id):
                rows.add([(x[k][0], 1.0) for k in by_vendor[vendor_id]], 1, INF)  # a whole quantity: 1 or more
            else:
                model.impossible = True
        case ValueShare(vendor_id, bound, percent, line_ids):
            scope = set(line_ids) if line_ids else None
            share = float(percent) / 100
            terms = [
                (x[k][0], x[k][1] * float(o.unit_price) * ((1.0 if o.vendor_id == vendor_id else 0.0) - share))
                for k, o in enumerate(offers) if scope is None or o.line_id in scope
            ]
            if bound is Bound.AT_LEAST:
                rows.add(terms, 0, INF)
            else:
                rows.add(terms, -INF, 0)
        case Capacity(vendor_id, units) if vendor_id in by_vendor:
            rows.add([(x[k][0], x[k][1]) for k in by_vendor[vendor_id]], -INF, units)
        case Bundle(line_ids):
            members = [i for i in dict.fromkeys(line_ids) if i in targets]
            for i in members:
                rows.add([(y[k], 1.0) for k in by_line[i]], 1, 1)
            for first, second in itertools.pairwise(members):
                for v in by_vendor:
                    pair = [(y[k], 1.0) for k in by_line[first] if offers[k].vendor_id == v]
                    pair += [(y[k], -1.0) for k in by_line[second] if offers[k].vendor_id == v]
                    if pair:
                        rows.add(pair, 0, 0)
        case MinAwardValue(amount):
            for v in z:
                rows.add([(x[k][0], x[k][1] * float(offers[k].unit_price)) for k in by_vendor[v]]
                         + [(z[v], -float(amount))],
                         0, INF)


def _run(model: Model, deadline: float, start: list[float] | None = None) -> highs_process.Run:
    """Solve the model by the wall-clock `deadline` (a time.perf_counter() value), from the plan `start` (a value per
    column) when given (app/sourcing/highs_process.py)."""
    if model.impossible:
        return highs_process.Run(Ending.INFEASIBLE)
    if not model.cost:
        return highs_process.Run(Ending.OPTIMAL, np.zeros(0), 0.0, 0.0)  # nothing offered: the empty plan
    rows = model.rows
    lp = highs_process.Lp(
        cost=np.array(model.cost, dtype=np.float64), lower=np.array(model.lower, dtype=np.float64),
        upper=np.array(model.upper, dtype=np.float64), integer=np.array(model.integer, dtype=bool),
        row_lower=np.array(rows.lower, dtype=np.float64), row_upper=np.array(rows.upper, dtype=np.float64),
        starts=np.array(rows.starts, dtype=np.int32), index=np.array(rows.index, dtype=np.int32),
        value=np.array(rows.value, dtype=np.float64))
    return highs_process.run(lp, deadline, None if start is None else np.array(start, dtype=np.float64))


def solve(problem: Problem, constraints: Sequence[Constraint], *, time_limit: float = DEFAULT_TIME_LIMIT,
          objective: Objective = Objective.COST) -> Result:
    """The cheapest plan that meets every constraint (goods plus fixed costs), or with Objective.SCORE the one with
    the highest weighted score, proven optimal or the best found within `time_limit` seconds with its gap; or,
    when none exists, the constraints that conflict."""
    started = time.perf_counter()
    partial = is_partial(constraints)
    offered = line_targets(problem, True)
    unoffered = tuple(line.line_id for line in problem.lines if line.line_id not in offered)
    deadline = started + time_limit * (1 - ANSWER_SHARE)
    model = build(problem, constraints, partial=partial, objective=objective)
    # The best score first, then (with what time is left) the cheapest plan among those that score as well; a cost
    # keeps a moment at the end for the bound of a plan not proven optimal. Until `ends`: the first plan, which may
    # take half of that time when it needs it (a scenario HiGHS would not solve in time; easy ones take a moment),
    # its polish among its winners, then HiGHS on the whole model, always with a quarter of it at least: HiGHS may
    # still prove that no plan exists.
    ends = started + time_limit * (0.6 if objective is Objective.SCORE else 1 - BOUND_SHARE)
    plan = first_plan(problem, constraints, model, started + (ends - started) * FIRST_PLAN_SHARE)
    if plan is not None and objective is Objective.COST:
        plan = _polished(problem, constraints, model, plan, started + (ends - started) * POLISH_SHARE)
    run = _run(model, ends, None if plan is None else _values(model, plan))
    if run.found or (plan is not None and run.ending is not Ending.INFEASIBLE):
        # HiGHS takes the first plan in only once its presolve is done: when the time ran out before, that plan
        # (checked exactly when it was made) is the best found.
        optimal, gap, allocations = _outcome(model, run) if run.found else (False, None, plan or ())
        if (not optimal and plan is not None and objective is Objective.COST
                and plan_total(plan, constraints) < plan_total(allocations, constraints)):
            allocations = plan  # HiGHS's own plan, made before it took ours in, is dearer
        if objective is Objective.SCORE and allocations:
            cheapest = _cheapest_tie(problem, constraints, partial, allocations, deadline)
            if cheapest is not None:
                tie_optimal, tie_gap, allocations = cheapest
                optimal = optimal and tie_optimal
                gap = None if gap is None or tie_gap is None else max(gap, tie_gap)
        total = plan_total(allocations, constraints)
        if not optimal and objective is Objective.COST and total > 0:
            # HiGHS's bound is missing or weak while its root LP is unsolved: bounds of our own
            # (app/sourcing/bounds.py) measure the gap too, and prove the plan optimal when it reaches one exactly.
            targets = line_targets(problem, partial)
            exact = cheapest_filling_exact(model, targets)
            if total <= exact:
                optimal = True
            else:
                # (not started past the deadline: its arrays alone take a moment on a loaded machine)
                vendor_bound = (_vendor_bound(model, constraints, targets, float(total), deadline)
                                if time.perf_counter() < deadline else -math.inf)
                floor = max(float(exact), vendor_bound, run.dual_bound)
                floor_gap = max(0.0, (float(total) - floor) / float(total))
                gap = floor_gap if gap is None else max(0.0, min(gap, floor_gap))
        return Result(
            status=Status.OPTIMAL if optimal else Status.BEST_FOUND,
            allocations=allocations, total=total, gap=0.0 if optimal else gap,
            seconds=time.perf_counter() - started, unoffered=unoffered,
        )
    if run.ending is Ending.INFEASIBLE:
        # the conflict search shares the scenario's time limit: a request's solving stays within it
        conflicts, tries, minimal = conflicting(problem, constraints,
                                                time_limit=max(0.0, deadline - time.perf_counter()))
        return Result(status=Status.INFEASIBLE, seconds=time.perf_counter() - started, unoffered=unoffered,
                      conflicts=tuple(describe(c, problem) for c in conflicts), relaxations=tries,
                      conflict_minimal=minimal)
    return Result(status=Status.NO_PLAN, seconds=time.perf_counter() - started, unoffered=unoffered)


def _polished(problem: Problem, constraints: Sequence[Constraint], model: Model, plan: tuple[Allocation, ...],
              deadline: float) -> tuple[Allocation, ...]:
    """The cheapest plan among the first plan's winners (every other vendor excluded), or the first plan itself when
    that is not cheaper or not found by `deadline`. The local search picks the winners well and the lines among
    them less well: on bench/sourcing.py's 500 x 50 RFQ with every kind of constraint, the first plan's winners
    carried the proven optimum, 2.5 % below the first plan, and were solved among in under a second, where HiGHS on
    the whole model had not finished its root node in two. Only when the winners are at most half of the vendors:
    with more, the restricted model is hardly smaller than the whole one."""
    winners = {a.vendor_id for a in plan}
    vendors = {o.vendor_id for o in model.offers}
    if not model.vendor_col or len(winners) * 2 > len(vendors):
        return plan
    among = [*constraints, *(ExcludeVendor(v) for v in sorted(vendors - winners))]
    restricted = build(problem, among, partial=is_partial(constraints))
    run = _run(restricted, deadline, _values(restricted, plan))
    if run.values is None:
        return plan
    polished = _plan(restricted, run.values)
    if violations(problem, constraints, polished) or plan_total(polished, constraints) >= plan_total(plan, constraints):
        return plan
    return polished


def cheapest_filling_exact(model: Model, targets: dict[int, int]) -> Decimal:
    """`cheapest_filling` in exact Decimal arithmetic: a plan that costs no more is proven optimal."""
    by_line: dict[int, list[Offer]] = defaultdict(list)
    for offer in model.offers:
        by_line[offer.line_id].append(offer)
    bound = Decimal(0)
    for line_id, offers in by_line.items():
        left = targets[line_id]
        for offer in sorted(offers, key=lambda o: o.unit_price):
            take = min(left, offer.quantity)
            bound += offer.unit_price * take
            left -= take
            if left <= 0:
                break
    return bound


def _vendor_bound(model: Model, constraints: Sequence[Constraint], targets: dict[int, int], aim: float,
                  deadline: float) -> float:
    """The Lagrangian bound over which vendors win (app/sourcing/bounds.py), for a model that counts them; -inf
    otherwise. Lowered by a millionth of a percent against the rounding of its float sums."""
    if not model.offers or not (model.vendor_col or any(isinstance(c, Capacity) for c in constraints)):
        return -math.inf
    lines = sorted({o.line_id for o in model.offers})
    vendors = sorted({o.vendor_id for o in model.offers})
    line_of = {line_id: i for i, line_id in enumerate(lines)}
    vendor_of = {v: i for i, v in enumerate(vendors)}
    capacity = np.full(len(vendors), np.inf)
    for c in constraints:
        if isinstance(c, Capacity) and c.vendor_id in vendor_of:
            capacity[vendor_of[c.vendor_id]] = min(capacity[vendor_of[c.vendor_id]], c.units)
    found = bounds.vendor_choice_bound(
        np.array([float(o.unit_price) for o in model.offers]),
        np.array([float(min(o.quantity, targets[o.line_id])) for o in model.offers]),
        np.array([line_of[o.line_id] for o in model.offers]), np.array([vendor_of[o.vendor_id] for o in model.offers]),
        np.array([float(targets[line_id]) for line_id in lines]),
        np.array([model.cost[model.vendor_col[v]] if v in model.vendor_col else 0.0 for v in vendors]), aim,
        at_most=min((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_MOST),
                    default=None),
        at_least=max((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_LEAST),
                     default=0),
        required=frozenset(vendor_of[c.vendor_id] for c in constraints
                           if isinstance(c, RequireVendor) and c.vendor_id in vendor_of),
        capacity=capacity, deadline=deadline)
    return found - abs(found) * 1e-8 if math.isfinite(found) else -math.inf


def cheapest_filling(model: Model, targets: dict[int, int]) -> float:
    """A lower bound on the cost of any plan of the model: each line filled from its cheapest offers in the model
    (whole from the cheapest when lines go whole, which the model's offers already allow for), no fixed cost."""
    by_line: dict[int, list[Offer]] = defaultdict(list)
    for offer in model.offers:
        by_line[offer.line_id].append(offer)
    bound = 0.0
    for line_id, offers in by_line.items():
        left = targets[line_id]
        for offer in sorted(offers, key=lambda o: o.unit_price):
            take = min(left, offer.quantity)
            bound += float(offer.unit_price) * take
            left -= take
            if left <= 0:
                break
    return bound


Outcome = tuple[bool, float | None, tuple[Allocation, ...]]  # proven optimal?, gap, plan


def _outcome(model: Model, run: highs_process.Run) -> Outcome:
    """Whether the plan is proven optimal, its gap (None while the search has no bound yet: its root LP unsolved
    when the time ran out), and the plan."""
    optimal = run.ending is Ending.OPTIMAL
    allocations = _plan(model, run.values) if run.values is not None else ()
    return optimal, 0.0 if optimal else (None if run.gap is None else max(0.0, run.gap)), allocations


# Weighted scores have four decimals (scoring.SCORE_PLACES): plans whose scores differ by less than half of that
# score alike. With whole lines a plan's score is a sum of line scores, so "alike" is "equal".
SCORE_TIE = 0.00005


def tie_row(model: Model, problem: Problem, partial: bool, floor: float) -> None:
    """Add to a cost model the row "the plan's weighted score is at least `floor`" (each offer's line score by the
    share of the line it gets)."""
    targets = line_targets(problem, partial)
    terms = [(column, factor * float(offer.score) / targets[offer.line_id])
             for offer, (column, factor) in ((model.offers[k], model.quantity_col[k]) for k in range(len(model.offers)))
             if offer.score]
    model.rows.add(terms, floor, INF)
    # The row weighs quantities by score, as a value share weighs them by price: the LP over split quantities has
    # fractional vertices then (half a unit from each of two vendors), so the quantities it weighs are whole columns.
    for column, _ in terms:
        model.integer[column] = True


def _cheapest_tie(problem: Problem, constraints: Sequence[Constraint], partial: bool,
                  best: tuple[Allocation, ...], deadline: float) -> Outcome | None:
    """Among the plans that score as well as `best` (to SCORE_TIE), the cheapest, started from `best` itself; None
    when the time left decided nothing."""
    model = build(problem, constraints, partial=partial)
    tie_row(model, problem, partial, float(plan_score(problem, best, partial)) - SCORE_TIE)
    run = _run(model, deadline, _values(model, best))
    return _outcome(model, run) if run.found else None


def _values(model: Model, allocations: Sequence[Allocation]) -> list[float]:
    """The plan as a value per column of the model."""
    given = {(a.line_id, a.vendor_id): a.quantity for a in allocations}
    values = [0.0] * len(model.cost)
    for k, offer in enumerate(model.offers):
        quantity = given.get((offer.line_id, offer.vendor_id), 0)
        column, factor = model.quantity_col[k]
        values[column] = quantity / factor
        if k in model.use_col and quantity:
            values[model.use_col[k]] = 1.0
    for v in {a.vendor_id for a in allocations}:
        if v in model.vendor_col:
            values[model.vendor_col[v]] = 1.0
    return values


def first_plan(problem: Problem, constraints: Sequence[Constraint], model: Model,
               deadline: float) -> tuple[Allocation, ...] | None:
    """A first plan for HiGHS (app/sourcing/incumbent.py): which vendors win, by local search, each group of lines
    (a line, or lines bundled together) whole to one of them; then, group by group, moved until capacities, value
    shares, the minimum award and the vendor counts hold. With partial quantities a line no single offer fills is
    split beforehand among its cheapest offers. None when the search finds no plan that meets every constraint
    exactly (model.violations), or the model has no plan to start from."""
    vendors = sorted({o.vendor_id for o in model.offers})
    if not vendors or model.impossible:
        return None
    partial = is_partial(constraints)
    targets = line_targets(problem, partial)
    column_of = {v: i for i, v in enumerate(vendors)}
    in_model = {o.line_id for o in model.offers}
    group_of = _groups([line.line_id for line in problem.lines if line.line_id in in_model], constraints)
    bundled = {i for c in constraints if isinstance(c, Bundle) for i in c.line_ids}
    whole_from: dict[int, set[int]] = defaultdict(set)  # line -> vendors that can give it all
    for offer in model.offers:
        if offer.quantity >= targets[offer.line_id]:
            whole_from[offer.line_id].add(offer.vendor_id)
    split = sorted(i for i in group_of if not whole_from[i])  # only with partial quantities (presolve)
    if any(i in bundled for i in split):
        return None
    base: list[Allocation] = []
    for line_id in split:  # filled from the cheapest offers in the model
        left = targets[line_id]
        for k in sorted((k for k, o in enumerate(model.offers) if o.line_id == line_id),
                        key=lambda k: (model.cost[model.quantity_col[k][0]], model.offers[k].vendor_id)):
            offer = model.offers[k]
            take = min(left, offer.quantity)
            if take > 0:
                base.append(Allocation(line_id, offer.vendor_id, take, offer.unit_price))
                left -= take
        if left > 0:
            return None
    names = sorted({group_of[i] for i in group_of if i not in split})
    row_of = {g: r for r, g in enumerate(names)}
    shape = (len(names), len(vendors))
    cost, value, count = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=np.int64)
    size, units = np.zeros(len(names), dtype=np.int64), np.zeros(len(names))
    members: dict[int, list[int]] = defaultdict(list)
    for line_id, g in group_of.items():
        if line_id not in split:
            size[row_of[g]] += 1
            units[row_of[g]] += targets[line_id]
            members[row_of[g]].append(line_id)
    shares = [c for c in constraints if isinstance(c, ValueShare)]
    scoped = [np.zeros(shape) for _ in shares]
    price: dict[tuple[int, int], Offer] = {}
    for k, offer in enumerate(model.offers):
        line_id = offer.line_id
        if line_id in split or offer.quantity < targets[line_id]:
            continue
        r, v = row_of[group_of[line_id]], column_of[offer.vendor_id]
        column, factor = model.quantity_col[k]
        cost[r, v] += model.cost[column] * targets[line_id] / factor
        worth = float(offer.unit_price) * targets[line_id]
        value[r, v] += worth
        count[r, v] += 1
        price[(line_id, offer.vendor_id)] = offer
        for c, matrix in zip(shares, scoped, strict=True):
            if not c.line_ids or line_id in c.line_ids:
                matrix[r, v] += worth
    cost[count < size[:, None]] = np.inf  # the vendor cannot take the whole group
    fixed = np.array([model.cost[model.vendor_col[v]] if v in model.vendor_col else 0.0 for v in vendors])
    capacity = np.full(len(vendors), np.inf)
    for c in constraints:
        if isinstance(c, Capacity) and c.vendor_id in column_of:
            capacity[column_of[c.vendor_id]] = min(capacity[column_of[c.vendor_id]], c.units)
    base_units, base_value = np.zeros(len(vendors)), np.zeros(len(vendors))
    base_used = np.zeros(len(vendors), dtype=bool)
    for a in base:
        base_units[column_of[a.vendor_id]] += a.quantity
        base_value[column_of[a.vendor_id]] += float(a.unit_price) * a.quantity
        base_used[column_of[a.vendor_id]] = True
    side_shares = []
    for c, matrix in zip(shares, scoped, strict=True):
        fraction = float(c.percent) / 100
        mine = np.zeros(len(vendors))
        if c.vendor_id in column_of:
            mine[column_of[c.vendor_id]] = 1.0
        in_base = sum(float(a.unit_price) * a.quantity * ((a.vendor_id == c.vendor_id) - fraction) for a in base
                      if not c.line_ids or a.line_id in c.line_ids)
        side_shares.append(incumbent.Share(c.bound is Bound.AT_LEAST, matrix * (mine[None, :] - fraction), in_base))
    side = incumbent.Side(units=units, value=value, capacity=capacity,
                          min_award=max((float(c.amount) for c in constraints if isinstance(c, MinAwardValue)),
                                        default=0.0),
                          shares=tuple(side_shares), base_units=base_units, base_value=base_value,
                          base_used=base_used)
    required = {c.vendor_id for c in constraints if isinstance(c, RequireVendor)}
    if not required <= set(column_of):
        return None
    at_most = min((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_MOST),
                  default=None)
    at_least = max((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_LEAST),
                   default=0)
    wanted = frozenset(column_of[v] for v in required)
    # A vendor owed at least a share of the value wins something (when the scope is worth anything): among the
    # winners the local search picks, as a hint only (the plan is checked exactly whatever it assumed).
    owed = wanted | {column_of[c.vendor_id] for c in shares
                     if c.bound is Bound.AT_LEAST and c.percent > 0 and c.vendor_id in column_of}
    hint = owed if at_most is None or len(owed) <= at_most else wanted
    choice = incumbent.local_search(cost, fixed, required=frozenset(hint), deadline=deadline, at_most=at_most,
                                    at_least=at_least) if len(names) else None
    start = np.array(choice.assigned) if choice is not None else np.argmin(cost, axis=1)
    assigned = incumbent.repair(cost, fixed, side, start, at_most=at_most, at_least=at_least, required=wanted,
                                deadline=deadline) if len(names) else np.zeros(0, dtype=np.int64)
    if assigned is None:
        return None
    allocations = list(base)
    for r, v in enumerate(assigned):
        for line_id in members[r]:
            offer = price[(line_id, vendors[int(v)])]
            allocations.append(Allocation(line_id, offer.vendor_id, targets[line_id], offer.unit_price))
    plan = tuple(sorted(allocations, key=lambda a: (a.line_id, a.vendor_id)))
    return None if violations(problem, constraints, plan) else plan


def _groups(line_ids: Sequence[int], constraints: Sequence[Constraint]) -> dict[int, int]:
    """Each line's group: the lines bundles tie together (through shared lines too) share one."""
    parent = {i: i for i in line_ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for c in constraints:
        if isinstance(c, Bundle):
            members = [i for i in c.line_ids if i in parent]
            for a, b in itertools.pairwise(members):
                parent[root(a)] = root(b)
    return {i: root(i) for i in line_ids}


def _plan(model: Model, values: Sequence[float]) -> tuple[Allocation, ...]:
    allocations = []
    for k, offer in enumerate(model.offers):
        column, factor = model.quantity_col[k]
        quantity = round(values[column] * factor)
        if quantity > 0:
            allocations.append(Allocation(offer.line_id, offer.vendor_id, quantity, offer.unit_price))
    return tuple(sorted(allocations, key=lambda a: (a.line_id, a.vendor_id)))


def feasible(problem: Problem, soft: Sequence[Constraint | WholeLines], terms: Sequence[Constraint], *,
             time_limit: float) -> bool | None:
    """Whether some plan meets `soft` (and the model's terms); None when the time limit decided nothing."""
    partial = not any(isinstance(c, WholeLines) for c in soft)
    deadline = time.perf_counter() + time_limit
    model = build(problem, [*terms, *soft], partial=partial, with_cost=False)
    run = _run(model, deadline)
    if run.ending is Ending.INFEASIBLE:
        return False
    return True if run.found else None


def conflicting(problem: Problem, constraints: Sequence[Constraint], *,
                time_limit: float = DEFAULT_TIME_LIMIT) -> tuple[list[Constraint | WholeLines], int, bool]:
    """A set of the buyer's restrictions that cannot all hold, found by the deletion filter (drop each in turn; keep
    it out if what is left still has no plan); how many solves it took; and whether the set is minimal (dropping
    any one of its members leaves a plan). The search shares one budget of `time_limit` seconds: when it runs out,
    the constraints not yet tried stay in the set, which still conflicts but may not be minimal. "Each line whole
    from one vendor" counts as a restriction when partial quantities are not allowed."""
    deadline = time.perf_counter() + time_limit
    terms = [c for c in constraints if c not in restrictions(constraints)]
    soft: list[Constraint | WholeLines] = list(dict.fromkeys(restrictions(constraints)))
    if not is_partial(constraints):
        soft.append(WholeLines())
    tries, minimal = 0, True
    for candidate in list(soft):
        left = deadline - time.perf_counter()
        if left <= 0.01:
            minimal = False
            break
        trial = [c for c in soft if c is not candidate]
        tries += 1
        answer = feasible(problem, trial, terms, time_limit=left)
        if answer is False:
            soft = trial  # no plan without it either: not needed for the conflict
        elif answer is None:
            minimal = False  # undecided in time: kept, to stay on the safe side
    return soft, tries, minimal
