"""Contract consumption: the split at what remains, the 80 % and 100 % marks, and giving back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.contract_consumption import MARKS, Split, crossed_marks, give_back, remaining, split


@pytest.mark.parametrize(
    ("quantity", "committed", "consumed", "expected"),
    [
        (10, 100, 0, Split(10, 0)),  # fits
        (10, 100, 90, Split(10, 0)),  # fits exactly
        (10, 100, 95, Split(5, 5)),  # half beyond
        (10, 100, 100, Split(0, 10)),  # all consumed
        (10, None, 10_000, Split(10, 0)),  # unlimited
        (10, 50, 80, Split(0, 10)),  # an amendment lowered the committed quantity below what was ordered
        (0, 100, 0, Split(0, 0)),
    ],
)
def test_an_order_line_takes_the_contract_price_for_what_remains(quantity, committed, consumed, expected):
    assert split(quantity, committed, consumed) == expected


def test_what_remains():
    assert [remaining(100, 0), remaining(100, 80), remaining(100, 100), remaining(50, 80), remaining(None, 7)] == [
        100, 20, 0, 0, None]


def test_the_story_of_a_contract_line_consumed_cancelled_and_consumed_again():
    # given a contract line for 100 units
    committed, consumed = 100, 0
    # when a first order takes 70 and a second asks for 50
    first = split(70, committed, consumed)
    consumed += first.at_contract
    second = split(50, committed, consumed)
    consumed += second.at_contract
    # then the second gets 30 at the contract price and 20 beyond, and the line is used up
    assert (first, second, consumed) == (Split(70, 0), Split(30, 20), 100)
    # when the first order is cancelled, it gives its 70 back
    consumed = give_back(consumed, first.at_contract)
    # then 70 remain for the next order
    assert (consumed, split(90, committed, consumed)) == (30, Split(70, 20))


def test_give_back_never_goes_below_zero():
    assert give_back(5, 3) == 2
    assert give_back(5, 5) == 0
    assert give_back(5, 9) == 0


@pytest.mark.parametrize(
    ("committed", "before", "after", "crossed"),
    [
        (100, 0, 79, []),
        (100, 0, 80, [80]),  # reaching a mark crosses it
        (100, 79, 80, [80]),
        (100, 80, 99, []),  # already at 80: not crossed again
        (100, 0, 100, [80, 100]),
        (100, 99, 100, [100]),
        (100, 100, 100, []),
        (10, 7, 8, [80]),
        (3, 2, 3, [80, 100]),  # 2/3 is 66 %, 3/3 is 100 %
        (7, 5, 6, [80]),  # 5/7 is 71.4 %, 6/7 is 85.7 %: no rounding, integers only
        (None, 0, 10**9, []),  # unlimited: no marks
        (100, 90, 50, []),  # a give-back crosses nothing
    ],
)
def test_a_mark_is_crossed_from_below_to_at_or_above(committed, before, after, crossed):
    assert crossed_marks(committed, before, after) == crossed


def test_a_mark_already_notified_is_not_notified_again_after_a_give_back():
    # given 85 of 100 consumed, the 80 % mark notified
    notified = crossed_marks(100, 0, 85)
    assert notified == [80]
    # when an order gives 20 back and another asks for 40, of which 35 at the contract price
    consumed = give_back(85, 20)
    after = consumed + split(40, 100, consumed).at_contract
    # then 80 % is crossed again but only the 100 % mark is news
    assert crossed_marks(100, consumed, after) == [80, 100]
    assert crossed_marks(100, consumed, after, notified=notified) == [100]


def test_other_marks_can_be_asked_for():
    assert crossed_marks(200, 0, 120, marks=(50, 75, 50)) == [50]
    with pytest.raises(ValueError, match="percentage"):
        crossed_marks(100, 0, 10, marks=(0,))


@pytest.mark.parametrize(
    "call",
    [
        lambda: split(-1, 10, 0),
        lambda: split(1, -1, 0),
        lambda: split(1, 10, -1),
        lambda: give_back(-1, 1),
        lambda: give_back(1, -1),
        lambda: crossed_marks(10, -1, 1),
        lambda: crossed_marks(-10, 0, 1),
    ],
)
def test_negative_quantities_are_programming_errors(call):
    with pytest.raises(ValueError, match="cannot be negative"):
        call()


# --- properties -------------------------------------------------------------------------------------

committeds = st.one_of(st.none(), st.integers(min_value=0, max_value=1_000))
quantities = st.integers(min_value=0, max_value=1_500)


@given(quantities, committeds, st.integers(min_value=0, max_value=1_500))
def test_the_parts_make_the_line_and_the_contract_part_fits_what_remains(quantity, committed, consumed):
    # when any line is split against any state of a contract line
    parts = split(quantity, committed, consumed)
    left = remaining(committed, consumed)
    # then the parts add up, the contract part fits what remains, and nothing goes beyond when the line fits
    assert parts.at_contract + parts.beyond == quantity
    assert parts.at_contract >= 0 and parts.beyond >= 0
    if left is not None:
        assert parts.at_contract <= left
        assert consumed + parts.at_contract <= max(committed, consumed)
    if left is None or quantity <= left:
        assert parts.beyond == 0


@given(st.integers(min_value=0, max_value=1_000), st.lists(st.tuples(st.booleans(), quantities), max_size=30))
def test_consumed_never_exceeds_committed_over_any_sequence_of_orders_and_give_backs(committed, events):
    # given a contract line and the order lines that consumed it so far
    consumed, taken = 0, []
    for cancel, quantity in events:
        # when an order is placed, or (sometimes) an earlier one is cancelled
        if cancel and taken:
            consumed = give_back(consumed, taken.pop(0))
        else:
            parts = split(quantity, committed, consumed)
            consumed += parts.at_contract
            taken.append(parts.at_contract)
        # then the consumed quantity is what the open orders hold, and never more than committed
        assert consumed == sum(taken) <= committed


@given(st.one_of(st.none(), st.integers(min_value=1, max_value=1_000)), quantities, st.data())
def test_give_back_then_split_round_trips(committed, quantity, data):
    # given a contract line in any state it can reach
    consumed = data.draw(st.integers(min_value=0, max_value=committed if committed is not None else 2_000))
    # when a line is split and consumed, then given back
    parts = split(quantity, committed, consumed)
    returned = give_back(consumed + parts.at_contract, parts.at_contract)
    # then the contract line is back where it was, and the same line splits the same way again
    assert returned == consumed
    assert split(quantity, committed, returned) == parts


@given(st.integers(min_value=1, max_value=1_000), st.lists(st.integers(min_value=0, max_value=300), max_size=30))
def test_each_mark_is_crossed_exactly_once_by_rising_consumption_that_passes_it(committed, increments):
    # given consumption rising by orders split at the contract line (so it stops at the committed quantity)
    consumed, heard = 0, []
    for quantity in increments:
        after = consumed + split(quantity, committed, consumed).at_contract
        heard += crossed_marks(committed, consumed, after)
        consumed = after
    # then every mark the final consumption reached was heard once, and no other
    reached = [m for m in MARKS if 100 * consumed >= m * committed]
    assert sorted(heard) == reached


@given(st.integers(min_value=1, max_value=1_000), st.lists(st.tuples(st.booleans(), quantities), max_size=40))
def test_with_give_backs_each_mark_is_notified_at_most_once(committed, events):
    # given orders and cancellations in any order, the marks notified so far remembered with the line
    consumed, taken, notified, peak = 0, [], [], 0
    for cancel, quantity in events:
        if cancel and taken:
            consumed = give_back(consumed, taken.pop())
            continue
        parts = split(quantity, committed, consumed)
        notified += crossed_marks(committed, consumed, consumed + parts.at_contract, notified=notified)
        consumed += parts.at_contract
        taken.append(parts.at_contract)
        peak = max(peak, consumed)
    # then no mark was notified twice, and each mark the consumption ever reached was notified
    assert len(notified) == len(set(notified))
    assert set(notified) == {m for m in MARKS if 100 * peak >= m * committed}
