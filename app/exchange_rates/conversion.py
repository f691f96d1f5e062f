"""Currency conversion as pure rules: a rate's exact form, the rate in force on a day, an amount converted and
rounded once. Decimal only, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.money import DECIMAL_PLACES, MoneyError, parse_currency

# A rate has at most eight decimals ("1 JPY = 0.00612345 EUR") and is stored as a whole number of 10**-8.
RATE_PLACES = 8
RATE_UNIT = 10**RATE_PLACES
MAX_RATE = Decimal(1_000_000_000)  # more than any pair of living currencies is apart
_PRICE_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)


class RateError(ValueError):
    """A rate that cannot be used, in the operator's words."""


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` = `rate` `quote`, valid from `valid_on` until a later rate of the same pair."""

    base: str
    quote: str
    rate: Decimal
    valid_on: date

    def label(self) -> str:
        """As the comparison shows it: "1 USD = 0.9213 EUR, 2026-11-30"."""
        return f"1 {self.base} = {format_rate(self.rate)} {self.quote}, {self.valid_on.isoformat()}"


def format_rate(rate: Decimal) -> str:
    """The rate without trailing zeros, but with at least four decimals: 0.9213, 1.0000, 0.00612345."""
    text = f"{rate.normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(4, '0')}"


def parse_rate(value: str | int | Decimal) -> Decimal:
    """A rate from what a person typed: a positive decimal with at most eight decimals."""
    if isinstance(value, float):
        raise RateError("a rate is a decimal string, not a floating-point number")
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RateError(f"“{value}” is not a decimal number (for example 0.9213)") from None
    if not rate.is_finite() or rate <= 0:
        raise RateError(f"the rate must be a number above zero, not “{value}”")
    if rate > MAX_RATE:
        raise RateError(f"the rate {value} is too large (at most {MAX_RATE})")
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise RateError(f"the rate {value} has more than {RATE_PLACES} decimals")
    return rate


def parse_pair(base: str, quote: str) -> tuple[str, str]:
    """Two ISO 4217 codes that differ (a currency converts to itself at 1)."""
    try:
        pair = parse_currency(base), parse_currency(quote)
    except MoneyError as exc:
        raise RateError(str(exc)) from None
    if pair[0] == pair[1]:
        raise RateError(f"a rate converts one currency into another: {pair[0]} to {pair[1]} is always 1")
    return pair


def rate_to_stored(rate: Decimal) -> int:
    return int(rate * RATE_UNIT)


def rate_from_stored(stored: int) -> Decimal:
    return (Decimal(int(stored)) / RATE_UNIT).quantize(Decimal(1).scaleb(-RATE_PLACES))


def rate_in_force(rates: Iterable[Rate], base: str, quote: str, on: date) -> Rate | None:
    """The latest `base`→`quote` rate dated on or before `on`; None when there is none (no guess from the inverse
    or a later one: the buyer sees that the rate is missing)."""
    found: Rate | None = None
    for rate in rates:
        if rate.base == base and rate.quote == quote and rate.valid_on <= on and (
                found is None or rate.valid_on > found.valid_on):
            found = rate
    return found


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """`amount` times `rate`, rounded once, half up, to the four decimals prices are kept in (a converted unit price
    stays a price the rest of the comparison can store and sum exactly)."""
    return (amount * rate).quantize(_PRICE_QUANTUM, rounding=ROUND_HALF_UP)
