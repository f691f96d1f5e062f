"""The ratings' arithmetic: exact averages, and another buyer's ratings never shown alone to a buyer."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.contracts.ratings import MIN_OTHER_BUYERS, BuyerRatings, VendorRating, aggregate, average

scores = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=40)


@given(scores)
def test_the_average_lies_between_the_lowest_and_highest_score_and_is_exact(values):
    result = average(sum(values), len(values))
    assert min(values) <= result <= max(values)
    assert abs(result - Decimal(sum(values)) / len(values)) <= Decimal("0.005")
    assert result == result.quantize(Decimal("0.01"))


def test_an_average_rounds_half_up_and_needs_a_rating():
    assert average(7, 2) == Decimal("3.50") and average(11, 3) == Decimal("3.67") and average(1, 8) == Decimal("0.13")
    with pytest.raises(ValueError):
        average(0, 0)


buyer_rows = st.lists(
    st.builds(BuyerRatings, vendor_id=st.integers(1, 3), buyer_id=st.integers(10, 14),
              total=st.integers(1, 5), count=st.just(1)),
    max_size=25,
).map(lambda rows: _merged(rows))


def _merged(rows: list[BuyerRatings]) -> list[BuyerRatings]:
    """One row per (vendor, buyer), as the loader's GROUP BY gives them."""
    sums: dict[tuple[int, int], tuple[int, int]] = {}
    for row in rows:
        total, count = sums.get((row.vendor_id, row.buyer_id), (0, 0))
        sums[(row.vendor_id, row.buyer_id)] = (total + row.total, count + row.count)
    return [BuyerRatings(v, b, total, count) for (v, b), (total, count) in sums.items()]


@given(buyer_rows)
def test_operators_and_vendors_get_every_rating(rows):
    result = aggregate(rows, viewer_buyer_id=None)
    for vendor_id in {row.vendor_id for row in rows}:
        mine = [row for row in rows if row.vendor_id == vendor_id]
        assert result[vendor_id].count == sum(row.count for row in mine)
        assert result[vendor_id] == VendorRating(average(sum(r.total for r in mine), sum(r.count for r in mine)),
                                                 sum(r.count for r in mine))


@given(buyer_rows, st.integers(10, 14))
def test_a_buyer_never_sees_a_figure_made_of_one_other_buyers_ratings(rows, viewer):
    result = aggregate(rows, viewer_buyer_id=viewer)
    for vendor_id, figure in result.items():
        mine = [row for row in rows if row.vendor_id == vendor_id]
        own = sum(row.count for row in mine if row.buyer_id == viewer)
        others = {row.buyer_id for row in mine if row.buyer_id != viewer}
        # then the figure is the viewer's own, or also counts at least MIN_OTHER_BUYERS other companies
        if len(others) < MIN_OTHER_BUYERS:
            assert figure.count == own
        else:
            assert figure.count == sum(row.count for row in mine)
    # and a vendor with only one other buyer's ratings is absent altogether
    for vendor_id in {row.vendor_id for row in rows} - set(result):
        assert not any(row.buyer_id == viewer for row in rows if row.vendor_id == vendor_id)


def test_two_other_buyers_make_an_aggregate_one_does_not():
    one = [BuyerRatings(1, 20, 2, 1)]
    assert aggregate(one, viewer_buyer_id=10) == {}
    two = [*one, BuyerRatings(1, 21, 5, 1)]
    assert aggregate(two, viewer_buyer_id=10) == {1: VendorRating(Decimal("3.50"), 2)}
    assert aggregate([*one, BuyerRatings(1, 10, 4, 2)], viewer_buyer_id=10) == {1: VendorRating(Decimal("2.00"), 2)}
