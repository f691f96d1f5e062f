"""A good first plan for the solver to start from (its incumbent), found by local search over which vendors win:
each group of lines (a line, or a bundle) goes to the cheapest winning vendor that can take it whole. Plain numbers
in, a choice out; the solver checks the plan exactly before handing it to HiGHS, which still proves the optimum (or
reports its gap): this only makes the first good plan arrive sooner."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Choice:
    vendors: tuple[int, ...]  # the winning vendors' columns in the cost matrix
    assigned: tuple[int, ...]  # per group, the column of the vendor it goes to
    cost: float


def local_search(cost: np.ndarray, fixed: np.ndarray, *, at_most: int | None = None, at_least: int = 0,
                 required: frozenset[int] = frozenset(), deadline: float | None = None) -> Choice | None:
    """The cheapest set of winners found by dropping vendors one at a time (the one whose loss costs least, while
    more than `at_most` win or a drop saves money), then swapping a winner for another vendor while that saves;
    `cost[g, v]` is group g's cost from vendor v (inf where v cannot take it), `fixed[v]` the vendor's cost per award.
    None when no set of at most `at_most` winners found covers every group, or `at_least` is not reached."""
    groups, vendors = cost.shape
    if groups == 0:
        return None
    chosen = {v for v in range(vendors) if np.isfinite(cost[:, v]).any()} | set(required)
    limit = at_most if at_most is not None else vendors

    def total(winners: set[int]) -> float:
        if not winners:
            return float("inf")
        best = cost[:, sorted(winners)].min(axis=1)
        return float(best.sum() + fixed[sorted(winners)].sum())

    def late() -> bool:
        return deadline is not None and time.perf_counter() > deadline

    current = total(chosen)
    if not np.isfinite(current):
        return None
    while len(chosen) > at_least and not late():  # drop
        options = [(total(chosen - {v}), v) for v in sorted(chosen - required)]
        if not options:
            break
        value, v = min(options)
        if not np.isfinite(value) or (len(chosen) <= limit and value >= current):
            break
        chosen.discard(v)
        current = value
    if len(chosen) > limit:
        return None
    improved = True
    while improved and not late():  # swap one winner for one other vendor, or add one while there is room
        improved = False
        outside = [w for w in range(vendors) if w not in chosen and np.isfinite(cost[:, w]).any()]
        moves = [chosen - {v} | {w} for v in sorted(chosen - required) for w in outside]
        if len(chosen) < limit:
            moves += [chosen | {w} for w in outside]
        for move in moves:
            if len(move) < at_least:
                continue
            value = total(move)
            if value < current - 1e-9:
                chosen, current, improved = move, value, True
                break
            if late():
                break
    winners = sorted(chosen)
    assigned = tuple(int(winners[i]) for i in cost[:, winners].argmin(axis=1))
    used = tuple(sorted(set(assigned)))
    if len(used) < at_least or not required <= set(used):
        return None
    return Choice(vendors=used, assigned=assigned, cost=float(cost[np.arange(groups), assigned].sum()
                                                             + fixed[list(used)].sum()))
