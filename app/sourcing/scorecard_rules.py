"""Pure rules of vendor scorecards: the arithmetic (median, percentages, price gaps, negotiation movement, order
punctuality) and who may see which figure. Plain values in and out, no I/O (app/sourcing/scorecard_store.py loads).

A scorecard is built from each buyer company's history with a vendor (`History`), so that the same rows give the
figures across buyers, one buyer's own, and say which figures a buyer may not see:
a figure across buyers shown to a buyer is withheld when fewer than MIN_OTHER_BUYERS other buyer companies
contributed to it — with one, it would be that company's figure (the viewer can take its own share out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.contracts.ratings import average

# The same threshold as the ratings' (app/contracts/ratings.py): one other buyer would be shown alone.
MIN_OTHER_BUYERS = 2
# A purchase order is confirmed on time within this long of being placed.
CONFIRM_WITHIN = timedelta(hours=48)
ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)


class Group(StrEnum):
    """The figures that come from the same rows: withheld together."""

    RFQS = "rfqs"  # invited, answered, won, response and win rates
    ANSWER_TIME = "answer_time"
    PRICE = "price"  # price competitiveness
    NEGOTIATION = "negotiation"
    CONTRACTS = "contracts"
    ORDERS = "orders"
    RATINGS = "ratings"


GROUP_WORDS = {
    Group.RFQS: "RFQs invited, answered and won", Group.ANSWER_TIME: "time to answer",
    Group.PRICE: "price competitiveness", Group.NEGOTIATION: "negotiation movement",
    Group.CONTRACTS: "contracts and awarded value", Group.ORDERS: "orders", Group.RATINGS: "ratings",
}


# --- arithmetic -----------------------------------------------------------------------------------


def rounded(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values. Exact."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, one decimal; None when there is no whole."""
    if whole <= 0:
        return None
    return rounded(Decimal(part) * HUNDRED / Decimal(whole))


def gap_percent(price: int, best: int) -> Decimal | None:
    """How far a unit price is above the line's best one, in percent of the best (0 for the best itself); None
    when the best is free (no percentage of zero). Prices are minor units (app/money.py)."""
    if best <= 0:
        return None
    return Decimal(price - best) * HUNDRED / Decimal(best)


def movement_percent(first: Mapping[int, tuple[int, int]], final: Mapping[int, tuple[int, int]]) -> Decimal | None:
    """The change from an offer's first revision to its final one, in percent (negative: the price came down).
    Both map an RFQ line to (unit price, quantity); lines priced in both are compared, each at the first
    revision's quantity, so a line added or dropped on the way moves nothing. None when nothing is comparable."""
    common = first.keys() & final.keys()
    before = sum(first[line][0] * first[line][1] for line in common)
    after = sum(final[line][0] * first[line][1] for line in common)
    if before <= 0:
        return None
    return Decimal(after - before) * HUNDRED / Decimal(before)


def hours_between(start: datetime, end: datetime) -> Decimal:
    return Decimal(int((end - start).total_seconds())) / Decimal(3600)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What a purchase order's timeline says about the vendor's punctuality."""

    status: str
    placed_at: datetime
    confirmed_at: datetime | None
    expected_ship_date: date | None
    shipped_at: datetime | None  # when it was first wholly shipped (or delivered)


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    confirmation_due: bool  # judged: confirmed, or unconfirmed past CONFIRM_WITHIN
    confirmed_on_time: bool
    shipment_due: bool  # judged: shipped, or its promised ship date has passed
    shipped_on_time: bool
    rejected: bool


def order_outcome(order: OrderFacts, now: datetime) -> OrderOutcome:
    """An order's punctuality so far: confirmed within CONFIRM_WITHIN of being placed; wholly shipped on or before
    the ship date the vendor promised when confirming (UTC dates). An order not yet due counts for neither;
    rejected and cancelled orders count for neither punctuality."""
    deadline = order.placed_at + CONFIRM_WITHIN
    rejected = order.status == "rejected"
    open_or_done = order.status not in ("rejected", "cancelled")
    confirmation_due = open_or_done and (order.confirmed_at is not None or now > deadline)
    confirmed_on_time = order.confirmed_at is not None and order.confirmed_at <= deadline
    promised = order.expected_ship_date
    shipment_due = promised is not None and open_or_done and (order.shipped_at is not None or now.date() > promised)
    shipped_on_time = (promised is not None and order.shipped_at is not None
                       and order.shipped_at.date() <= promised)
    return OrderOutcome(confirmation_due, confirmed_on_time and confirmation_due, shipment_due,
                        shipped_on_time and shipment_due, rejected)


# --- one buyer's history with one vendor ----------------------------------------------------------------


@dataclass(slots=True)
class History:
    """One buyer company's history with one vendor: the counts and the per-item values figures are made of."""

    vendor_id: int
    buyer_id: int
    invited: int = 0
    answered: int = 0  # invitations answered with an offer
    won: int = 0  # RFQs with at least one line awarded to the vendor
    answer_hours: list[Decimal] = field(default_factory=list)  # per offer: first revision after the invitation
    price_gaps: list[Decimal] = field(default_factory=list)  # per offered line of a closed RFQ with competition
    movements: list[Decimal] = field(default_factory=list)  # per offer revised at least once
    contracts: int = 0
    contracts_active: int = 0
    awarded_value: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    orders: int = 0
    confirmations_due: int = 0
    confirmed_on_time: int = 0
    shipments_due: int = 0
    shipped_on_time: int = 0
    rejected: int = 0
    rating_total: int = 0
    rating_count: int = 0

    def has(self, group: Group) -> bool:
        """Whether this history contributes to the group's figures."""
        return {
            Group.RFQS: self.invited > 0 or self.won > 0, Group.ANSWER_TIME: bool(self.answer_hours),
            Group.PRICE: bool(self.price_gaps), Group.NEGOTIATION: bool(self.movements),
            Group.CONTRACTS: self.contracts > 0, Group.ORDERS: self.orders > 0,
            Group.RATINGS: self.rating_count > 0,
        }[group]


@dataclass(frozen=True, slots=True)
class Figures:
    """A scorecard's figures over some histories; a withheld group's figures are None (counts included)."""

    buyers: int  # buyer companies with any history in it
    rfqs_invited: int | None
    rfqs_answered: int | None
    rfqs_won: int | None
    response_rate: Decimal | None  # % of invitations answered
    win_rate: Decimal | None  # % of answered invitations won
    hours_to_answer: Decimal | None  # mean, one decimal
    price_gap_median: Decimal | None  # % above the best offer per line, median, one decimal
    price_gap_lines: int | None
    negotiation_median: Decimal | None  # % first revision -> final, median, one decimal
    negotiated_offers: int | None
    contracts: int | None
    contracts_active: int | None
    awarded_value: dict[str, int] | None  # currency -> minor units
    orders: int | None
    confirmed_on_time: Decimal | None  # % of orders due a confirmation
    shipped_on_time: Decimal | None  # % of orders due shipment
    orders_rejected: int | None
    rating_average: Decimal | None  # two decimals, half up
    rating_count: int | None
    withheld: tuple[Group, ...]


def withheld_groups(histories: Iterable[History], viewer_buyer_ids: frozenset[int]) -> tuple[Group, ...]:
    """The groups a buyer (its companies `viewer_buyer_ids`) may not see across buyers: fewer than
    MIN_OTHER_BUYERS other companies contributed to them. A group nobody contributed to is not withheld: it is
    empty."""
    rows = list(histories)
    withheld = []
    for group in Group:
        others = {h.buyer_id for h in rows if h.has(group) and h.buyer_id not in viewer_buyer_ids}
        if 0 < len(others) < MIN_OTHER_BUYERS:
            withheld.append(group)
    return tuple(withheld)


# Each group's figures, left out together when the group is withheld.
GROUP_FIELDS: dict[Group, tuple[str, ...]] = {
    Group.RFQS: ("rfqs_invited", "rfqs_answered", "rfqs_won", "response_rate", "win_rate"),
    Group.ANSWER_TIME: ("hours_to_answer",),
    Group.PRICE: ("price_gap_median", "price_gap_lines"),
    Group.NEGOTIATION: ("negotiation_median", "negotiated_offers"),
    Group.CONTRACTS: ("contracts", "contracts_active", "awarded_value"),
    Group.ORDERS: ("orders", "confirmed_on_time", "shipped_on_time", "orders_rejected"),
    Group.RATINGS: ("rating_average", "rating_count"),
}


def figures(histories: Iterable[History], withheld: Iterable[Group] = ()) -> Figures:
    """The figures over `histories` (one vendor's), the `withheld` groups' figures left out (None)."""
    rows = list(histories)
    hidden = tuple(group for group in Group if group in set(withheld))

    def total(name: str) -> int:
        return sum(getattr(h, name) for h in rows)

    def every(name: str) -> list[Decimal]:
        return [value for h in rows for value in getattr(h, name)]

    def one_place(value: Decimal | None) -> Decimal | None:
        return None if value is None else rounded(value)

    awarded: dict[str, int] = {}
    for h in rows:
        for currency, amount in h.awarded_value.items():
            awarded[currency] = awarded.get(currency, 0) + amount
    values: dict[str, object] = {
        "rfqs_invited": total("invited"), "rfqs_answered": total("answered"), "rfqs_won": total("won"),
        "response_rate": percent(total("answered"), total("invited")),
        "win_rate": percent(total("won"), total("answered")),
        "hours_to_answer": one_place(mean(every("answer_hours"))),
        "price_gap_median": one_place(median(every("price_gaps"))), "price_gap_lines": len(every("price_gaps")),
        "negotiation_median": one_place(median(every("movements"))), "negotiated_offers": len(every("movements")),
        "contracts": total("contracts"), "contracts_active": total("contracts_active"),
        "awarded_value": dict(sorted(awarded.items())),
        "orders": total("orders"), "confirmed_on_time": percent(total("confirmed_on_time"), total("confirmations_due")),
        "shipped_on_time": percent(total("shipped_on_time"), total("shipments_due")),
        "orders_rejected": total("rejected"),
        "rating_average": average(total("rating_total"), total("rating_count")) if total("rating_count") else None,
        "rating_count": total("rating_count"),
    }
    for group in hidden:
        values |= dict.fromkeys(GROUP_FIELDS[group])
    return Figures(buyers=len({h.buyer_id for h in rows}), withheld=hidden, **values)  # type: ignore[arg-type]
