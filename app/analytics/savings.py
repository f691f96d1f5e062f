"""Savings arithmetic over plain values: each baseline compared with what was awarded, rolled up per group and per
currency. Pure: Decimal in, Decimal out, no I/O (app/analytics/facts.py loads the sums).

A baseline is compared only on the lines that have one (a line without a target price says nothing about the target),
so each comparison carries the awarded value of the same lines beside the baseline's. Amounts in different currencies
are never added: every figure belongs to one currency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

_PERCENT = Decimal("0.1")


class Baseline(StrEnum):
    """What an award is compared with."""

    TARGET = "target"  # the buyer's target unit price on the line
    LAST_CONTRACT = "last_contract"  # the price of the buyer's previous award of the same product, same currency
    MEDIAN_FIRST_OFFER = "median_first_offer"  # the median of every vendor's first offer on the line
    FIRST_OFFER = "first_offer"  # the awarded vendor's own first offer: what negotiation gained


BASELINE_LABELS = {
    Baseline.TARGET: "against target prices",
    Baseline.LAST_CONTRACT: "against the last contract price",
    Baseline.MEDIAN_FIRST_OFFER: "against the median first offer",
    Baseline.FIRST_OFFER: "negotiation gain (first offer to final)",
}


@dataclass(frozen=True, slots=True)
class Comparison:
    """A baseline's value and the awarded value of the same lines."""

    baseline: Decimal = Decimal(0)
    awarded: Decimal = Decimal(0)
    lines: int = 0

    @property
    def saving(self) -> Decimal:
        """Positive when the award is below the baseline."""
        return self.baseline - self.awarded

    @property
    def percent(self) -> Decimal | None:
        """The saving as a percentage of the baseline, to one decimal; None without a baseline."""
        return percent_of(self.saving, self.baseline)

    def __add__(self, other: Comparison) -> Comparison:
        return Comparison(self.baseline + other.baseline, self.awarded + other.awarded, self.lines + other.lines)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One awarded line as plain values: unit prices in the award's currency, None where a baseline is missing."""

    quantity: int
    unit_price: Decimal
    target: Decimal | None = None
    last_contract: Decimal | None = None
    first_offers: Sequence[Decimal] = ()  # every vendor's first unit price on the line
    own_first_offer: Decimal | None = None  # the awarded vendor's first unit price on the line
    consumed_quantity: int = 0  # ordered so far at the contract's price


@dataclass(frozen=True, slots=True)
class Figures:
    """What one group (a category, a vendor, a month, the whole) awarded and saved, in one currency."""

    currency: str
    lines: int = 0
    awarded: Decimal = Decimal(0)
    consumed: Decimal = Decimal(0)
    comparisons: dict[Baseline, Comparison] = field(default_factory=dict)

    def against(self, baseline: Baseline) -> Comparison:
        return self.comparisons.get(baseline, Comparison())

    @property
    def consumed_percent(self) -> Decimal | None:
        """How much of the awarded value orders have taken so far."""
        return percent_of(self.consumed, self.awarded)

    def __add__(self, other: Figures) -> Figures:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} figures to {self.currency} figures")
        return Figures(
            self.currency, self.lines + other.lines, self.awarded + other.awarded, self.consumed + other.consumed,
            {b: self.against(b) + other.against(b) for b in Baseline},
        )


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(_PERCENT, rounding=ROUND_HALF_UP)


def median(values: Iterable[Decimal]) -> Decimal | None:
    """The middle value, or the mean of the two middle ones; None of nothing."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def line_figures(line: LineFacts, currency: str) -> Figures:
    """One awarded line's figures: each baseline it has, times the awarded quantity."""
    awarded = line.unit_price * line.quantity
    baselines = {
        Baseline.TARGET: line.target,
        Baseline.LAST_CONTRACT: line.last_contract,
        Baseline.MEDIAN_FIRST_OFFER: median(line.first_offers),
        Baseline.FIRST_OFFER: line.own_first_offer,
    }
    comparisons = {
        b: Comparison(price * line.quantity, awarded, 1) for b, price in baselines.items() if price is not None
    }
    return Figures(currency, 1, awarded, line.unit_price * line.consumed_quantity, comparisons)


def roll_up(
    rows: Iterable[tuple[str, Figures]], key: Callable[[str], str] = lambda k: k
) -> dict[tuple[str, str], Figures]:
    """Figures summed per (group, currency): `rows` are (group, figures); `key` maps a group to a coarser one.

    Never adds one currency to another: the same group in two currencies stays two entries."""
    totals: dict[tuple[str, str], Figures] = {}
    for group, figures in rows:
        slot = (key(group), figures.currency)
        totals[slot] = totals[slot] + figures if slot in totals else replace(figures)
    return totals


def premium_percent(offered: Decimal, best: Decimal) -> Decimal | None:
    """How far a vendor's offers were above the best offer on the same lines (value-weighted), in percent: 0 when it
    was the best everywhere."""
    return percent_of(offered - best, best)
