"""When an RFQ takes offers and what an offer line may be: pure rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, InvalidInput
from app.locales import Place
from app.offers.rules import AskedLine, OfferLinesInvalid, check_valid_until, parse_offer_lines
from app.offers.schemas import OfferLineIn
from app.rfq.rules import check_bidding_open
from app.rfq.states import RfqStatus

DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_a_published_rfq_takes_offers_until_just_before_its_deadline():
    check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, DEADLINE - timedelta(microseconds=1))
    with pytest.raises(Conflict, match="Bidding closed at Mar 1, 2027, 12:00:00 UTC"):
        check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, DEADLINE)


def test_the_refusal_names_the_deadline_in_the_readers_zone():
    with pytest.raises(Conflict, match=r"Bidding closed at 01\.03\.2027, 13:00:00 CET"):
        check_bidding_open(RfqStatus.PUBLISHED, DEADLINE, DEADLINE, Place("de_DE", "Europe/Berlin"))


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
    asked = {1: AskedLine(1, "Screws", 100), 2: AskedLine(2, "Nuts", 5)}
    parsed = parse_offer_lines(asked, [OfferLineIn(1, "0.0035"), OfferLineIn(2, "12.5", quantity=3)])
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
        parse_offer_lines({1: AskedLine(1, "Screws", 100)}, [line])


def test_every_bad_line_is_told_in_the_forms_words_and_the_apis_without_database_ids():
    # given the RFQ's lines 1 and 2, whose database ids are 41 and 42
    asked = {41: AskedLine(1, "Nitrile gloves", 1000), 42: AskedLine(2, "FFP2 masks", 500)}
    # when both are wrong, a price below zero and a quantity above the one asked
    with pytest.raises(OfferLinesInvalid) as caught:
        parse_offer_lines(asked, [OfferLineIn(41, "-3.5"), OfferLineIn(42, "0.40", quantity=600)])
    # then each is told by the line's position and description, keyed by the form's field
    assert caught.value.fields == {
        "price_41": "Line 1 (Nitrile gloves): the unit price must be more than zero.",
        "quantity_42": "Line 2 (FFP2 masks): the quantity 600 is more than the 500 asked; offer at most that.",
    }
    # and the API's text names the JSON fields and the line positions, never a database id
    assert caught.value.message == (
        "lines[1] (line 1): unit_price must be more than zero. "
        "lines[2] (line 2): quantity 600 is more than the 500 asked; offer at most that.")
    assert "41" not in caught.value.message and "42" not in caught.value.message


def test_an_unreadable_price_is_told_without_repeating_the_value():
    with pytest.raises(OfferLinesInvalid) as caught:
        parse_offer_lines({7: AskedLine(2, "Gel", 5)}, [OfferLineIn(7, "abc")])
    told = "Line 2 (Gel): the unit price is not a decimal amount (for example 12.50)."
    assert caught.value.fields == {"price_7": told}


@given(st.lists(st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["-1", "0", "1.5", "x", "2.00001"])),
                min_size=1, max_size=6))
def test_each_wrong_line_is_reported_and_the_right_ones_parse(rows):
    asked = {line: AskedLine(line, f"Item {line}", 10) for line in (1, 2, 3)}
    lines = [OfferLineIn(line, price) for line, price in rows]
    try:
        parsed = parse_offer_lines(asked, lines)
    except OfferLinesInvalid as exc:
        # then every field told is a line that was sent, and the API text has one sentence per wrong line
        assert set(exc.fields) <= {f"price_{line}" for line, _ in rows}
        assert exc.message.count("lines[") >= len(exc.fields)
    else:
        assert len(parsed) == len(rows) and len({line for line, _ in rows}) == len(rows)


def test_valid_until_needs_a_timezone_and_the_future():
    now = DEADLINE
    assert check_valid_until(None, now) is None
    assert check_valid_until(now + timedelta(days=1), now) == now + timedelta(days=1)
    with pytest.raises(InvalidInput, match="timezone"):
        check_valid_until(datetime(2027, 4, 1), now)
    with pytest.raises(InvalidInput, match="past"):
        check_valid_until(now, now)
