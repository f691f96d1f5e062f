"""The pure rules of an offer: what a valid offer line and validity are. No I/O. (When bidding is open is an
RFQ deadline rule: app/rfq/rules.py.)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.clock import as_utc
from app.errors import FieldErrors, InvalidInput
from app.money import MoneyError, parse_amount, parse_currency, to_minor
from app.offers.schemas import OfferLineIn
from app.rfq.states import PAYMENT_DAYS, PaymentTerms, RfqStatus


@dataclass(frozen=True, slots=True)
class ParsedLine:
    rfq_line_id: int
    unit_price: Decimal
    unit_price_minor: int
    quantity: int


@dataclass(frozen=True, slots=True)
class AskedLine:
    """An RFQ line as people name it (its position and description) and the most that may be offered of it."""

    position: int
    description: str
    quantity: int


class OfferLinesInvalid(FieldErrors):
    """Every wrong offer line at once: `message` in the API's words (JSON fields, line positions, never a database
    id as a line number), `fields` in the form's words, keyed `price_<line id>` / `quantity_<line id>` as the offer
    form names its inputs."""


def parse_offer_lines(asked: Mapping[int, AskedLine], lines: Sequence[OfferLineIn]) -> list[ParsedLine]:
    """Each offered line checked against the RFQ's lines (`asked`: line id → the line).

    Lines may be left out or offered in a smaller quantity; a price is a positive decimal string
    with at most four decimals. Every problem is found, not only the first: OfferLinesInvalid lists them.
    """
    parsed: list[ParsedLine] = []
    api: list[str] = []
    fields: dict[str, str] = {}
    seen: set[int] = set()
    for index, line in enumerate(lines, start=1):
        wanted = asked.get(line.rfq_line_id)
        if wanted is None:
            api.append(f"lines[{index}]: rfq_line_id {line.rfq_line_id} is not a line of this RFQ; "
                       "use the ids of the RFQ's lines.")
            fields.setdefault("form", "A price was sent for a line this RFQ does not have: reload the page.")
            continue
        where = f"lines[{index}] (line {wanted.position})"
        named = f"Line {wanted.position} ({wanted.description})"
        if line.rfq_line_id in seen:
            api.append(f"{where}: the line is offered twice; give each line once.")
            fields[f"price_{line.rfq_line_id}"] = f"{named}: offered twice; give each line once."
            continue
        seen.add(line.rfq_line_id)
        try:
            price = parse_amount(line.unit_price)
            minor = to_minor(price)
        except MoneyError as exc:
            api.append(f"{where}: unit_price {exc}.")
            fields[f"price_{line.rfq_line_id}"] = f"{named}: the unit price {_in_words(exc)}."
            continue
        if price <= 0:
            api.append(f"{where}: unit_price must be more than zero.")
            fields[f"price_{line.rfq_line_id}"] = f"{named}: the unit price must be more than zero."
            continue
        quantity = wanted.quantity if line.quantity is None else line.quantity
        if quantity > wanted.quantity:
            api.append(f"{where}: quantity {quantity} is more than the {wanted.quantity} asked; offer at most that.")
            fields[f"quantity_{line.rfq_line_id}"] = (
                f"{named}: the quantity {quantity} is more than the {wanted.quantity} asked; offer at most that.")
            continue
        parsed.append(ParsedLine(line.rfq_line_id, price, minor, quantity))
    if api:
        raise OfferLinesInvalid(" ".join(api), fields)
    return parsed


def _in_words(exc: MoneyError) -> str:
    """A money parsing error as the sentence's end: "is not a decimal amount (for example 12.50)"."""
    text = str(exc)  # the parse errors start with the value typed, which the field already shows
    return text if text.startswith("amounts") or " " not in text else text.split(" ", 1)[1]


def offer_terms(currency: str | None, payment_terms_days: int | None, rfq_currency: str, rfq_terms: str, *,
                auction: bool) -> tuple[str, int]:
    """The offer's currency and payment days: what the vendor gave, else the RFQ's. Any ISO 4217 currency may be
    offered on a sealed RFQ (whether a rate exists is known only at the close, and said there); a reverse
    auction ranks bids live, so it takes the RFQ's currency only."""
    chosen = rfq_currency
    if currency is not None and currency.strip():
        try:
            chosen = parse_currency(currency)
        except MoneyError as exc:
            raise FieldErrors(f"currency: {exc}.", {"currency": f"The currency {_in_words(exc)}."}) from None
    if auction and chosen != rfq_currency:
        message = f"This RFQ is a reverse auction: bid in its currency, {rfq_currency}."
        raise FieldErrors(message, {"currency": message})
    days = PAYMENT_DAYS.get(PaymentTerms(rfq_terms), 30) if payment_terms_days is None else payment_terms_days
    return chosen, days


def check_valid_until(valid_until: datetime | None, now: datetime) -> datetime | None:
    if valid_until is None:
        return None
    if valid_until.tzinfo is None:
        raise InvalidInput("valid_until needs a timezone (for example 2027-01-31T23:59:59Z).")
    if as_utc(valid_until) <= as_utc(now):
        raise FieldErrors("valid_until is in the past; give a later date.",
                          {"valid_until": "Valid until is in the past: give a later date."})
    return as_utc(valid_until)


class Outcome(StrEnum):
    """How a past RFQ ended for one vendor: only its own result, never a competitor's."""

    WON = "won"  # at least one line awarded to this vendor
    LOST = "lost"  # awarded, none of it to this vendor's offer
    PENDING = "pending"  # closed with this vendor's offer in, not awarded yet
    DECLINED = "declined"
    NO_ANSWER = "no_answer"  # closed without an offer or a decline from this vendor
    CANCELLED = "cancelled"


def outcome_of(status: RfqStatus, won: bool, offered: bool, declined: bool) -> Outcome | None:
    """A past RFQ's outcome for a vendor from what the vendor did; None while bidding is open (or a draft).

    `won`: a line is awarded to it; `offered`: its offer is live; `declined`: it declined. The vendor RFQ lists
    filter on the same outcome in SQL (app/contracts/vendor_rfqs.py), tested against this."""
    if status in (RfqStatus.DRAFT, RfqStatus.PUBLISHED):
        return None
    if status is RfqStatus.CANCELLED:
        return Outcome.CANCELLED
    if won:
        return Outcome.WON
    if offered:
        return Outcome.LOST if status is RfqStatus.AWARDED else Outcome.PENDING
    return Outcome.DECLINED if declined else Outcome.NO_ANSWER
