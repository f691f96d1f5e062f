from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import MAX_MINOR, Money, MoneyError, from_minor, parse_amount, parse_currency, round_to_minor, to_minor

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)


@given(amounts)
def test_every_four_decimal_amount_round_trips_exactly(amount):
    assert from_minor(to_minor(amount)) == amount


@pytest.mark.parametrize(
    ("amount", "minor"),
    [(Decimal("0.10"), 1_000), (Decimal("0.0035"), 35), (Decimal("12345678901234.5678"), 123_456_789_012_345_678)],
)
def test_known_amounts_map_to_ten_thousandths(amount, minor):
    assert to_minor(amount) == minor
    assert from_minor(minor) == amount


def test_an_amount_that_would_need_rounding_is_refused():
    with pytest.raises(MoneyError, match="more than 4 decimal places"):
        to_minor(Decimal("0.00001"))


def test_computed_amounts_round_half_up_to_the_stored_precision():
    assert round_to_minor(Decimal("0.00005")) == 1
    assert round_to_minor(Decimal("0.00004")) == 0


def test_an_amount_too_large_for_a_bigint_is_refused():
    with pytest.raises(MoneyError, match="too large"):
        to_minor(Decimal(MAX_MINOR + 1) / 10_000)


def test_floats_are_refused_everywhere():
    with pytest.raises(MoneyError):
        to_minor(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="decimal strings"):
        parse_amount(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(0.1, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["abc", "", "1,5", "NaN", "Infinity"])
def test_unparseable_amounts_say_what_is_expected(text):
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_currencies_are_iso_4217_codes():
    assert parse_currency(" eur ") == "EUR"
    with pytest.raises(MoneyError, match="ISO 4217"):
        parse_currency("EURO")
    with pytest.raises(MoneyError):
        parse_currency("XXY")


def test_money_only_combines_the_same_currency():
    assert Money(Decimal("1.10"), "EUR") + Money(Decimal("2.2"), "EUR") == Money(Decimal("3.30"), "EUR")
    with pytest.raises(MoneyError, match="EUR with USD"):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "USD")


def test_line_total_is_unit_price_times_quantity():
    assert Money(Decimal("0.0035"), "EUR").times(10_000) == Money(Decimal("35.0000"), "EUR")


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(Decimal("0.0035"), "EUR"), "0.0035 EUR"),
        (Money(Decimal("1234.5"), "EUR"), "1,234.50 EUR"),
        (Money(Decimal("1500"), "JPY"), "1,500 JPY"),
        (Money(Decimal("1.5"), "KWD"), "1.500 KWD"),
    ],
)
def test_display_keeps_the_currency_decimals_and_sub_cent_prices(money, shown):
    assert money.display() == shown
