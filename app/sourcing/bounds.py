"""Lower bounds on the cost of any plan of an award scenario, from plain arrays (no solver): what the reported gap of
a plan found under the time limit is measured against. Each bound drops constraints (never adds one), so it is a
bound on every plan that meets them all."""

from __future__ import annotations

import time

import numpy as np


def vendor_choice_bound(price: np.ndarray, cap: np.ndarray, line: np.ndarray, vendor: np.ndarray, target: np.ndarray,
                        fixed: np.ndarray, aim: float, *, at_most: int | None = None, at_least: int = 0,
                        required: frozenset[int] = frozenset(), capacity: np.ndarray | None = None,
                        rounds: int = 200,
                        deadline: float | None = None) -> float:
    """The Lagrangian bound of "fill each line i with `target[i]` units from offers k (`price[k]` per unit, at most
    `cap[k]` units, from `vendor[k]`, which wins — at `fixed[v]` — only if it supplies something), with at most /
    at least so many winners and the `required` ones among them": the filling of the lines is priced at `mu[i]` per
    unit instead of enforced, so each vendor is worth opening alone (its offers cheaper than mu, less its fixed cost)
    and the best winners are a choice by count; a vendor's `capacity[v]` (units over all its offers, inf when none)
    caps what it supplies, its offers cheapest below mu first; `mu` follows the subgradient (Polyak steps towards
    `aim`, the cost of a plan known) for `rounds` rounds.
    Every value of it is a lower bound (weak duality); the best one is returned, -inf when the counts admit no
    choice of winners or no round was run by the `deadline`."""
    vendors = len(fixed)
    most = vendors if at_most is None else at_most
    forced = np.zeros(vendors, dtype=bool)
    forced[sorted(required)] = True
    if len(required) > most or at_least > vendors or len(target) == 0:
        return -np.inf
    capped = [] if capacity is None else [int(v) for v in np.flatnonzero(np.isfinite(capacity))]
    offers_of = {v: np.flatnonzero(vendor == v) for v in capped}
    # start at each line's marginal price when every offer is open: the bound is then the cheapest filling at least
    order = np.lexsort((price, line))
    filled = np.zeros(len(target))
    mu = np.zeros(len(target))
    for k in order:
        i = line[k]
        if filled[i] < target[i]:
            filled[i] += cap[k]
            mu[i] = price[k]
    best, theta, stale = -np.inf, 2.0, 0
    for _ in range(rounds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        reduced = price - mu[line]
        supply = np.where(reduced < 0, cap, 0.0)
        for v in capped:
            mine = offers_of[v][reduced[offers_of[v]] < 0]
            mine = mine[np.argsort(reduced[mine], kind="stable")]
            before = np.cumsum(cap[mine]) - cap[mine]
            supply[mine] = np.clip(capacity[v] - before, 0.0, cap[mine])
        worth = fixed + np.bincount(vendor, weights=reduced * supply, minlength=vendors)
        chosen = forced.copy()
        others = np.flatnonzero(~forced)
        ranked = others[np.argsort(worth[others], kind="stable")]
        places = most - int(forced.sum())
        least = max(0, at_least - int(forced.sum()))
        take = ranked[:places]
        take = take[(worth[take] < 0) | (np.arange(len(take)) < least)]
        chosen[take] = True
        value = float(mu @ target + worth[chosen].sum())
        if value > best + 1e-9 * abs(best if np.isfinite(best) else 1.0):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= 5:
                theta, stale = theta / 2, 0
        supplied = np.bincount(line, weights=supply * chosen[vendor], minlength=len(target))
        step_dir = target - supplied
        norm = float(step_dir @ step_dir)
        if norm == 0:
            break  # mu prices a plan that fills every line: the bound is reached
        if value >= aim:
            break  # the plan known is as cheap as the bound: nothing left to prove
        mu = mu + theta * (aim - value) / norm * step_dir
    return best
