"""A good first plan for the solver to start from (its incumbent), found by local search over which vendors win:
each group of lines (a line, or a bundle) goes to the cheapest winning vendor that can take it whole. Plain numbers
in, a choice out; the solver checks the plan exactly before handing it to HiGHS, which still proves the optimum (or
reports its gap): this only makes the first good plan arrive sooner. Its floats are search scores over numpy
arrays, never money shown or stored: the plan it picks is totalled in Decimal (model.plan_total)."""

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


# --- repair: a plan that meets the side constraints too ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    """"At least / at most a fraction of the value (in a scope) to a vendor" as a sum over the groups: group g from
    vendor u adds `weight[g, u]` (its value in the scope, times [u is the vendor] minus the fraction); the sum must
    be >= 0 (at least) or <= 0 (at most). `base` is what the fixed part of the plan adds."""

    at_least: bool
    weight: np.ndarray
    base: float = 0.0


@dataclass(frozen=True, slots=True)
class Side:
    """The side constraints over an assignment of groups to vendors, as arrays: group g's units (the same from any
    vendor) and its value from vendor v; each vendor's capacity (inf when none); the minimum award value (0 when
    none); the value shares; and what the fixed part of the plan (lines split beforehand) gives each vendor."""

    units: np.ndarray  # (G,)
    value: np.ndarray  # (G, V)
    capacity: np.ndarray  # (V,)
    min_award: float = 0.0
    shares: tuple[Share, ...] = ()
    base_units: np.ndarray | None = None  # (V,)
    base_value: np.ndarray | None = None  # (V,)
    base_used: np.ndarray | None = None  # (V,) bool


def repair(cost: np.ndarray, fixed: np.ndarray, side: Side, start: np.ndarray, *, at_most: int | None = None,
           at_least: int = 0, required: frozenset[int] = frozenset(), deadline: float | None = None,
           ) -> np.ndarray | None:
    """An assignment of every group to a vendor (`cost[g, v]` finite) that meets the side constraints, vendor counts
    and required vendors, found from `start` by moving one group at a time: while some constraint is broken, the move
    that mends most of it (each broken constraint weighed by the fraction it misses by, a vendor too many or too few
    as 1, times its weight), cheaper moves first among equals; when no move mends anything and there are too many
    winners, one winner's groups all go to the others; when no move mends anything otherwise, the weights of the
    constraints still broken double (the breakout method: a move that breaks a little of one to mend more of
    another becomes worth it); once every constraint holds, the move that saves most while they hold. None when
    the deadline passes first, or the weights stop moving anything. Plain floats: the caller checks the plan
    exactly."""
    groups, vendors = cost.shape
    allowed = np.isfinite(cost)
    if groups == 0 or not allowed.any(axis=1).all():
        return None
    zeros = np.zeros(vendors)
    base_units = side.base_units if side.base_units is not None else zeros
    base_value = side.base_value if side.base_value is not None else zeros
    base_used = side.base_used if side.base_used is not None else np.zeros(vendors, dtype=bool)
    capped = np.isfinite(side.capacity)
    capacity = np.where(capped, side.capacity, 0.0)
    cap_scale = np.where(capped, np.maximum(capacity, 1.0), 1.0)
    needed = np.zeros(vendors, dtype=bool)
    needed[sorted(required)] = True
    most = at_most if at_most is not None else vendors
    rows = np.arange(groups)
    units = side.units.astype(float)[:, None]
    value = np.where(allowed, side.value, 0.0)
    safe_cost = np.where(allowed, cost, 0.0)
    cost_scale = max(1.0, float(np.abs(safe_cost).max(axis=1).sum()))
    share_scale = [max(1.0, float(np.abs(s.weight).max(axis=1).sum())) for s in side.shares]
    minimum = side.min_award
    # the breakout weights: per vendor for its capacity, minimum award and being required; per vendor count; per share
    w_cap, w_min, w_need = np.ones(vendors), np.ones(vendors), np.ones(vendors)
    w_count, w_share = 1.0, np.ones(len(side.shares))

    def over(load: np.ndarray) -> np.ndarray:  # each capped vendor's excess, as a fraction of its capacity
        return np.where(capped, np.maximum(0.0, load - capacity), 0.0) / cap_scale

    def short(worth: np.ndarray, winner: np.ndarray) -> np.ndarray:  # each winner's shortfall under the minimum
        return np.where(winner, np.maximum(0.0, minimum - worth), 0.0) / minimum if minimum > 0 else 0.0 * worth

    def count_term(winners: np.ndarray) -> np.ndarray:
        return np.maximum(0, winners - most) + np.maximum(0, at_least - winners)

    def share_term(total: np.ndarray | float, at_least: bool, scale: float) -> np.ndarray:
        return np.maximum(0.0, -np.asarray(total) if at_least else np.asarray(total)) / scale

    a = start.astype(np.int64).copy()
    cheapest = np.argmin(np.where(allowed, cost, np.inf), axis=1)
    a = np.where(allowed[rows, a], a, cheapest)
    def measure(a: np.ndarray) -> tuple:  # type: ignore[type-arg]
        n = np.bincount(a, minlength=vendors)
        winner = (n > 0) | base_used
        load = base_units + np.bincount(a, weights=units[:, 0], minlength=vendors)
        worth = base_value + np.bincount(a, weights=value[rows, a], minlength=vendors)
        totals = [s.base + float(s.weight[rows, a].sum()) for s in side.shares]
        winners = int(winner.sum())
        parts = (over(load), short(worth, winner), float(count_term(np.array(winners))), needed & ~winner,
                 np.array([float(share_term(t, s.at_least, sc)) for t, s, sc in zip(totals, side.shares, share_scale,
                                                                                     strict=True)]))
        return n, winner, load, worth, totals, winners, parts, sum(float(np.sum(part)) for part in parts)

    def closed(a: np.ndarray, winner: np.ndarray, broken: float) -> np.ndarray | None:
        """Too many winners, and no single move leaves one with nothing: the best of "every group of one winner to
        the cheapest other winner that can take it", when it mends something."""
        best, found = broken, None
        for v in np.flatnonzero(winner & ~base_used & ~needed):
            others = winner & ~base_used
            others[v] = False
            mine = np.flatnonzero(a == v)
            options = np.where(allowed[mine][:, others], cost[mine][:, others], np.inf)
            if not np.isfinite(options.min(axis=1, initial=np.inf)).all():
                continue  # some group of it no other winner can take
            moved = a.copy()
            moved[mine] = np.flatnonzero(others)[np.argmin(options, axis=1)]
            after = measure(moved)[-1]
            if after < best - 1e-12:
                best, found = after, moved
        return found

    for _ in range(100_000):
        n, winner, load, worth, totals, winners, parts, broken = measure(a)
        if deadline is not None and time.perf_counter() > deadline:
            break
        # every move "group g from its vendor a to vendor b" at once, as (G, V) arrays of the weighted change
        loses = ((n[a] == 1) & ~base_used[a])[:, None]  # a wins nothing after the move
        gains = np.broadcast_to(((n == 0) & ~base_used)[None, :], (groups, vendors))  # b wins its first group
        delta = np.zeros((groups, vendors))
        if capped.any():
            out_a = np.where(capped[a], np.maximum(0.0, load[a] - units[:, 0] - capacity[a]), 0.0) / cap_scale[a]
            delta += (w_cap[a] * (out_a - parts[0][a]))[:, None]
            delta += w_cap[None, :] * (np.where(capped[None, :], np.maximum(0.0, load[None, :] + units
                                                                             - capacity[None, :]), 0.0)
                                       / cap_scale[None, :] - parts[0][None, :])
        if minimum > 0:
            after_a = np.where(loses[:, 0], 0.0, np.maximum(0.0, minimum - (worth[a] - value[rows, a]))) / minimum
            delta += (w_min[a] * (after_a - parts[1][a]))[:, None]
            delta += w_min[None, :] * (np.maximum(0.0, minimum - (worth[None, :] + value)) / minimum
                                       - parts[1][None, :])
        moved = winners - loses.astype(np.int64) + gains.astype(np.int64)
        delta += w_count * (count_term(moved) - parts[2])
        delta += loses * (w_need * needed)[a][:, None] - gains * (w_need * needed)[None, :]
        for j, (t, s, sc) in enumerate(zip(totals, side.shares, share_scale, strict=True)):
            changed = t + s.weight - s.weight[rows, a][:, None]
            delta += w_share[j] * (share_term(changed, s.at_least, sc) - parts[4][j])
        saving = safe_cost - safe_cost[rows, a][:, None] + gains * fixed[None, :] - loses * fixed[a][:, None]
        forbidden = ~allowed
        forbidden[rows, a] = True
        if broken > 1e-12:
            key = np.where(forbidden | (delta > -1e-12), np.inf, delta + 1e-6 * saving / cost_scale)
        else:
            key = np.where(forbidden | (delta > 1e-12) | (saving > -1e-9), np.inf, saving)
        best = int(np.argmin(key))
        if np.isfinite(key.flat[best]):
            g, b = divmod(best, vendors)
            a[g] = b
        elif broken <= 1e-12:
            return a
        elif winners > most and (merged := closed(a, winner, broken)) is not None:
            a = merged
        else:  # stuck: what is still broken weighs twice as much
            w_cap[parts[0] > 0] *= 2
            w_min[np.asarray(parts[1]) > 0] *= 2
            w_count *= 2 if parts[2] > 0 else 1
            w_need[parts[3]] *= 2
            w_share[parts[4] > 0] *= 2
            if max(w_cap.max(), w_min.max(), w_need.max(), w_count, w_share.max(initial=1.0)) > 1e12:
                break
    return a if broken <= 1e-12 else None
