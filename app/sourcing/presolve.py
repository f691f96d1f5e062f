"""Which offers an award scenario's model needs: only those some plan meeting the constraints can use. Exact
reductions over plain values (no solver): an offer is left out only when no feasible plan can contain it, so the
optimum of the smaller model is the optimum of the whole."""

from __future__ import annotations

import functools
import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence

from app.sourcing.model import (
    Bound,
    Constraint,
    ExcludeVendor,
    MaxLeadTime,
    Offer,
    RequireVendor,
    VendorCount,
    WholeLines,
)


def is_open(offer: Offer, constraints: Sequence[Constraint | WholeLines], targets: dict[int, int],
            partial: bool) -> bool:
    """The offer may be awarded at all: its line is offered, its vendor not excluded, its lead time allowed, and
    (lines going whole) it offered the whole quantity."""
    return opening(constraints, targets, partial)(offer)


def opening(constraints: Sequence[Constraint | WholeLines], targets: dict[int, int],
            partial: bool) -> Callable[[Offer], bool]:
    """`is_open` as a test of one offer, the constraints read once (a model holds thousands of offers)."""
    excluded = {c.vendor_id for c in constraints if isinstance(c, ExcludeVendor)}
    latest = min((c.days for c in constraints if isinstance(c, MaxLeadTime)), default=None)

    def test(offer: Offer) -> bool:
        return (offer.line_id in targets and offer.vendor_id not in excluded
                and (latest is None or offer.lead_time_days <= latest)
                and (partial or offer.quantity >= targets[offer.line_id]))

    return test


def usable_offers(offers: Sequence[Offer], constraints: Sequence[Constraint | WholeLines],
                  targets: dict[int, int], partial: bool) -> list[Offer]:
    """The open offers of the vendors that can be among the winners. With at most N winners of which R are
    required, the other vendors share k = N - |R| places: with k = 0 only the required ones can win; with k = 1 a
    vendor can only if it fills, alone, every line the required ones leave; with k = 2 and whole lines, only if some
    other vendor fills the rest with it. (A line is "filled alone" by an open offer of its whole target quantity;
    with split lines only k = 0, or k = 1 without required vendors, is decided so.)
    Every other offer stays: the reduction never decides between plans, it only removes impossible ones."""
    kept = list(filter(opening(constraints, targets, partial), offers))
    most = min((c.count for c in constraints if isinstance(c, VendorCount) and c.bound is Bound.AT_MOST),
               default=None)
    if most is None:
        return kept
    required = {c.vendor_id for c in constraints if isinstance(c, RequireVendor)}
    places = most - len(required)
    if places < 0 or places > 2 or (partial and places > 0 and (required or places > 1)):
        # infeasible (the solver says why), too many places to rule anyone out cheaply, or split lines that
        # several winners may fill together
        return kept
    fills: dict[int, int] = defaultdict(int)  # vendor -> bit set of the lines it fills alone
    bit = {line_id: 1 << i for i, line_id in enumerate(sorted(targets))}
    for o in kept:
        if o.quantity >= targets[o.line_id]:
            fills[o.vendor_id] |= bit[o.line_id]
    everything = sum(bit.values())
    left = everything & ~functools.reduce(operator.or_, (fills.get(v, 0) for v in required), 0)
    others = sorted({o.vendor_id for o in kept} - required)
    winners = set(required)
    if places == 1:
        winners |= {v for v in others if left & ~fills[v] == 0}
    elif places == 2:
        winners |= {v for v in others if left & ~fills[v] == 0}
        for v, w in itertools.combinations(others, 2):
            if left & ~(fills[v] | fills[w]) == 0:
                winners |= {v, w}
    return [o for o in kept if o.vendor_id in winners]

