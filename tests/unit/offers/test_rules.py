"""When an RFQ takes offers and what an offer line may be: pure rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, InvalidInput
from app.offers.rules import check_valid_until, parse_offer_lines
from app.offers.schemas import OfferLineIn
from app.rfq.rules import check_bidding_open
from app.rfq.states import RfqStatus

DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_a_published_rfq_takes_offers_until_just_before_its_deadline():
    check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, DEADLINE - timedelta(microseconds=1))
    with pytest.raises(Conflict, match="Bidding closed at 2027-03-01 12:00:00 UTC"):
        check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, DEADLINE)


@pytest.mark.parametrize("status", [RfqStatus.DRAFT, RfqStatus.CLOSED, RfqStatus.AWARDED, RfqStatus.CANCELLED])
def test_no_other_status_takes_offers_even_before_the_deadline(status):
    with pytest.raises(Conflict):
        check_bidding_open(status, DEADLINE, DEADLINE - timedelta(days=1))


@given(st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=30)))
def test_open_exactly_when_now_is_before_the_deadline(offset):
    now = DEADLINE + offset
    try:
        check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, now)
        opened = True
    except Conflict:
        opened = False
    assert opened == (now < DEADLINE)


def test_offer_lines_default_to_the_quantity_asked_and_may_offer_less():
    parsed = parse_offer_lines({1: 100, 2: 5}, [OfferLineIn(1, "0.0035"), OfferLineIn(2, "12.5", quantity=3)])
    assert [(p.rfq_line_id, p.unit_price, p.unit_price_minor, p.quantity) for p in parsed] == [
        (1, Decimal("0.0035"), 35, 100), (2, Decimal("12.5"), 125000, 3)]


@pytest.mark.parametrize(("line", "reason"), [
    (OfferLineIn(9, "1"), "not a line"),
    (OfferLineIn(1, "1.00001"), "more than 4 decimal places"),
    (OfferLineIn(1, "-1"), "more than zero"),
    (OfferLineIn(1, "NaN"), "not a finite amount"),
    (OfferLineIn(1, "1", quantity=101), "more than the 100 asked"),
])
def test_bad_offer_lines_say_what_to_fix(line, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_offer_lines({1: 100}, [line])


def test_valid_until_needs_a_timezone_and_the_future():
    now = DEADLINE
    assert check_valid_until(None, now) is None
    assert check_valid_until(now + timedelta(days=1), now) == now + timedelta(days=1)
    with pytest.raises(InvalidInput, match="timezone"):
        check_valid_until(datetime(2027, 4, 1), now)
    with pytest.raises(InvalidInput, match="past"):
        check_valid_until(now, now)
