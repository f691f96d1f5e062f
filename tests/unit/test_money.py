from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from app.locales import PlaceError
from app.money import (
    CURRENCIES,
    MAX_MINOR,
    Money,
    MoneyError,
    amount_input,
    format_money,
    from_minor,
    minor_digits,
    parse_amount,
    parse_currency,
    round_to_minor,
    shown,
    to_minor,
    typed_amount,
)

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
    ("amount", "currency", "locale", "unit_price", "text"),
    [
        ("0.0035", "EUR", "en", True, "0.0035 EUR"),
        ("5.7500", "EUR", "en", True, "5.75 EUR"),
        ("24.9", "EUR", "en", True, "24.90 EUR"),
        ("1234.5", "EUR", "en", False, "1,234.50 EUR"),
        ("1234.5", "EUR", "de_DE", False, "1.234,50 EUR"),
        ("16240.0000", "EUR", "de_DE", False, "16.240,00 EUR"),
        ("2286.005", "EUR", "en", False, "2,286.01 EUR"),
        ("1.2345", "EUR", "de_DE", True, "1,2345 EUR"),
        ("1500", "JPY", "en", False, "1,500 JPY"),
        ("1500.5", "JPY", "en", False, "1,501 JPY"),
        ("12.5", "JPY", "en", True, "12.5 JPY"),
        ("1.5", "KWD", "en", False, "1.500 KWD"),
        ("1.2345", "KWD", "en", True, "1.2345 KWD"),
        ("-1234.5", "USD", "en_US", False, "-1,234.50 USD"),
    ],
)
def test_format_money_shows_the_currency_decimals_and_the_locale_separators(amount, currency, locale, unit_price,
                                                                             text):
    assert format_money(Decimal(amount), currency, locale, unit_price=unit_price) == text


four_places = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False,
                          allow_infinity=False)
locales = st.sampled_from(["en", "en_GB", "de_DE", "fr_FR", "de_CH", "es_ES", "nl_NL", "ja_JP", "en_IN", "pl_PL"])
currencies = st.sampled_from(sorted(CURRENCIES))


def _number_part(text: str, currency: str) -> str:
    assert text.endswith(" " + currency)
    return text[: -len(currency) - 1]


@given(four_places, currencies, locales)
def test_a_unit_price_never_loses_a_digit_and_parses_back_in_its_locale(amount, currency, locale):
    text = format_money(amount, currency, locale, unit_price=True)
    assert parse_decimal(_number_part(text, currency), locale=locale) == amount


@given(four_places, currencies, locales)
def test_a_total_has_exactly_the_currency_decimals_and_is_the_amount_rounded_half_up(amount, currency, locale):
    text = format_money(amount, currency, locale)
    number = parse_decimal(_number_part(text, currency), locale=locale)
    digits = minor_digits(currency)
    assert number == amount.quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")
    assert abs(number - amount) <= Decimal("0.5").scaleb(-digits)


def test_a_missing_amount_shows_a_dash_and_an_unknown_locale_says_what_is_accepted():
    assert shown(None, "EUR") == "—"
    assert shown(Decimal(1), None) == "—"
    with pytest.raises(PlaceError, match="de_DE"):
        format_money(Decimal(1), "EUR", "xx_nowhere")
    with pytest.raises(MoneyError, match="ISO 4217"):
        format_money(Decimal(1), "EURO", "en")


# --- amounts typed into pages, by the reader's locale ------------------------------------------------------------

READERS = ["en", "en_GB", "de_DE", "fr_FR", "de_CH", "es_ES", "ja_JP"]


@pytest.mark.parametrize(("text", "locale", "read"), [
    ("1.234,50", "de_DE", "1234.50"), ("3,10", "de_DE", "3.10"), ("0,0035", "de_DE", "0.0035"),
    ("-3,5", "de_DE", "-3.5"), ("1.234", "de_DE", "1234"), (" 12 ", "de_DE", "12"),
    ("1,234.50", "en", "1234.50"), ("3.10", "en", "3.10"), ("1 234,50", "fr_FR", "1234.50"), ("", "de_DE", ""),
])
def test_an_amount_is_read_as_its_reader_writes_it(text, locale, read):
    assert typed_amount(text, locale) == read


@pytest.mark.parametrize(("text", "locale"), [
    ("3.10", "de_DE"), ("1,234.50", "de_DE"), ("3,10", "en"), ("1e3", "en"), ("NaN", "de_DE"), ("12 EUR", "en"),
    ("1,2,3", "en"), ("--1", "de_DE"),
])
def test_an_amount_its_reader_would_not_write_is_refused_with_how_to_type_one(text, locale):
    with pytest.raises(MoneyError, match="is not a decimal amount: type one such as"):
        typed_amount(text, locale)


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False),
       st.sampled_from(READERS))
def test_what_a_page_shows_or_prefills_reads_back_exactly(amount, locale):
    # a field prefilled with an amount reads back as that amount
    assert Decimal(typed_amount(amount_input(amount, locale), locale)) == amount
    # and an amount as the one formatter shows it (grouped, the currency's code after it) reads back too
    shown = format_money(amount, "EUR", locale, unit_price=True).replace("EUR", "").strip()
    assert Decimal(typed_amount(shown, locale)) == amount
