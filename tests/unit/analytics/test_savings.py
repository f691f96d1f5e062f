"""The savings arithmetic: exact, per currency, and the same however the lines are grouped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.analytics.savings import (
    Baseline,
    Comparison,
    Figures,
    LineFacts,
    line_figures,
    median,
    percent_of,
    premium_percent,
    roll_up,
)

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4)
maybe_price = st.none() | prices
lines = st.builds(
    LineFacts,
    quantity=st.integers(min_value=1, max_value=100_000),
    unit_price=prices,
    target=maybe_price,
    last_contract=maybe_price,
    first_offers=st.lists(prices, max_size=7).map(tuple),
    own_first_offer=maybe_price,
    consumed_quantity=st.integers(min_value=0, max_value=100_000),
)
currencies = st.sampled_from(["EUR", "USD", "JPY"])
groups = st.sampled_from(["2026-01", "2026-02", "gloves", "masks"])


@given(st.lists(prices, min_size=1, max_size=30))
def test_the_median_lies_between_the_extremes_whatever_the_order(values):
    middle = median(values)
    assert min(values) <= middle <= max(values)
    assert median(list(reversed(values))) == middle
    below = sum(1 for v in values if v < middle)
    above = sum(1 for v in values if v > middle)
    assert below <= len(values) // 2 and above <= len(values) // 2


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two_and_of_nothing_none():
    assert median([Decimal("0.0922"), Decimal("0.0950")]) == Decimal("0.0936")
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == Decimal(2)
    assert median([]) is None


@given(lines, currencies)
def test_a_line_compares_each_baseline_it_has_at_its_quantity(line, currency):
    figures = line_figures(line, currency)
    awarded = line.unit_price * line.quantity
    assert figures.awarded == awarded and figures.lines == 1
    given_baselines = {
        Baseline.TARGET: line.target, Baseline.LAST_CONTRACT: line.last_contract,
        Baseline.MEDIAN_FIRST_OFFER: median(line.first_offers), Baseline.FIRST_OFFER: line.own_first_offer,
    }
    for baseline, price in given_baselines.items():
        compared = figures.against(baseline)
        if price is None:
            assert compared == Comparison()  # a line without the baseline says nothing about it
        else:
            assert compared.saving == (price - line.unit_price) * line.quantity
            assert compared.awarded == awarded


@given(st.lists(st.tuples(groups, lines, currencies), max_size=25))
def test_rolling_up_keeps_currencies_apart_and_loses_nothing(rows):
    figures = [(group, line_figures(line, currency)) for group, line, currency in rows]
    by_group = roll_up(figures)
    total = roll_up(figures, key=lambda _: "total")
    for (_, currency), f in by_group.items():
        assert f.currency == currency
    for currency in {c for _, _, c in rows}:
        mine = [f for _, f in figures if f.currency == currency]
        expected = sum((f.awarded for f in mine), Decimal(0))
        assert total[("total", currency)].awarded == expected
        assert sum(f.awarded for (_, c), f in by_group.items() if c == currency) == expected
        for baseline in Baseline:
            assert total[("total", currency)].against(baseline).saving == sum(
                (f.against(baseline).saving for f in mine), Decimal(0))
    assert sum(f.lines for f in total.values()) == len(rows)


def test_figures_in_two_currencies_never_add_up():
    with pytest.raises(ValueError, match="cannot add USD"):
        _ = Figures("EUR", 1, Decimal(1)) + Figures("USD", 1, Decimal(1))


@given(prices, prices)
def test_a_saving_is_positive_exactly_when_the_award_is_below_the_baseline(baseline, awarded):
    compared = Comparison(baseline, awarded, 1)
    assert (compared.saving > 0) == (awarded < baseline)
    assert compared.percent is not None
    assert compared.percent == 0 or (compared.percent > 0) == (awarded < baseline)


def test_percentages_round_half_up_to_one_decimal_and_need_a_whole():
    assert percent_of(Decimal(1), Decimal(3)) == Decimal("33.3")
    assert percent_of(Decimal("0.05"), Decimal(100)) == Decimal("0.1")
    assert percent_of(Decimal(1), Decimal(0)) is None
    assert premium_percent(Decimal(110), Decimal(100)) == Decimal("10.0")
    assert premium_percent(Decimal(100), Decimal(100)) == Decimal("0.0")
