"""Pure rules of contracts: numbers, validity, status by dates, price rows, amendments, reminders.

Plain values in and out, no I/O: the services load, call these, and save.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

# A contract whose winning offer named no validity (or one already past at the award) runs this long.
DEFAULT_TERM = timedelta(days=365)
NUMBER_PREFIX = "C"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class VersionStatus(StrEnum):
    PROPOSED = "proposed"  # an amendment one side proposed, waiting for the other
    CURRENT = "current"  # the terms in force (exactly one per contract)
    SUPERSEDED = "superseded"  # an earlier current version, kept readable
    REJECTED = "rejected"  # a proposal the other side declined, or its proposer withdrew


class Side(StrEnum):
    BUYER = "buyer"
    VENDOR = "vendor"


class RuleError(ValueError):
    """The input breaks a contract rule; the message says which (HTTP 400)."""


def format_number(year: int, sequence: int) -> str:
    """C-2026-000123: the year of the award and a per-year sequence."""
    if sequence < 1:
        raise RuleError("a contract sequence starts at 1")
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:06d}"


def validity(awarded_at: datetime, offer_valid_until: datetime | None) -> tuple[datetime, datetime]:
    """From the award moment to the offer's validity date, or DEFAULT_TERM when it named none still ahead."""
    if offer_valid_until is not None and offer_valid_until > awarded_at:
        return awarded_at, offer_valid_until
    return awarded_at, awarded_at + DEFAULT_TERM


def status_at(valid_to: datetime, terminated_at: datetime | None, now: datetime) -> ContractStatus:
    """The status by dates alone: no job has to run for a contract to expire."""
    if terminated_at is not None and terminated_at <= now:
        return ContractStatus.TERMINATED
    if valid_to <= now:
        return ContractStatus.EXPIRED
    return ContractStatus.ACTIVE


def in_effect(valid_from: datetime, valid_to: datetime, terminated_at: datetime | None, now: datetime) -> bool:
    """Whether the contract's prices apply at `now` (the price resolver applies the same dates)."""
    return status_at(valid_to, terminated_at, now) is ContractStatus.ACTIVE and valid_from <= now


# --- lines and their price rows -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    min_qty: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class LineTerms:
    """What a contract line promises: a unit price, volume tiers above it, order quantities."""

    line_id: int
    unit_price: Decimal
    tiers: tuple[Tier, ...] = ()
    committed_qty: int | None = None
    min_order_qty: int = 1
    max_order_qty: int | None = None
    listing_id: int | None = None


def check_terms(terms: LineTerms, what: str = "line") -> LineTerms:
    """Positive prices, order quantities that make sense, tiers above the minimum with distinct quantities."""
    if terms.unit_price <= 0:
        raise RuleError(f"{what}: the unit price must be more than 0")
    if terms.min_order_qty < 1:
        raise RuleError(f"{what}: the minimum order quantity is at least 1")
    if terms.max_order_qty is not None and terms.max_order_qty < terms.min_order_qty:
        raise RuleError(f"{what}: the maximum order quantity is below the minimum")
    if terms.committed_qty is not None and terms.committed_qty < 1:
        raise RuleError(f"{what}: a committed quantity is at least 1 (leave it out for none)")
    seen: set[int] = set()
    for tier in terms.tiers:
        if tier.min_qty <= terms.min_order_qty:
            raise RuleError(f"{what}: a volume tier starts above the minimum order quantity ({terms.min_order_qty})")
        if tier.min_qty in seen:
            raise RuleError(f"{what}: two volume tiers start at {tier.min_qty}")
        if tier.unit_price <= 0:
            raise RuleError(f"{what}: a tier's unit price must be more than 0")
        seen.add(tier.min_qty)
    return LineTerms(
        line_id=terms.line_id, unit_price=terms.unit_price,
        tiers=tuple(sorted(terms.tiers, key=lambda t: t.min_qty)), committed_qty=terms.committed_qty,
        min_order_qty=terms.min_order_qty, max_order_qty=terms.max_order_qty, listing_id=terms.listing_id,
    )


@dataclass(frozen=True, slots=True)
class PlannedPrice:
    """One ContractPrice row a contract should have: from `min_qty` units of `listing_id` on."""

    listing_id: int
    min_qty: int
    unit_price: Decimal
    line_id: int


def plan_prices(lines: Iterable[LineTerms]) -> list[PlannedPrice]:
    """The price rows of a contract's linked lines: the unit price from the minimum order quantity on,
    then each tier. Two lines linked to the same listing share its rows: the lower price of a tier wins
    (as the resolver would choose), so the rows stay unique per listing and tier."""
    best: dict[tuple[int, int], PlannedPrice] = {}
    for line in lines:
        if line.listing_id is None:
            continue
        steps = [(line.min_order_qty, line.unit_price)] + [(t.min_qty, t.unit_price) for t in line.tiers]
        for min_qty, price in steps:
            key = (line.listing_id, min_qty)
            current = best.get(key)
            if current is None or price < current.unit_price:
                best[key] = PlannedPrice(line.listing_id, min_qty, price, line.line_id)
    return sorted(best.values(), key=lambda p: (p.listing_id, p.min_qty))


@dataclass(frozen=True, slots=True)
class ExistingPrice:
    id: int
    listing_id: int
    min_qty: int
    unit_price: Decimal
    line_id: int | None
    valid_from: datetime
    valid_to: datetime | None


@dataclass(slots=True)
class PriceChanges:
    """How a contract's live price rows move to a new plan at moment `at`."""

    keep: list[int] = field(default_factory=list)  # rows already right: only their dates follow the contract
    end: list[int] = field(default_factory=list)  # rows that applied until `at`: valid_to becomes `at`
    delete: list[int] = field(default_factory=list)  # rows that never applied: removed
    insert: list[PlannedPrice] = field(default_factory=list)


def price_changes(existing: Sequence[ExistingPrice], planned: Sequence[PlannedPrice], at: datetime) -> PriceChanges:
    """Keep what is unchanged, end what applied, delete what never did, insert the rest.

    New rows start at `at` (or the contract's later start): a change is never retroactive, and the
    rows that applied before stay as the record of what a buyer paid.
    """
    wanted = {(p.listing_id, p.min_qty, p.unit_price, p.line_id): p for p in planned}
    changes = PriceChanges()
    for row in existing:
        key = (row.listing_id, row.min_qty, row.unit_price, row.line_id)
        if key in wanted:
            wanted.pop(key)
            changes.keep.append(row.id)
        elif row.valid_from < at:
            changes.end.append(row.id)
        else:
            changes.delete.append(row.id)
    changes.insert = list(wanted.values())
    return changes


# --- amendments ---------------------------------------------------------------------------------


def check_dates(valid_from: datetime, valid_to: datetime, now: datetime) -> None:
    if valid_to <= valid_from:
        raise RuleError("valid_to must be after valid_from")
    if valid_to <= now:
        raise RuleError("valid_to must be in the future: an amendment cannot end a contract in the past")


def deciding_side(proposed_by: Side) -> Side:
    """An amendment is agreed by both sides: the side that did not propose it accepts or rejects it."""
    return Side.VENDOR if proposed_by is Side.BUYER else Side.BUYER


def check_amendable(status: ContractStatus) -> None:
    if status is ContractStatus.TERMINATED:
        raise RuleError("a terminated contract cannot be amended")
    if status is ContractStatus.EXPIRED:
        raise RuleError("an expired contract cannot be amended: renew it with a new RFQ")


# --- reminders ----------------------------------------------------------------------------------


def reminder_due(valid_to: datetime, now: datetime, sent: Iterable[str]) -> str | None:
    """Which expiry reminder ("30" or "7") is due now, if any.

    The 30-day reminder goes between 30 and 7 days before the end; the 7-day one in the last 7 days.
    A contract that started inside the last 7 days only gets the 7-day one; each goes at most once.
    """
    remaining = valid_to - now
    done = set(sent)
    if remaining <= timedelta(0):
        return None
    if remaining <= timedelta(days=7):
        return None if "7" in done else "7"
    if remaining <= timedelta(days=30):
        return None if "30" in done else "30"
    return None


# --- the award's justification -------------------------------------------------------------------

JUSTIFICATION_MAX = 2000  # the same limit as AwardIn.justification's schema


@dataclass(frozen=True)
class AwardChoice:
    """One awarded line: its position on the RFQ, the unit price of the offer it goes to and every unit price
    offered for it (the chosen one included)."""

    position: int
    chosen_price: Decimal
    offered_prices: tuple[Decimal, ...]


def lines_needing_justification(choices: Iterable[AwardChoice]) -> list[int]:
    """The positions, in order, of the lines awarded to an offer that is not the cheapest for that line.

    A tie with the lowest price is the cheapest: only a strictly higher price needs a reason."""
    return sorted({
        choice.position for choice in choices
        if choice.offered_prices and choice.chosen_price > min(choice.offered_prices)
    })


def check_justification(needing: Sequence[int], justification: str) -> str:
    """The justification (stripped), or RuleError naming the lines when one is needed and missing; it is kept
    with the lines that needed it."""
    text = justification.strip()
    if needing and not text:
        named = ", ".join(str(position) for position in needing)
        noun = "Line" if len(needing) == 1 else "Lines"
        verb = "goes" if len(needing) == 1 else "go"
        raise RuleError(f"{noun} {named} {verb} to an offer that is not the cheapest: "
                        "give a justification for the award.")
    if len(text) > JUSTIFICATION_MAX:
        raise RuleError(f"The justification is longer than {JUSTIFICATION_MAX} characters.")
    return text
