"""A cart's money: each line's net, tax and gross, and the totals per vendor and per currency. Pure Decimal arithmetic.

A line's net is its unit price times its quantity and its tax is the net times the rate, each rounded half up to the
currency's minor unit (cents; none for JPY, three places for KWD — `app/money.py` knows them); its gross is the two
added. Totals add the rounded line figures, so a total always equals the sum of the lines it shows. Amounts in two
currencies are never added: the totals are per currency, and a vendor's are per vendor and currency.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.money import minor_digits

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class PricedLine:
    """What a total needs of one line: who sells it, in which currency, and its amounts."""

    vendor_id: Hashable
    currency: str
    amounts: LineAmounts


@dataclass(frozen=True, slots=True)
class Total:
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    line_count: int


@dataclass(frozen=True, slots=True)
class VendorTotal:
    vendor_id: Hashable
    total: Total


def to_currency(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's minor unit (0.01 EUR, 1 JPY, 0.001 KWD)."""
    return amount.quantize(Decimal(1).scaleb(-minor_digits(currency)), rounding=ROUND_HALF_UP)


def line_amounts(unit_price: Decimal, quantity: int, tax_rate: Decimal, currency: str) -> LineAmounts:
    """A line's net (unit price times quantity), tax (net times rate %) and gross, each in the currency's minor unit.

    `tax_rate` is a percentage (19.00 is 19 %). Negative prices, quantities below 1 and rates outside 0 to 100 are
    refused: a cart has none.
    """
    if not isinstance(unit_price, Decimal) or not isinstance(tax_rate, Decimal):
        raise TypeError("amounts and rates are Decimal")
    if unit_price < 0 or quantity < 1 or not 0 <= tax_rate <= HUNDRED:
        raise ValueError(f"a line needs a price of 0 or more, a quantity of at least 1 and a rate from 0 to 100, "
                         f"not {unit_price}, {quantity}, {tax_rate}")
    net = to_currency(unit_price * quantity, currency)
    tax = to_currency(net * tax_rate / HUNDRED, currency)
    return LineAmounts(net=net, tax=tax, gross=net + tax)


def _total(currency: str, lines: list[PricedLine]) -> Total:
    zero = to_currency(Decimal(0), currency)
    return Total(
        currency=currency,
        net=sum((line.amounts.net for line in lines), zero),
        tax=sum((line.amounts.tax for line in lines), zero),
        gross=sum((line.amounts.gross for line in lines), zero),
        line_count=len(lines),
    )


def currency_totals(lines: Iterable[PricedLine]) -> list[Total]:
    """One total per currency of the lines, by currency code; no total ever adds two currencies."""
    by_currency: dict[str, list[PricedLine]] = {}
    for line in lines:
        by_currency.setdefault(line.currency, []).append(line)
    return [_total(currency, found) for currency, found in sorted(by_currency.items())]


def vendor_totals(lines: Iterable[PricedLine]) -> list[VendorTotal]:
    """One total per vendor and currency (a vendor may sell in two), in the order the vendors first appear."""
    by_vendor: dict[tuple[Hashable, str], list[PricedLine]] = {}
    for line in lines:
        by_vendor.setdefault((line.vendor_id, line.currency), []).append(line)
    return [VendorTotal(vendor_id=vendor, total=_total(currency, found))
            for (vendor, currency), found in by_vendor.items()]
