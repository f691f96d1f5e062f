"""The pure rules of a reverse auction: what a bid is, how bids rank, the minimum decrement, anti-sniping. No I/O.

Decisions (issue #4, "Reverse auction"):

- A bid covers every line of the RFQ at the full quantity asked. Partial offers make totals incomparable
  (a vendor leaving out the dearest line would "win"), so in auction mode they are refused with 400.
- A bid's value is its total: the sum of unit price * quantity over all lines. Every revision of an
  auction offer is a bid.
- Bidders rank by total, lowest first; a tie goes to the bid received first (the database's clock), then
  to the earlier offer. Ranks are never shared: the first to reach a price holds it.
- A new bid must beat the vendor's own previous bid (its latest revision on the RFQ, also of an offer it
  withdrew: withdrawing and re-entering higher is not a way around the rule) by at least the buyer's
  minimum decrement, applied to the total. Equal to previous - decrement is allowed.
- Anti-sniping: a bid received while at most N minutes are left (exactly N included) moves the deadline
  N minutes later, as long as the total extension stays within the buyer's cap; when less than N
  minutes of the cap are left, the deadline moves by what is left; when the cap is used up, not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.clock import as_utc
from app.errors import Conflict, InvalidInput
from app.money import format_money


@dataclass(frozen=True, slots=True)
class Bid:
    """A live offer's current bid: its latest revision's total and when that revision arrived."""

    offer_id: int
    vendor_id: int
    total: Decimal
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Extension:
    """A deadline moved by anti-sniping: the new deadline and the minutes this bid added."""

    deadline: datetime
    minutes: int


def bid_total(lines: Iterable[tuple[Decimal, int]]) -> Decimal:
    """The total of (unit price, quantity) lines, exact."""
    return sum((price * quantity for price, quantity in lines), Decimal(0))


def check_covers_every_line(asked: Mapping[int, int], offered: Mapping[int, int]) -> None:
    """400 unless `offered` (rfq line id → quantity) prices every line of `asked` at the full quantity."""
    missing = sorted(line_id for line_id in asked if line_id not in offered)
    if missing:
        raise InvalidInput(
            f"This RFQ is a reverse auction: a bid prices every line. Add a unit price for lines {missing}."
        )
    short = sorted(line_id for line_id, quantity in offered.items() if quantity < asked[line_id])
    if short:
        raise InvalidInput(
            f"This RFQ is a reverse auction: a bid offers the full quantity asked of every line; "
            f"lines {short} offer less."
        )


def standings(bids: Iterable[Bid]) -> list[Bid]:
    """Bids best first: lowest total, then earliest received, then earliest offer."""
    return sorted(bids, key=lambda bid: (bid.total, as_utc(bid.received_at), bid.offer_id))


def rank_of(bids: Sequence[Bid], vendor_id: int) -> int | None:
    """The vendor's rank among the live bids (1 is best), or None when it has no live bid."""
    for rank, bid in enumerate(standings(bids), start=1):
        if bid.vendor_id == vendor_id:
            return rank
    return None


def best_price(bids: Iterable[Bid]) -> Decimal | None:
    """The lowest live total, or None when nobody bids."""
    totals = [bid.total for bid in bids]
    return min(totals) if totals else None


def most_allowed(previous_total: Decimal, min_decrement: Decimal) -> Decimal:
    """The highest total the vendor's next bid may have."""
    return previous_total - min_decrement


def check_decrement(previous_total: Decimal | None, new_total: Decimal, min_decrement: Decimal | None,
                    currency: str) -> None:
    """409 unless the new total beats the vendor's previous one by at least `min_decrement` (a first bid passes)."""
    if previous_total is None:
        return
    step = min_decrement or Decimal(0)
    ceiling = most_allowed(previous_total, step)
    if new_total > ceiling or new_total >= previous_total:
        def show(amount: Decimal) -> str:
            return format_money(amount, currency)

        raise Conflict(
            f"Your bid totals {show(new_total)}; it must beat your previous bid of {show(previous_total)} "
            f"by at least {show(step)}: bid a total of at most {show(ceiling)}."
        )


def anti_snipe(deadline: datetime, received_at: datetime, minutes: int, cap_minutes: int,
               extended_minutes: int) -> Extension | None:
    """The deadline a bid received at `received_at` moves to, or None when it stays.

    A bid with at most `minutes` left before `deadline` extends it by `minutes`, limited to what is
    left of `cap_minutes` after the `extended_minutes` already applied.
    """
    if minutes <= 0:
        return None
    deadline, received_at = as_utc(deadline), as_utc(received_at)
    if received_at >= deadline or deadline - received_at > timedelta(minutes=minutes):
        return None
    added = min(minutes, cap_minutes - extended_minutes)
    if added <= 0:
        return None
    return Extension(deadline=deadline + timedelta(minutes=added), minutes=added)
