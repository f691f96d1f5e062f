"""Reverse auction rules: coverage, ranking, best price, the minimum decrement, anti-sniping. No database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, InvalidInput
from app.offers.auction import (
    Bid,
    Extension,
    anti_snipe,
    best_price,
    bid_total,
    check_covers_every_line,
    check_decrement,
    most_allowed,
    rank_of,
    standings,
)

DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2027, 3, 1, 11, 0, tzinfo=UTC)


def bid(offer_id: int, vendor_id: int, total: str, seconds: int = 0) -> Bid:
    return Bid(offer_id=offer_id, vendor_id=vendor_id, total=Decimal(total),
               received_at=T0 + timedelta(seconds=seconds))


# --- what a bid is --------------------------------------------------------------------------------


def test_a_bid_total_is_exact_over_unit_prices_and_quantities():
    assert bid_total([(Decimal("0.0035"), 1000), (Decimal("12.50"), 3)]) == Decimal("41.0000")
    assert bid_total([]) == Decimal(0)


def test_a_bid_covering_every_line_in_full_passes():
    check_covers_every_line({1: 10, 2: 5}, {1: 10, 2: 5})


def test_a_bid_leaving_out_a_line_is_refused_naming_it():
    with pytest.raises(InvalidInput, match=r"every line.*lines \[2\]"):
        check_covers_every_line({1: 10, 2: 5}, {1: 10})


def test_a_bid_offering_less_than_asked_is_refused_naming_the_line():
    with pytest.raises(InvalidInput, match=r"full quantity.*lines \[2\]"):
        check_covers_every_line({1: 10, 2: 5}, {1: 10, 2: 4})


# --- ranking --------------------------------------------------------------------------------------


def test_the_lowest_total_ranks_first():
    bids = [bid(1, 10, "120"), bid(2, 20, "99.99"), bid(3, 30, "100")]
    assert [rank_of(bids, vendor) for vendor in (10, 20, 30)] == [3, 1, 2]


def test_a_tie_goes_to_the_bid_received_first():
    # given two bids of the same total, B's received a second earlier
    bids = [bid(1, 10, "100", seconds=5), bid(2, 20, "100", seconds=4)]
    # then B ranks first and nobody shares a rank
    assert rank_of(bids, 20) == 1
    assert rank_of(bids, 10) == 2


def test_a_tie_at_the_same_moment_goes_to_the_earlier_offer():
    bids = [bid(7, 10, "100"), bid(3, 20, "100")]
    assert [b.vendor_id for b in standings(bids)] == [20, 10]


def test_a_vendor_without_a_live_bid_has_no_rank():
    assert rank_of([bid(1, 10, "5")], 99) is None
    assert rank_of([], 10) is None


def test_the_best_price_is_the_lowest_total_or_none():
    assert best_price([bid(1, 10, "120"), bid(2, 20, "99.50")]) == Decimal("99.50")
    assert best_price([]) is None


@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 100)), min_size=1, max_size=12, unique_by=lambda t: t))
def test_ranks_are_a_permutation_and_follow_the_totals(raw):
    bids = [bid(i, 100 + i, str(total), seconds) for i, (total, seconds) in enumerate(raw, start=1)]
    ranks = {b.vendor_id: rank_of(bids, b.vendor_id) for b in bids}
    assert sorted(ranks.values()) == list(range(1, len(bids) + 1))
    for a in bids:
        for b in bids:
            if a.total < b.total:
                assert ranks[a.vendor_id] < ranks[b.vendor_id]
    assert best_price(bids) == standings(bids)[0].total


# --- minimum decrement ----------------------------------------------------------------------------


def test_a_first_bid_has_no_decrement_to_beat():
    check_decrement(None, Decimal("1000"), Decimal("5"), "EUR")


def test_a_bid_lower_by_exactly_the_decrement_passes():
    check_decrement(Decimal("100.00"), Decimal("95.00"), Decimal("5.00"), "EUR")


def test_a_bid_lower_by_less_than_the_decrement_says_the_most_it_may_bid():
    with pytest.raises(Conflict, match=r"at least 5.00 EUR: bid a total of at most 95.00 EUR") as caught:
        check_decrement(Decimal("100.00"), Decimal("95.01"), Decimal("5.00"), "EUR")
    assert "previous bid of 100.00 EUR" in caught.value.message


def test_a_higher_or_equal_bid_is_refused():
    for total in ("100.00", "130"):
        with pytest.raises(Conflict):
            check_decrement(Decimal("100.00"), Decimal(total), Decimal("0.01"), "EUR")


def test_the_most_allowed_is_the_previous_total_less_the_decrement():
    assert most_allowed(Decimal("100"), Decimal("0.50")) == Decimal("99.50")


@given(st.integers(1, 10**8), st.integers(1, 10**6), st.integers(0, 10**8))
def test_a_bid_passes_exactly_when_it_is_at_most_previous_less_decrement(previous, step, new):
    previous_total, decrement, total = Decimal(previous) / 100, Decimal(step) / 100, Decimal(new) / 100
    try:
        check_decrement(previous_total, total, decrement, "EUR")
        passed = True
    except Conflict:
        passed = False
    assert passed == (total <= previous_total - decrement)


# --- anti-sniping -----------------------------------------------------------------------------------


def test_a_bid_exactly_n_minutes_before_the_deadline_extends_it_by_n():
    assert anti_snipe(DEADLINE, DEADLINE - timedelta(minutes=5), 5, 30, 0) == Extension(
        DEADLINE + timedelta(minutes=5), 5
    )


def test_a_bid_just_more_than_n_minutes_before_extends_nothing():
    assert anti_snipe(DEADLINE, DEADLINE - timedelta(minutes=5, microseconds=1), 5, 30, 0) is None


def test_a_bid_in_the_last_second_extends_from_the_deadline_not_from_the_bid():
    extension = anti_snipe(DEADLINE, DEADLINE - timedelta(seconds=1), 5, 30, 10)
    assert extension == Extension(DEADLINE + timedelta(minutes=5), 5)


def test_no_extension_once_the_cap_is_reached():
    assert anti_snipe(DEADLINE, DEADLINE - timedelta(minutes=1), 5, 30, 30) is None


def test_the_last_extension_is_cut_to_what_is_left_of_the_cap():
    assert anti_snipe(DEADLINE, DEADLINE - timedelta(minutes=1), 5, 12, 10) == Extension(
        DEADLINE + timedelta(minutes=2), 2
    )


def test_no_extension_when_anti_sniping_is_off_or_the_bid_is_late():
    assert anti_snipe(DEADLINE, DEADLINE - timedelta(minutes=1), 0, 30, 0) is None
    assert anti_snipe(DEADLINE, DEADLINE, 5, 30, 0) is None


@given(st.lists(st.integers(0, 600), min_size=1, max_size=40), st.integers(1, 60), st.integers(0, 300))
def test_the_total_extension_never_exceeds_the_cap(gaps, minutes, cap):
    # a bid in every gap seconds before the (moving) deadline: the extension adds up to at most the cap
    deadline, extended = DEADLINE, 0
    for gap in gaps:
        extension = anti_snipe(deadline, deadline - timedelta(seconds=gap), minutes, cap, extended)
        if extension is not None:
            assert 0 < extension.minutes <= minutes
            extended += extension.minutes
            deadline = extension.deadline
    assert extended <= max(cap, 0)
    assert deadline == DEADLINE + timedelta(minutes=extended)
