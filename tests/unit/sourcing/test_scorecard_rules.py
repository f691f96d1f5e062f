"""The scorecards' arithmetic and withholding, as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.sourcing.scorecard_rules import (
    CONFIRM_WITHIN,
    MIN_OTHER_BUYERS,
    Group,
    History,
    OrderFacts,
    figures,
    gap_percent,
    median,
    movement_percent,
    order_outcome,
    percent,
    withheld_groups,
)

decimals = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(decimals, min_size=1, max_size=30))
def test_the_median_lies_between_the_extremes_and_ignores_order(values):
    result = median(values)
    assert result is not None and min(values) <= result <= max(values)
    assert median(list(reversed(values))) == result == median(sorted(values))
    below = sum(1 for v in values if v < result)
    above = sum(1 for v in values if v > result)
    assert below <= len(values) // 2 and above <= len(values) // 2


@given(st.lists(decimals, min_size=1, max_size=30), decimals)
def test_the_median_moves_with_a_shift(values, shift):
    assert median([v + shift for v in values]) == median(values) + shift  # type: ignore[operator]


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two_and_of_none_is_none():
    assert median([Decimal(1), Decimal(10), Decimal(3), Decimal(4)]) == Decimal("3.5")
    assert median([]) is None


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_percentage_of_a_part_is_between_0_and_100(part, whole):
    part = min(part, whole)
    result = percent(part, whole)
    assert result is not None and Decimal(0) <= result <= Decimal(100)
    assert result == result.quantize(Decimal("0.1"))
    assert percent(part, 0) is None


@given(st.integers(1, 10**9), st.integers(0, 10**9))
def test_a_price_is_its_gap_above_the_best(best, above):
    gap = gap_percent(best + above, best)
    assert gap is not None and gap >= 0
    assert (gap == 0) == (above == 0)
    assert abs(gap * best - Decimal(above) * 100) <= Decimal("1e-15") * best  # exact to 28 digits
    assert gap_percent(5, 0) is None


lines = st.dictionaries(st.integers(1, 8), st.tuples(st.integers(1, 10**7), st.integers(1, 1000)), min_size=1)


@given(lines, st.integers(-50, 50))
def test_negotiation_movement_follows_the_price_change(first, change):
    final = {line: (max(1, price + price * change // 100), qty) for line, (price, qty) in first.items()}
    movement = movement_percent(first, final)
    assert movement is not None
    if all(final[line][0] == first[line][0] for line in first):
        assert movement == 0
    elif all(final[line][0] <= first[line][0] for line in first):
        assert movement < 0


def test_movement_compares_only_lines_priced_in_both_at_the_first_quantity():
    first = {1: (100, 10), 2: (200, 10)}
    assert movement_percent(first, {1: (90, 99), 3: (5, 1)}) == Decimal(-10)
    assert movement_percent(first, {3: (5, 1)}) is None


PLACED = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_an_order_is_confirmed_on_time_within_48_hours_and_shipped_on_time_by_its_promise():
    promised = date(2026, 11, 7)
    on_time = order_outcome(OrderFacts("shipped", PLACED, PLACED + CONFIRM_WITHIN, promised,
                                       datetime(2026, 11, 7, 23, tzinfo=UTC)), PLACED + timedelta(days=10))
    assert on_time.confirmed_on_time and on_time.shipped_on_time and on_time.shipment_due
    late = order_outcome(OrderFacts("shipped", PLACED, PLACED + CONFIRM_WITHIN + timedelta(seconds=1), promised,
                                    datetime(2026, 11, 8, 0, 30, tzinfo=UTC)), PLACED + timedelta(days=10))
    assert late.confirmation_due and not late.confirmed_on_time and late.shipment_due and not late.shipped_on_time


def test_an_order_not_yet_due_counts_for_nothing_and_one_overdue_counts_late():
    fresh = order_outcome(OrderFacts("placed", PLACED, None, None, None), PLACED + timedelta(hours=1))
    assert not fresh.confirmation_due and not fresh.shipment_due
    overdue = order_outcome(OrderFacts("confirmed", PLACED, PLACED + timedelta(hours=1), date(2026, 11, 5), None),
                            PLACED + timedelta(days=5))
    assert overdue.shipment_due and not overdue.shipped_on_time
    silent = order_outcome(OrderFacts("placed", PLACED, None, None, None), PLACED + timedelta(days=3))
    assert silent.confirmation_due and not silent.confirmed_on_time
    rejected = order_outcome(OrderFacts("rejected", PLACED, None, None, None), PLACED + timedelta(days=3))
    assert rejected.rejected and not rejected.confirmation_due


histories = st.lists(
    st.builds(History, vendor_id=st.just(1), buyer_id=st.integers(10, 14), invited=st.integers(0, 3),
              answered=st.integers(0, 3), won=st.integers(0, 2),
              price_gaps=st.lists(st.decimals(0, 100, places=1), max_size=3),
              movements=st.lists(st.decimals(-50, 10, places=1), max_size=2), contracts=st.integers(0, 2),
              orders=st.integers(0, 3), rating_total=st.integers(0, 5), rating_count=st.integers(0, 1)),
    max_size=8,
)


@given(histories, st.frozensets(st.integers(10, 14), min_size=1, max_size=2))
def test_a_buyer_is_never_shown_a_group_of_figures_made_of_one_other_buyer(rows, viewer):
    withheld = set(withheld_groups(rows, viewer))
    for group in Group:
        others = {h.buyer_id for h in rows if h.has(group) and h.buyer_id not in viewer}
        # then a group is withheld exactly when one other buyer (or fewer than the minimum) made it
        assert (group in withheld) == (0 < len(others) < MIN_OTHER_BUYERS)
    shown = figures(rows, withheld)
    if Group.PRICE in withheld:
        assert shown.price_gap_median is None and shown.price_gap_lines is None
    if Group.RATINGS in withheld:
        assert shown.rating_average is None and shown.rating_count is None


@given(histories)
def test_figures_over_all_histories_are_the_sums_of_each_buyers(rows):
    result = figures(rows)
    assert result.rfqs_invited == sum(h.invited for h in rows)
    assert result.orders == sum(h.orders for h in rows)
    assert result.price_gap_lines == sum(len(h.price_gaps) for h in rows)
    assert result.withheld == ()
