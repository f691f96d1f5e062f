"""How a past RFQ ended for one vendor (offers.rules.outcome_of): from what that vendor did, nothing else."""

from __future__ import annotations

import pytest

from app.offers.rules import Outcome, outcome_of
from app.rfq.states import RfqStatus

AWARDED, CLOSED, CANCELLED = RfqStatus.AWARDED, RfqStatus.CLOSED, RfqStatus.CANCELLED


@pytest.mark.parametrize(("status", "won", "offered", "declined", "expected"), [
    (AWARDED, True, True, False, Outcome.WON),
    (AWARDED, False, True, False, Outcome.LOST),
    (AWARDED, False, False, True, Outcome.DECLINED),
    (AWARDED, False, False, False, Outcome.NO_ANSWER),
    (CLOSED, False, True, False, Outcome.PENDING),
    (CLOSED, False, False, False, Outcome.NO_ANSWER),
    (CANCELLED, False, True, False, Outcome.CANCELLED),
    (RfqStatus.PUBLISHED, False, True, False, None),
    (RfqStatus.DRAFT, False, False, False, None),
])
def test_the_outcome_follows_what_the_vendor_did(status, won, offered, declined, expected):
    # given an RFQ's status and what one vendor did, when its outcome is asked, then it is the expected one
    assert outcome_of(status, won, offered, declined) is expected
