import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rfq.states import (
    Actor,
    RfqStatus,
    TransitionError,
    accepts_offers,
    check_transition,
    editable,
    prices_revealed,
)


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        (RfqStatus.DRAFT, RfqStatus.PUBLISHED, Actor.BUYER),
        (RfqStatus.PUBLISHED, RfqStatus.CLOSED, Actor.SYSTEM),
        (RfqStatus.PUBLISHED, RfqStatus.CLOSED, Actor.BUYER),
        (RfqStatus.CLOSED, RfqStatus.AWARDED, Actor.AWARDER),
        (RfqStatus.DRAFT, RfqStatus.CANCELLED, Actor.BUYER),
        (RfqStatus.PUBLISHED, RfqStatus.CANCELLED, Actor.AWARDER),
        (RfqStatus.CLOSED, RfqStatus.CANCELLED, Actor.BUYER),
    ],
)
def test_the_allowed_moves(current, target, actor):
    check_transition(current, target, actor)


def test_only_an_awarder_awards():
    with pytest.raises(TransitionError, match="Only the awarder"):
        check_transition(RfqStatus.CLOSED, RfqStatus.AWARDED, Actor.BUYER)


@pytest.mark.parametrize(
    ("current", "target", "reason"),
    [
        (RfqStatus.AWARDED, RfqStatus.CANCELLED, "it has been awarded"),
        (RfqStatus.CANCELLED, RfqStatus.PUBLISHED, "it was cancelled"),
        (RfqStatus.PUBLISHED, RfqStatus.AWARDED, "it is published"),
        (RfqStatus.DRAFT, RfqStatus.CLOSED, "it is draft"),
        (RfqStatus.CLOSED, RfqStatus.PUBLISHED, "it is closed"),
    ],
)
def test_illegal_moves_say_why(current, target, reason):
    with pytest.raises(TransitionError, match=reason):
        check_transition(current, target, Actor.AWARDER)


@given(st.sampled_from(RfqStatus), st.sampled_from(RfqStatus), st.sampled_from(Actor))
def test_no_move_leaves_a_final_state_and_nothing_returns_to_draft(current, target, actor):
    if current in (RfqStatus.AWARDED, RfqStatus.CANCELLED) or target is RfqStatus.DRAFT:
        with pytest.raises(TransitionError):
            check_transition(current, target, actor)


def test_what_each_state_allows():
    assert [s for s in RfqStatus if editable(s)] == [RfqStatus.DRAFT]
    assert [s for s in RfqStatus if accepts_offers(s)] == [RfqStatus.PUBLISHED]
    assert {s for s in RfqStatus if prices_revealed(s)} == {RfqStatus.CLOSED, RfqStatus.AWARDED}
