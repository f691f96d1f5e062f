"""Money: `Decimal` amounts with an ISO 4217 currency, stored as exact integers.

Piccolo's SQLite adapter turns `Decimal` into a float, so a `Numeric` column silently loses
digits there. Every amount is stored instead as a whole number of ten-thousandths of the
currency unit (a screw at 0.0035 EUR is 35) in a `BigInt` column: exact on both backends,
in sums and in ordering. This module is the one place that converts between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import NumberFormatError, NumberPattern, parse_decimal, parse_pattern
from piccolo.columns import BigInt

from app.locales import DEFAULT_LOCALE, babel_locale

DECIMAL_PLACES = 4
MINOR_PER_UNIT = 10**DECIMAL_PLACES
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
# A BigInt holds up to 2**63 - 1 minor units: about 922 trillion currency units.
MAX_MINOR = 2**63 - 1

# Active ISO 4217 codes with their number of decimals where it is not two.
_MINOR_DIGITS_EXCEPTIONS = {
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip
CURRENCIES = frozenset(
    [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
        "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
        "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
        "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
        "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
        "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
        "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
        "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
        "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYI", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD",
        "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
    ]
)


class MoneyError(ValueError):
    """An amount or currency that cannot be stored exactly."""


def money_column(**kwargs: object) -> BigInt:
    """A column holding an amount in ten-thousandths of its currency unit."""
    kwargs.setdefault("help_text", "Amount in 1/10,000 of the currency unit")
    return BigInt(**kwargs)  # type: ignore[arg-type]


def parse_currency(code: str) -> str:
    normalized = (code or "").strip().upper()
    if normalized not in CURRENCIES:
        raise MoneyError(f"{code!r} is not an ISO 4217 currency code (for example EUR, USD, GBP)")
    return normalized


def parse_amount(value: str | int | Decimal) -> Decimal:
    """A decimal amount from user input; floats are refused because they are already inexact."""
    if isinstance(value, float):
        raise MoneyError("amounts must be given as decimal strings, not floating-point numbers")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(f"{value!r} is not a decimal amount (for example 12.50)") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return amount


def to_minor(amount: Decimal) -> int:
    """The stored integer for `amount`; refuses amounts that would need rounding to fit."""
    if not isinstance(amount, Decimal):
        raise MoneyError(f"amounts are Decimal, not {type(amount).__name__}")
    scaled = amount * MINOR_PER_UNIT
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} has more than {DECIMAL_PLACES} decimal places")
    minor = int(scaled)
    if abs(minor) > MAX_MINOR:
        raise MoneyError(f"{amount} is too large to store")
    return minor


def round_to_minor(amount: Decimal) -> int:
    """The stored integer for a computed amount (a line total, a discount), rounded half up."""
    return to_minor(amount.quantize(_QUANTUM, rounding=ROUND_HALF_UP))


def from_minor(minor: int | None) -> Decimal | None:
    if minor is None:
        return None
    return (Decimal(int(minor)) / MINOR_PER_UNIT).quantize(_QUANTUM)


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS_EXCEPTIONS.get(currency, 2)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise MoneyError(f"amounts are Decimal, not {type(self.amount).__name__}")
        object.__setattr__(self, "currency", parse_currency(self.currency))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor), currency)  # type: ignore[arg-type]

    @property
    def minor(self) -> int:
        return to_minor(self.amount)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, quantity: Decimal | int) -> Money:
        return Money(self.amount * Decimal(quantity), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")


# --- display: the one way an amount is written for people ------------------------------------------

@lru_cache(maxsize=64)
def _pattern(digits: int, unit_price: bool) -> NumberPattern:
    # "¤¤" is the ISO code: B2B documents name the currency unambiguously ("1,234.50 EUR", "1.234,50 EUR").
    # Parsed once: a page writes hundreds of amounts.
    optional = DECIMAL_PLACES - digits if unit_price else 0
    fraction = "0" * digits + "#" * optional
    return parse_pattern(f"#,##0{'.' + fraction if fraction else ''} ¤¤")


def format_money(amount: Decimal, currency: str, locale: str = DEFAULT_LOCALE, unit_price: bool = False) -> str:
    """`amount` for people reading `locale`: totals with the currency's own decimals (rounded half up), unit prices
    with at least those and up to four, so a screw at 0.0035 EUR keeps its digits; the ISO code after the number;
    digits grouped and the decimal mark as the locale writes them."""
    code = parse_currency(currency)
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise MoneyError(f"amounts are finite Decimals, not {amount!r}")
    digits = minor_digits(code)
    places = DECIMAL_PLACES if unit_price else digits
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _pattern(digits, unit_price).apply(rounded, babel_locale(locale), currency=code, currency_digits=False,
                                              group_separator=True)


def shown(amount: Decimal | None, currency: str | None, locale: str = DEFAULT_LOCALE,
          unit_price: bool = False) -> str:
    """`format_money`, or a dash where there is no amount (the templates' `money(...)`)."""
    if amount is None or not currency:
        return "—"
    return format_money(amount, currency, locale, unit_price)


# --- input: the one way a page reads an amount a person typed -------------------------------------------------

_SPACES = (" ", "\xa0", "\u202f")  # what people type, and what locales group digits with (fr: U+202F)


def typed_amount(text: str, locale: str = DEFAULT_LOCALE) -> str:
    """An amount typed into a page, read as its reader's locale writes numbers ("1.234,50" or "3,10" in de_DE,
    "1,234.50" in en), as the API's dot-decimal text ("1234.50"). An empty field stays "" (the form says whether it
    is needed). The API itself always takes dot-decimal strings and never calls this. MoneyError says how to type
    the amount in that locale."""
    raw = (text or "").strip()
    if not raw:
        return ""
    where = babel_locale(locale)
    group = where.number_symbols.get("latn", where.number_symbols).get("group", ",")
    if group in _SPACES:  # "1 234,50" typed with an ordinary space is the locale's own grouping
        for space in _SPACES:
            raw = raw.replace(space, group)
    example = _pattern(2, False).apply(Decimal("1234.5"), where, currency="XXX", currency_digits=False,
                                       group_separator=True).removesuffix("XXX").strip()
    shown = raw if len(raw) <= 20 else raw[:19] + "…"
    refusal = MoneyError(f"“{shown}” is not a decimal amount: type one such as {example} or "
                         f"{example.replace(group, '')}")
    if any(letter in raw for letter in "eE") or len(raw) > 200:  # no exponents; no absurd strings parsed
        raise refusal
    try:
        amount = parse_decimal(raw, locale=where, strict=True)
    except NumberFormatError:
        raise refusal from None
    if not amount.is_finite():
        raise refusal
    return format(amount, "f")


def amount_input(amount: Decimal | None, locale: str = DEFAULT_LOCALE) -> str:
    """The text a money field shows for a stored amount, as its reader types it back: the locale's decimal mark,
    no grouping, the cents and every digit past them kept ("4,50" and "0,0035" in de_DE, "4.50" in en; "" for
    none); `typed_amount` reads it back."""
    if amount is None:
        return ""
    where = babel_locale(locale)
    decimal = where.number_symbols.get("latn", where.number_symbols).get("decimal", ".")
    whole, _, fraction = format(amount.normalize(), "f").partition(".")
    return f"{whole}{decimal}{fraction.ljust(2, '0')}"
