"""An award scenario as plain values: the problem (lines, offers, vendors), the constraints a buyer may set, the
presets, the plan a solver returns, and the exact check of a plan against them all (no I/O, no solver)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Line:
    line_id: int
    position: int  # the line's number as people name it
    quantity: int  # asked
    target_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """One vendor's price for one line (its latest revision)."""

    line_id: int
    vendor_id: int
    unit_price: Decimal
    quantity: int  # offered, at most the quantity asked
    lead_time_days: int
    offer_id: int = 0
    revision_number: int = 0
    # The offer's weighted score on this line under the RFQ's weights, 0 to 1 (app/sourcing/scoring.py); read only
    # by the "best weighted score per line" preset.
    score: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Vendor:
    vendor_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Problem:
    lines: tuple[Line, ...]
    vendors: tuple[Vendor, ...]
    offers: tuple[Offer, ...]

    def vendor_name(self, vendor_id: int) -> str:
        return next((v.name for v in self.vendors if v.vendor_id == vendor_id), f"vendor {vendor_id}")

    def line_position(self, line_id: int) -> int:
        return next((line.position for line in self.lines if line.line_id == line_id), line_id)


# --- constraints, each in the buyer's words through `describe` ---------------------------------------------------


class Bound(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


@dataclass(frozen=True, slots=True)
class VendorCount:
    """At least / at most N vendors win something."""

    bound: Bound
    count: int


@dataclass(frozen=True, slots=True)
class ExcludeVendor:
    vendor_id: int


@dataclass(frozen=True, slots=True)
class RequireVendor:
    """The vendor wins at least one line."""

    vendor_id: int


@dataclass(frozen=True, slots=True)
class ValueShare:
    """At least / at most `percent` % of the awarded value (of `line_ids` only, when given) goes to the vendor."""

    vendor_id: int
    bound: Bound
    percent: Decimal
    line_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Capacity:
    """A total cap the vendor states: at most `units` units over all the lines it wins."""

    vendor_id: int
    units: int


@dataclass(frozen=True, slots=True)
class Bundle:
    """These lines go to one and the same vendor."""

    line_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MinAwardValue:
    """Every vendor that wins something wins at least this value."""

    amount: Decimal


@dataclass(frozen=True, slots=True)
class FixedCost:
    """Added to the total once when the vendor wins anything (delivery, set-up): a cost, not a restriction."""

    vendor_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MaxLeadTime:
    days: int


@dataclass(frozen=True, slots=True)
class AllowPartial:
    """A line may be split between vendors, each up to the quantity it offered, filled as far as the offers go.
    Without it each line goes whole (the quantity asked) to one vendor that offered all of it."""


@dataclass(frozen=True, slots=True)
class WholeLines:
    """The rule in force without `AllowPartial`; named only so an infeasibility can blame it."""


Constraint = (VendorCount | ExcludeVendor | RequireVendor | ValueShare | Capacity | Bundle | MinAwardValue
              | FixedCost | MaxLeadTime | AllowPartial)
# Kinds that shape the cost or the model rather than restrict it: left in place when measuring "the cost of the
# constraints" and never blamed for an infeasibility.
TERMS = (FixedCost, AllowPartial)


class Preset(StrEnum):
    CHERRY_PICK = "cherry_pick"  # lowest price per line
    SINGLE_VENDOR = "single_vendor"  # lowest total from one vendor
    WEIGHTED_SCORE = "weighted_score"  # best weighted score per line (the buyer's weights)


PRESET_LABELS = {
    Preset.CHERRY_PICK: "Lowest price per line (cherry-pick)",
    Preset.SINGLE_VENDOR: "Lowest total from one vendor",
    Preset.WEIGHTED_SCORE: "Best weighted score per line (the RFQ's scoring weights)",
}


class Objective(StrEnum):
    COST = "cost"  # the cheapest plan (goods plus fixed costs)
    SCORE = "score"  # the plan with the highest weighted score (each line's score, by the share of it awarded)


def objective_of(preset: Preset) -> Objective:
    return Objective.SCORE if preset is Preset.WEIGHTED_SCORE else Objective.COST


def preset_constraints(preset: Preset) -> tuple[Constraint, ...]:
    if preset is Preset.SINGLE_VENDOR:
        return (VendorCount(Bound.AT_MOST, 1),)
    return ()


def is_partial(constraints: Sequence[Constraint | WholeLines]) -> bool:
    return any(isinstance(c, AllowPartial) for c in constraints)


def restrictions(constraints: Sequence[Constraint]) -> tuple[Constraint, ...]:
    return tuple(c for c in constraints if not isinstance(c, TERMS))


def terms(constraints: Sequence[Constraint]) -> tuple[Constraint, ...]:
    return tuple(c for c in constraints if isinstance(c, TERMS))


def describe(constraint: Constraint | WholeLines, problem: Problem) -> str:
    """The constraint as the buyer would say it."""
    name = problem.vendor_name
    match constraint:
        case VendorCount(bound, count):
            return f"{'at least' if bound is Bound.AT_LEAST else 'at most'} {count} vendor{'s' * (count != 1)}"
        case ExcludeVendor(vendor_id):
            return f"{name(vendor_id)} excluded"
        case RequireVendor(vendor_id):
            return f"{name(vendor_id)} required"
        case ValueShare(vendor_id, bound, percent, line_ids):
            of = f"of lines {_positions(line_ids, problem)}" if line_ids else "of the value"
            return f"{'at least' if bound is Bound.AT_LEAST else 'at most'} {percent} % {of} to {name(vendor_id)}"
        case Capacity(vendor_id, units):
            return f"{name(vendor_id)} can supply at most {units} units in all"
        case Bundle(line_ids):
            return f"lines {_positions(line_ids, problem)} to the same vendor"
        case MinAwardValue(amount):
            return f"each vendor awarded at least {amount}"
        case FixedCost(vendor_id, amount):
            return f"{name(vendor_id)} costs {amount} per award"
        case MaxLeadTime(days):
            return f"lead time at most {days} days"
        case AllowPartial():
            return "partial quantities allowed"
        case WholeLines():
            return "each line whole from one vendor (partial quantities not allowed)"
    raise TypeError(constraint)


def _positions(line_ids: Sequence[int], problem: Problem) -> str:
    return ", ".join(str(p) for p in sorted(problem.line_position(i) for i in line_ids))


# --- the answer ----------------------------------------------------------------------------------------------------


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven optimal
    BEST_FOUND = "best_found"  # the time limit cut the search: the best plan found, with its gap
    INFEASIBLE = "infeasible"  # no plan meets every constraint: `conflicts` says which ones clash
    NO_PLAN = "no_plan"  # the time limit passed before any plan was found

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.BEST_FOUND)


@dataclass(frozen=True, slots=True)
class Allocation:
    line_id: int
    vendor_id: int
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    allocations: tuple[Allocation, ...] = ()
    total: Decimal | None = None  # goods plus fixed costs, exact
    gap: float | None = None  # relative MIP gap; 0 when proven optimal
    seconds: float = 0.0
    conflicts: tuple[str, ...] = ()  # the constraints that cannot hold together, in the buyer's words
    unoffered: tuple[int, ...] = ()  # line ids nobody offered: left out of every plan
    relaxations: int = 0  # how many solves the conflict search took
    conflict_minimal: bool = True  # False when the search ran out of time: `conflicts` still clash, maybe not all

    @property
    def vendors_used(self) -> tuple[int, ...]:
        return tuple(sorted({a.vendor_id for a in self.allocations}))


def offer_index(problem: Problem) -> dict[tuple[int, int], Offer]:
    return {(o.line_id, o.vendor_id): o for o in problem.offers}


def line_targets(problem: Problem, partial: bool) -> dict[int, int]:
    """The quantity each offered line must get: the asked quantity when lines go whole; with partial quantities,
    as much as the offers together reach, up to the quantity asked."""
    asked = _asked(problem)
    offered: dict[int, int] = defaultdict(int)
    for o in problem.offers:
        offered[o.line_id] += min(o.quantity, asked[o.line_id])
    return {
        line.line_id: (min(line.quantity, offered[line.line_id]) if partial else line.quantity)
        for line in problem.lines if offered.get(line.line_id)
    }


def _asked(problem: Problem) -> dict[int, int]:
    return {line.line_id: line.quantity for line in problem.lines}


def plan_score(problem: Problem, allocations: Sequence[Allocation], partial: bool) -> Decimal:
    """The plan's weighted score, exactly: per allocation its offer's line score times the share of the line it
    gets (a whole line counts its score once)."""
    offers = offer_index(problem)
    targets = line_targets(problem, partial)
    return sum((offers[(a.line_id, a.vendor_id)].score * a.quantity / targets[a.line_id] for a in allocations
                if (a.line_id, a.vendor_id) in offers and targets.get(a.line_id)), Decimal(0))


def goods_value(allocations: Sequence[Allocation]) -> Decimal:
    return sum((a.unit_price * a.quantity for a in allocations), Decimal(0))


def plan_total(allocations: Sequence[Allocation], constraints: Sequence[Constraint]) -> Decimal:
    winners = {a.vendor_id for a in allocations}
    fixed = sum((c.amount for c in constraints if isinstance(c, FixedCost) and c.vendor_id in winners), Decimal(0))
    return goods_value(allocations) + fixed


def violations(problem: Problem, constraints: Sequence[Constraint], allocations: Sequence[Allocation]) -> list[str]:
    """What the plan breaks, exactly (Decimal arithmetic), in the buyer's words; empty when it holds. Independent of
    any solver: the tests' brute force and the solver's read-back both use it."""
    broken: list[str] = []
    offers = offer_index(problem)
    partial = is_partial(constraints)
    targets = line_targets(problem, partial)
    given: dict[int, int] = defaultdict(int)
    vendors_of_line: dict[int, set[int]] = defaultdict(set)
    value_of: dict[int, Decimal] = defaultdict(Decimal)
    units_of: dict[int, int] = defaultdict(int)
    for a in allocations:
        offer = offers.get((a.line_id, a.vendor_id))
        if offer is None or offer.unit_price != a.unit_price or a.quantity <= 0 or a.quantity > offer.quantity:
            broken.append(f"line {problem.line_position(a.line_id)}: not what {problem.vendor_name(a.vendor_id)} "
                          "offered")
            continue
        given[a.line_id] += a.quantity
        vendors_of_line[a.line_id].add(a.vendor_id)
        value_of[a.vendor_id] += a.unit_price * a.quantity
        units_of[a.vendor_id] += a.quantity
    for line_id, target in targets.items():
        if given[line_id] != target:
            broken.append(f"line {problem.line_position(line_id)}: {given[line_id]} of {target} units")
        if not partial and len(vendors_of_line[line_id]) > 1:
            broken.append(describe(WholeLines(), problem))
    winners = set(value_of)
    for c in constraints:
        ok = True
        match c:
            case VendorCount(bound, count):
                ok = len(winners) >= count if bound is Bound.AT_LEAST else len(winners) <= count
            case ExcludeVendor(vendor_id):
                ok = vendor_id not in winners
            case RequireVendor(vendor_id):
                ok = vendor_id in winners
            case ValueShare(vendor_id, bound, percent, line_ids):
                scope = set(line_ids) if line_ids else None
                mine = sum((a.unit_price * a.quantity for a in allocations
                            if a.vendor_id == vendor_id and (scope is None or a.line_id in scope)), Decimal(0))
                whole = sum((a.unit_price * a.quantity for a in allocations
                             if scope is None or a.line_id in scope), Decimal(0))
                share = percent / 100 * whole
                ok = mine >= share if bound is Bound.AT_LEAST else mine <= share
            case Capacity(vendor_id, units):
                ok = units_of[vendor_id] <= units
            case Bundle(line_ids):
                together = set().union(*(vendors_of_line[i] for i in line_ids)) if line_ids else set()
                ok = len(together) <= 1 and all(len(vendors_of_line[i]) == 1 for i in line_ids if i in targets)
            case MinAwardValue(amount):
                ok = all(value >= amount for value in value_of.values())
            case MaxLeadTime(days):
                ok = all(offers[(a.line_id, a.vendor_id)].lead_time_days <= days for a in allocations
                         if (a.line_id, a.vendor_id) in offers)
        if not ok:
            broken.append(describe(c, problem))
    return broken


@dataclass(frozen=True, slots=True)
class Scenario:
    """What the buyer asked: a preset and constraints on top."""

    preset: Preset
    constraints: tuple[Constraint, ...] = field(default_factory=tuple)

    def all_constraints(self) -> tuple[Constraint, ...]:
        return preset_constraints(self.preset) + self.constraints


def lines_per_vendor(allocations: Sequence[Allocation]) -> dict[int, int]:
    counts: dict[int, set[int]] = defaultdict(set)
    for a in allocations:
        counts[a.vendor_id].add(a.line_id)
    return {vendor: len(lines) for vendor, lines in sorted(counts.items())}


def average_lead_time(problem: Problem, allocations: Sequence[Allocation]) -> Decimal | None:
    """Averaged over the awarded (line, vendor) pairs."""
    offers = offer_index(problem)
    days = [offers[(a.line_id, a.vendor_id)].lead_time_days for a in allocations]
    return (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")) if days else None


def target_savings(problem: Problem, allocations: Sequence[Allocation]) -> Decimal | None:
    """Against the target prices, over the awarded lines that have one; None when none has."""
    targets: Mapping[int, Decimal | None] = {line.line_id: line.target_price for line in problem.lines}
    pairs = [(targets[a.line_id], a) for a in allocations if targets.get(a.line_id) is not None]
    if not pairs:
        return None
    return sum(((t - a.unit_price) * a.quantity for t, a in pairs if t is not None), Decimal(0))
