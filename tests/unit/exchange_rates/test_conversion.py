"""Conversion as pure rules: exact Decimal arithmetic rounded once, the rate in force on a day, a rate's parsing and
its label, and the rates file read row by row."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.exchange_rates.conversion import (
    Rate,
    RateError,
    convert,
    format_rate,
    parse_pair,
    parse_rate,
    rate_from_stored,
    rate_in_force,
    rate_to_stored,
)
from app.exchange_rates.services import RatesFileInvalid, read_rates_file

D = Decimal
prices = st.decimals(min_value=D("0.0001"), max_value=D("1000000"), places=4)
rates = st.decimals(min_value=D("0.00000001"), max_value=D("100000"), places=8)


def test_a_price_is_converted_and_rounded_half_up_to_four_decimals():
    assert convert(D("10.00"), D("0.9213")) == D("9.2130")
    assert convert(D("0.0035"), D("0.5")) == D("0.0018")  # 0.00175 rounds up
    assert convert(D("0.0035"), D("0.49999999")) == D("0.0017")


@given(prices, rates)
def test_conversion_is_off_by_at_most_half_a_minor_unit(amount, rate):
    converted = convert(amount, rate)
    assert converted == converted.quantize(D("0.0001"))
    assert abs(converted - amount * rate) <= D("0.00005")


@given(prices, prices, rates)
def test_conversion_keeps_the_order_of_prices(a, b, rate):
    if a <= b:
        assert convert(a, rate) <= convert(b, rate)


@given(rates)
def test_a_stored_rate_comes_back_exactly(rate):
    assert rate_from_stored(rate_to_stored(rate)) == rate


def test_the_rate_in_force_is_the_latest_dated_on_or_before_the_day():
    close = date(2026, 11, 30)
    kept = [Rate("USD", "EUR", D("0.90"), date(2026, 11, 1)), Rate("USD", "EUR", D("0.9213"), close),
            Rate("USD", "EUR", D("0.95"), date(2026, 12, 1)), Rate("GBP", "EUR", D("1.15"), date(2026, 11, 29))]
    assert rate_in_force(kept, "USD", "EUR", close) == kept[1]
    assert rate_in_force(kept, "USD", "EUR", close - timedelta(days=1)) == kept[0]
    assert rate_in_force(kept, "USD", "EUR", date(2026, 10, 31)) is None  # nothing before: no guess from later
    assert rate_in_force(kept, "EUR", "USD", close) is None  # no guess from the inverse either


@given(st.lists(st.tuples(rates, st.integers(0, 60)), max_size=8), st.integers(0, 60))
def test_the_rate_in_force_is_never_dated_after_the_day(kept, day):
    start = date(2026, 11, 1)
    all_rates = [Rate("USD", "EUR", rate, start + timedelta(days=offset)) for rate, offset in kept]
    on = start + timedelta(days=day)
    found = rate_in_force(all_rates, "USD", "EUR", on)
    eligible = [r for r in all_rates if r.valid_on <= on]
    assert (found is None) == (not eligible)
    if found is not None:
        assert found.valid_on == max(r.valid_on for r in eligible)


def test_the_label_says_the_rate_and_its_day():
    assert Rate("USD", "EUR", D("0.92130000"), date(2026, 11, 30)).label() == "1 USD = 0.9213 EUR, 2026-11-30"
    assert format_rate(D("1")) == "1.0000"
    assert format_rate(D("0.00612345")) == "0.00612345"


@pytest.mark.parametrize("typed, says", [
    ("0", "above zero"), ("-1", "above zero"), ("abc", "not a decimal number"), ("0.123456789", "more than 8"),
    ("NaN", "above zero"), ("1e12", "too large"),
])
def test_a_wrong_rate_says_what_to_fix(typed, says):
    with pytest.raises(RateError, match=says):
        parse_rate(typed)


def test_a_pair_is_two_different_iso_codes():
    assert parse_pair("usd", " eur") == ("USD", "EUR")
    with pytest.raises(RateError, match="ISO 4217"):
        parse_pair("EURO", "USD")
    with pytest.raises(RateError, match="always 1"):
        parse_pair("EUR", "eur")


def test_a_rates_file_is_read_with_every_rows_problem_at_once():
    content = (b"base;quote;rate;valid_on;source\n"
               b"USD;EUR;0,9213;2026-11-30;ECB\n"
               b"EURO;USD;1.08;2026-11-30;\n"
               b"GBP;EUR;1.15;30/11/2026;\n"
               b"CHF;EUR;1.06;2026-11-30;=HYPERLINK(\"x\")\n"
               b"CHF;EUR;1.07;2026-11-30;\n")
    with pytest.raises(RatesFileInvalid) as caught:
        read_rates_file(content)
    rows = dict(caught.value.problems)
    assert sorted(rows) == [2, 3, 4, 6]
    assert "not a decimal number" in rows[2]
    assert "ISO 4217" in rows[3]
    assert "2026-11-30" in rows[4]
    assert "already" in rows[6]


def test_a_good_rates_file_gives_its_rates():
    content = "\ufeffbase,quote,rate,valid_on\nUSD,EUR,0.9213,2026-11-30\n\nGBP,EUR,1.15,2026-11-30\n".encode()
    found = read_rates_file(content, existing={("USD", "EUR", date(2026, 11, 29))})
    assert [(r.base, r.quote, r.rate, r.valid_on) for r in found] == [
        ("USD", "EUR", D("0.9213"), date(2026, 11, 30)), ("GBP", "EUR", D("1.15"), date(2026, 11, 30))]


def test_a_file_without_the_columns_or_too_large_is_refused():
    with pytest.raises(InvalidInput, match="missing: rate"):
        read_rates_file(b"base,quote,valid_on\nUSD,EUR,2026-11-30\n")
    with pytest.raises(InvalidInput, match="larger than"):
        read_rates_file(b"x" * (1024 * 1024 + 1))
    with pytest.raises(InvalidInput, match="UTF-8"):
        read_rates_file("base,quote,rate,valid_on\n".encode("utf-16"))
