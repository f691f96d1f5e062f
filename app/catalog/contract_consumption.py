"""Contract consumption: how much of an order line a contract line's committed quantity still covers. Pure integers.

A contract line is priced for a committed quantity (`committed`, None = unlimited), of which `consumed` has been
ordered so far. An order line takes the contract price for what remains and the next price source for the rest
(`split`); a cancelled or rejected order gives back what it took (`give_back`); the 80 % and 100 % marks are
notified once each (`crossed_marks`). The price of each part is the resolver's business, not this module's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MARKS = (80, 100)  # the percentages of the committed quantity at which the buyer and the vendor hear of it


@dataclass(frozen=True, slots=True)
class Split:
    """An order line's quantity in two parts: `at_contract` at the contract price, `beyond` at the next source."""

    at_contract: int
    beyond: int


def remaining(committed: int | None, consumed: int) -> int | None:
    """What the contract line still covers: None when unlimited, never below zero.

    `consumed` may exceed `committed` when an amendment lowered the committed quantity below what had been ordered:
    nothing remains then, and nothing already ordered is taken back.
    """
    _check(committed=committed, consumed=consumed)
    return None if committed is None else max(committed - consumed, 0)


def split(quantity: int, committed: int | None, consumed: int) -> Split:
    """Split an order line of `quantity` at what remains of the contract line.

    `at_contract + beyond == quantity`; `beyond` is 0 when the quantity fits; `consumed + at_contract` never exceeds
    `committed` (nor `consumed`, when an amendment already put it above).
    """
    _check(quantity=quantity)
    left = remaining(committed, consumed)
    at_contract = quantity if left is None else min(quantity, left)
    return Split(at_contract=at_contract, beyond=quantity - at_contract)


def give_back(consumed: int, quantity: int) -> int:
    """The consumed quantity after a cancelled or rejected order returns its part, never below zero.

    `quantity` is what the order line took at the contract price (its `at_contract`), not the whole line.
    """
    _check(consumed=consumed, quantity=quantity)
    return max(consumed - quantity, 0)


def crossed_marks(
    committed: int | None,
    before: int,
    after: int,
    marks: Iterable[int] = MARKS,
    *,
    notified: Iterable[int] = (),
) -> list[int]:
    """The marks (percentages of `committed`) that consumption going from `before` to `after` crosses, ascending.

    A mark is crossed strictly from below it to at or above it, so a rising sequence of consumptions crosses each
    mark once. After a give-back, consumption can rise through a mark again: the marks already `notified` for this
    contract line are left out, so each is notified once. Unlimited lines (`committed` None) have no marks.
    Computed in integers: `before` is below m % when `100 * before < m * committed`.
    """
    _check(committed=committed, before=before, after=after)
    wanted = set(marks)
    if any(mark < 1 for mark in wanted):
        raise ValueError("a mark is a percentage of at least 1")
    if committed is None:
        return []
    done = set(notified)
    return sorted(m for m in wanted - done if 100 * before < m * committed <= 100 * after)


def _check(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} cannot be negative, not {value}")
