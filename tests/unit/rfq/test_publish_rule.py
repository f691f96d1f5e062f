"""The one publish rule: what a draft still needs, in the buyer's words, listed on its page and refused with."""

from datetime import UTC, datetime, timedelta

from app.rfq import rules
from app.rfq.states import Visibility

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def gaps(**overrides):
    values = {"line_count": 2, "visibility": Visibility.INVITED, "invited_count": 1,
              "deadline": NOW + timedelta(days=1), "now": NOW}
    values.update(overrides)
    return rules.publish_gaps(**values)


def test_a_complete_draft_needs_nothing():
    assert gaps() == []


def test_an_open_draft_needs_no_invited_vendor():
    assert gaps(visibility=Visibility.OPEN, invited_count=0) == []


def test_each_missing_piece_is_named_in_order():
    # given a draft with no line, no vendor and a deadline that has passed
    # when
    needs = gaps(line_count=0, invited_count=0, deadline=NOW)
    # then
    assert needs == [
        "add at least one line",
        "invite at least one vendor, or make it open to every eligible vendor",
        "set a deadline in the future: this one has passed",
    ]
