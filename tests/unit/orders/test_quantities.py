"""A line's quantity against its listing: minimum order, pack size, stock; what is refused and what would do."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.orders.quantities import (
    QuantityRule,
    check_quantity,
    largest_allowed,
    nearest_allowed,
    smallest_allowed,
)

R = QuantityRule


@pytest.mark.parametrize(
    ("quantity", "min_order_qty", "pack_size", "stock"),
    [
        (1, 1, 1, None),
        (10, 10, 1, None),
        (12, 10, 4, None),
        (48, 10, 4, 50),
        (50, 1, 1, 50),  # the whole stock
        (1_000_000, 1, 1, None),  # untracked stock sets no limit
    ],
)
def test_a_quantity_that_keeps_every_rule_is_accepted(quantity, min_order_qty, pack_size, stock):
    assert check_quantity(quantity, min_order_qty, pack_size, stock) is None


@pytest.mark.parametrize(
    ("quantity", "listing", "rule", "allowed", "message"),
    [
        (5, (10, 1, None), R.BELOW_MINIMUM, (10,), "The minimum order quantity is 10. You could order 10."),
        (8, (10, 4, None), R.BELOW_MINIMUM, (12,), "The minimum order quantity is 10. You could order 12."),
        (0, (1, 6, None), R.BELOW_MINIMUM, (6,), "The minimum order quantity is 1. You could order 6."),
        (-3, (1, 1, 9), R.BELOW_MINIMUM, (1,), "The minimum order quantity is 1. You could order 1."),
        (13, (1, 6, None), R.NOT_A_PACK_MULTIPLE, (12, 18),
         "Sold in packs of 6: order a multiple of 6. You could order 12 or 18."),
        (11, (10, 4, None), R.NOT_A_PACK_MULTIPLE, (12,),
         "Sold in packs of 4: order a multiple of 4. You could order 12."),
        (13, (1, 6, 15), R.NOT_A_PACK_MULTIPLE, (12,),
         "Sold in packs of 6: order a multiple of 6. You could order 12."),
        (60, (1, 1, 42), R.BEYOND_STOCK, (42,), "Only 42 left in stock. You could order 42."),
        (40, (10, 4, 30), R.BEYOND_STOCK, (28,), "Only 30 left in stock. You could order 28."),
        (3, (1, 1, 0), R.OUT_OF_STOCK, (), "Out of stock."),
        (10, (10, 1, 7), R.OUT_OF_STOCK, (), "Out of stock: 7 left, but the smallest quantity sold is 10."),
        (12, (10, 4, 11), R.OUT_OF_STOCK, (), "Out of stock: 11 left, but the smallest quantity sold is 12."),
    ],
)
def test_a_refused_quantity_names_its_rule_and_what_would_do(quantity, listing, rule, allowed, message):
    # given a listing (minimum, pack size, stock) and a quantity that breaks a rule
    # when it is checked
    problem = check_quantity(quantity, *listing)
    # then the problem names the rule, the nearest allowed quantities, and says both
    assert problem is not None
    assert (problem.rule, problem.allowed, problem.message) == (rule, allowed, message)


def test_when_several_rules_break_the_minimum_is_named_first_then_the_pack():
    # given 3 asked of a listing sold from 10 in packs of 4 with 100 in stock: below the minimum and not whole packs
    problem = check_quantity(3, 10, 4, 100)
    assert problem is not None and problem.rule is R.BELOW_MINIMUM
    # and 101 of packs of 4 with 100 in stock: beyond stock and not whole packs
    problem = check_quantity(101, 1, 4, 100)
    assert problem is not None and (problem.rule, problem.allowed) == (R.NOT_A_PACK_MULTIPLE, (100,))


def test_out_of_stock_wins_over_every_other_rule():
    for quantity in (-1, 0, 1, 5, 7, 100):
        problem = check_quantity(quantity, 5, 5, 4)
        assert problem is not None and problem.rule is R.OUT_OF_STOCK


def test_the_smallest_and_largest_quantities_sold():
    assert [smallest_allowed(m, p) for m, p in [(1, 1), (10, 1), (10, 4), (12, 4), (1, 6), (7, 7)]] == [
        1, 10, 12, 12, 6, 7]
    assert [largest_allowed(p, s) for p, s in [(1, None), (4, 30), (4, 3), (1, 0), (5, 25)]] == [None, 28, 0, 0, 25]


@pytest.mark.parametrize("listing", [(0, 1, None), (1, 0, None), (1, 1, -1), (-5, 1, None)])
def test_a_listing_without_sane_rules_is_a_programming_error(listing):
    with pytest.raises(ValueError, match="a listing needs"):
        check_quantity(1, *listing)


# --- properties -------------------------------------------------------------------------------------

quantities = st.integers(min_value=-5, max_value=400)
minimums = st.integers(min_value=1, max_value=60)
packs = st.integers(min_value=1, max_value=24)
stocks = st.one_of(st.none(), st.integers(min_value=0, max_value=300))


def keeps_every_rule(quantity, min_order_qty, pack_size, stock):
    return quantity >= min_order_qty and quantity % pack_size == 0 and (stock is None or quantity <= stock)


@given(quantities, minimums, packs, stocks)
def test_a_quantity_is_accepted_exactly_when_it_is_whole_packs_from_the_minimum_within_stock(q, m, p, s):
    assert (check_quantity(q, m, p, s) is None) == keeps_every_rule(q, m, p, s)


@given(quantities, minimums, packs, stocks)
def test_every_suggested_quantity_is_accepted(q, m, p, s):
    problem = check_quantity(q, m, p, s)
    if problem is not None:
        assert all(check_quantity(a, m, p, s) is None for a in problem.allowed)
        assert list(problem.allowed) == sorted(set(problem.allowed)) and len(problem.allowed) <= 2


@given(quantities, minimums, packs, stocks)
def test_the_suggestions_are_the_nearest_accepted_quantities_on_each_side(q, m, p, s):
    # given every accepted quantity in a window wide enough to hold the nearest on both sides
    accepted = [a for a in range(-5, 500) if keeps_every_rule(a, m, p, s)]
    below = [a for a in accepted if a <= q]
    above = [a for a in accepted if a >= q]
    # then the suggestions are the largest at or below and the smallest at or above
    expected = sorted({*below[-1:], *above[:1]})
    assert list(nearest_allowed(q, m, p, s)) == expected


@given(quantities, minimums, packs, stocks)
def test_nothing_is_suggested_exactly_when_nothing_can_be_ordered(q, m, p, s):
    problem = check_quantity(q, m, p, s)
    nothing_sold = s is not None and not any(keeps_every_rule(a, m, p, s) for a in range(1, s + 1))
    if problem is not None:
        assert (problem.allowed == ()) == nothing_sold == (problem.rule is R.OUT_OF_STOCK)
    else:
        assert not nothing_sold


@given(st.integers(min_value=1, max_value=400), minimums, packs, stocks)
def test_the_message_names_its_suggestions(q, m, p, s):
    problem = check_quantity(q, m, p, s)
    if problem is not None and problem.allowed:
        assert problem.message.endswith(f"You could order {' or '.join(map(str, problem.allowed))}.")
