"""The award's justification rule: which lines go to an offer that is not the cheapest, and the text they need."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.contracts import rules
from app.contracts.rules import AwardChoice

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4)


def test_a_line_awarded_above_the_lowest_offer_needs_a_justification():
    # given line 1 to the cheapest offer, line 2 to a dearer one, line 3 to a tie with the cheapest
    choices = [
        AwardChoice(1, Decimal("0.085"), (Decimal("0.085"), Decimal("0.095"))),
        AwardChoice(2, Decimal("4.00"), (Decimal("4.00"), Decimal("3.50"))),
        AwardChoice(3, Decimal("2"), (Decimal("2.00"), Decimal("2"))),
    ]
    # when the rule looks at them / then only line 2 needs one
    assert rules.lines_needing_justification(choices) == [2]


def test_the_missing_justification_names_the_lines_by_position():
    with pytest.raises(rules.RuleError, match="Lines 2, 5 go to an offer that is not the cheapest"):
        rules.check_justification([2, 5], "   ")
    with pytest.raises(rules.RuleError, match="Line 3 goes to"):
        rules.check_justification([3], "")
    with pytest.raises(rules.RuleError, match="longer than 2000"):
        rules.check_justification([3], "x" * 2001)
    assert rules.check_justification([3], "  Faster delivery  ") == "Faster delivery"
    assert rules.check_justification([], "") == ""


@given(st.lists(st.tuples(st.integers(1, 200), st.lists(prices, min_size=1, max_size=6), st.data()), max_size=10))
def test_needing_a_justification_is_exactly_paying_more_than_the_lowest_offer(rows):
    # given lines each awarded to one of the prices offered for it
    choices = [AwardChoice(pos, data.draw(st.sampled_from(offered)), tuple(offered)) for pos, offered, data in rows]
    needing = rules.lines_needing_justification(choices)
    # then the answer is the sorted positions, without repeats, of the lines paid above their lowest offer
    assert needing == sorted(set(needing))
    assert set(needing) == {c.position for c in choices if c.chosen_price > min(c.offered_prices)}


@given(st.lists(st.tuples(st.integers(1, 200), st.lists(prices, min_size=1, max_size=6)), max_size=10))
def test_awarding_every_line_to_its_cheapest_offer_never_needs_a_justification(rows):
    choices = [AwardChoice(pos, min(offered), tuple(offered)) for pos, offered in rows]
    assert rules.lines_needing_justification(choices) == []
    assert rules.check_justification(rules.lines_needing_justification(choices), "") == ""
