"""The comparison arithmetic: best price per line, totals, coverage, savings; properties with hypothesis."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.offers.comparison import Bid, LineAsked, PriceOffered, compare

D = Decimal


def line(line_id: int, quantity: int, target: str | None = None) -> LineAsked:
    return LineAsked(line_id, line_id, f"item {line_id}", quantity, "pcs", D(target) if target else None)


def bid(offer_id: int, prices: dict[int, tuple[str, int]], lead: int = 5) -> Bid:
    return Bid(offer_id, offer_id * 10, f"Vendor {offer_id}", 1, lead, None,
               {k: PriceOffered(D(p), q) for k, (p, q) in prices.items()})


def test_the_matrix_marks_the_best_price_per_line_and_sums_each_vendor():
    # given two lines and two vendors, B leaving line 2 out
    lines = [line(1, 100, "1.00"), line(2, 10)]
    bids = [bid(1, {1: ("0.90", 100), 2: ("5.0000", 10)}), bid(2, {1: ("0.8500", 50)})]
    # when compared
    result = compare(lines, bids)
    # then A (full coverage) comes first; line 1's best is B, line 2's is A
    a, b = result.vendors
    assert (a.offer_id, a.total, a.lines_offered, a.lines_best) == (1, D("140.00"), 2, 1)
    assert (b.offer_id, b.total, b.lines_offered, b.lines_best) == (2, D("42.5000"), 1, 1)
    first, second = result.rows
    assert [c.best for c in first.cells] == [False, True] and first.best_unit_price == D("0.85")
    assert second.cells[1] is None and second.cells[0].best
    # and savings against the target count only the lines that have one, for the quantity offered
    assert a.savings == D("10.00") and b.savings == D("7.50")
    assert (a.lines_without_target, b.lines_without_target) == (1, 0)
    assert result.coverage(b) == "1/2"


def test_a_vendor_whose_lines_have_no_target_has_no_savings_rather_than_zero():
    # given a line with a target and one without; A offers both, B only the one without
    lines = [line(1, 10, "2.00"), line(2, 10)]
    bids = [bid(1, {1: ("2.00", 10), 2: ("1.00", 10)}), bid(2, {2: ("0.50", 10)})]
    # when compared
    a, b = compare(lines, bids).vendors
    # then A saved exactly nothing on the line with a target, and its other line is counted as left out
    assert (a.savings, a.lines_without_target) == (D("0.00"), 1)
    # and B has no savings figure at all: none of its lines has a target
    assert (b.savings, b.lines_without_target) == (None, 1)


def test_ties_are_all_marked_best_and_no_offers_leave_no_best():
    result = compare([line(1, 1), line(2, 1)], [bid(1, {1: ("2", 1)}), bid(2, {1: ("2.00", 1)})])
    assert [c.best for c in result.rows[0].cells] == [True, True]
    assert result.rows[1].best_unit_price is None and result.rows[1].cells == (None, None)


def test_prices_for_unknown_lines_are_ignored():
    result = compare([line(1, 1)], [bid(1, {1: ("3", 1), 99: ("0.01", 1)})])
    assert result.vendors[0].total == D("3") and result.rows[0].cells[0].best


prices = st.decimals(min_value=D("0.0001"), max_value=D("100000"), places=4)
offers = st.dictionaries(st.integers(1, 6), st.tuples(prices, st.integers(1, 1000)), max_size=6)


@given(st.lists(offers, min_size=1, max_size=6), st.randoms())
def test_properties_of_any_comparison(bid_prices, rnd):
    lines = [line(i, 1000, "50") for i in range(1, 6)]  # line 6 is not asked
    bids = [Bid(n, n, f"V{n}", 1, 0, None, {k: PriceOffered(p, q) for k, (p, q) in d.items()})
            for n, d in enumerate(bid_prices, start=1)]
    result = compare(lines, bids)
    for row in result.rows:
        offered = [c for c in row.cells if c is not None]
        # the best price is the lowest offered, every cell at it is marked and no other
        assert row.best_unit_price == (min(c.unit_price for c in offered) if offered else None)
        assert all(c.best == (c.unit_price == row.best_unit_price) for c in offered)
        assert all(c.extended_price == c.unit_price * c.quantity for c in offered)
    for index, vendor in enumerate(result.vendors):
        cells = [row.cells[index] for row in result.rows if row.cells[index] is not None]
        assert vendor.total == sum((c.extended_price for c in cells), D(0))
        assert vendor.lines_offered == len(cells) <= result.line_count == 5
        # every asked line has a target: savings over all of them, None only for a vendor with no line offered
        assert vendor.savings == (sum(((D(50) - c.unit_price) * c.quantity for c in cells), D(0)) if cells else None)
        assert vendor.lines_without_target == 0
    # the order of the bids does not change the outcome
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    assert compare(lines, shuffled) == result
