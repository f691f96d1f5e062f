"""The one sealed-bid decision (rfq.access.buyer_sees_offers) and the one deadline rule (rfq.rules.bidding_over):
what each caller gets before and after the close, and that every deadline check agrees with the rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, NotFound
from app.rfq import rules
from app.rfq.access import WhenSealed, buyer_sees_offers
from app.rfq.states import RfqStatus, prices_revealed

DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC))


@dataclass(frozen=True)
class Bidding:
    status: RfqStatus
    deadline: datetime = DEADLINE


@pytest.mark.parametrize("status", [RfqStatus.CLOSED, RfqStatus.AWARDED])
@pytest.mark.parametrize("when_sealed", list(WhenSealed))
def test_after_the_close_every_caller_sees_the_offers(status, when_sealed):
    assert buyer_sees_offers(Bidding(status), when_sealed) is True


@pytest.mark.parametrize("status", [RfqStatus.DRAFT, RfqStatus.PUBLISHED, RfqStatus.CANCELLED])
def test_before_the_close_a_view_hides_them(status):
    assert buyer_sees_offers(Bidding(status), WhenSealed.HIDE) is False


@pytest.mark.parametrize("status", [RfqStatus.DRAFT, RfqStatus.PUBLISHED, RfqStatus.CANCELLED])
def test_before_the_close_one_offer_asked_by_id_is_missing_like_any_other(status):
    with pytest.raises(NotFound) as refused:
        buyer_sees_offers(Bidding(status), WhenSealed.MISSING)
    assert refused.value.message == "No such offer."


def test_before_the_close_the_comparison_says_when_it_opens():
    with pytest.raises(Conflict) as refused:
        buyer_sees_offers(Bidding(RfqStatus.PUBLISHED), WhenSealed.REFUSE)
    assert "sealed until bidding closes (Mar 1, 2027, 12:00 UTC)" in refused.value.message


@given(status=st.sampled_from(RfqStatus), when_sealed=st.sampled_from(WhenSealed))
def test_the_decision_follows_the_state_rule_whatever_the_caller_asked(status, when_sealed):
    try:
        seen = buyer_sees_offers(Bidding(status), when_sealed)
    except (NotFound, Conflict):
        seen = False
    assert seen is prices_revealed(status)


@given(deadline=moments, now=moments)
def test_bidding_is_over_at_the_deadline_itself(deadline, now):
    assert rules.bidding_over(deadline, now) is (now >= deadline)


@given(deadline=moments, now=moments)
def test_an_offer_is_taken_exactly_while_bidding_is_not_over(deadline, now):
    try:
        rules.check_bidding_open(RfqStatus.PUBLISHED, deadline, now)
        taken = True
    except Conflict:
        taken = False
    assert taken is not rules.bidding_over(deadline, now)


@given(deadline=moments, now=moments)
def test_a_new_deadline_is_accepted_exactly_when_bidding_would_not_be_over(deadline, now):
    try:
        rules.check_deadline(deadline, now)
        accepted = True
    except rules.RuleError:
        accepted = False
    assert accepted is not rules.bidding_over(deadline, now)


def test_an_extension_needs_bidding_still_open():
    with pytest.raises(rules.RuleError, match="already passed"):
        rules.check_extension(DEADLINE, DEADLINE + timedelta(days=1), DEADLINE)
    rules.check_extension(DEADLINE, DEADLINE + timedelta(days=1), DEADLINE - timedelta(seconds=1))
