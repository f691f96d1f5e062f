"""The pure rules of an RFQ: lines, auction settings, deadlines, extension, message delay, reminders, reach."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rfq import rules
from app.rfq.states import BiddingMode

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def a_line(**overrides):
    values = {"product_id": None, "description": "Gloves", "quantity": 10, "unit": "box", "target_price": None,
              "notes": ""}
    values.update(overrides)
    return rules.check_line(3, **values)


def test_a_free_text_line_keeps_its_values_and_money_in_minor_units():
    line = a_line(description="  Nitrile gloves  ", target_price="0.0035")
    assert (line.position, line.description, line.quantity, line.target_price) == (3, "Nitrile gloves", 10, 35)


def test_a_product_line_without_text_takes_the_product_name():
    assert a_line(product_id=7, description="", product_name="Gloves M").description == "Gloves M"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"description": " "}, "line 3: give a catalog product or a description"),
        ({"quantity": 0}, "line 3: quantity must be a whole number of at least 1"),
        ({"quantity": True}, "quantity"),
        ({"target_price": "1.00001"}, "more than 4 decimal places"),
        ({"target_price": "-1"}, "negative"),
        ({"target_price": "abc"}, "not a decimal amount"),
        ({"unit": "x" * 21}, "unit must be at most 20"),
    ],
)
def test_a_bad_line_says_which_line_and_what_to_fix(overrides, fragment):
    with pytest.raises(rules.RuleError, match=fragment):
        a_line(**overrides)


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_any_four_decimal_target_price_round_trips_exactly(amount):
    from app.money import from_minor

    assert from_minor(a_line(target_price=str(amount)).target_price) == amount


def test_sealed_bidding_keeps_no_auction_settings():
    draft = rules.check_auction(BiddingMode.SEALED, min_decrement="5", show_best_price=True, anti_snipe_minutes=5,
                                max_extension_minutes=10)
    assert draft == rules.AuctionDraft(None, False, 0, 0)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"min_decrement": None}, "min_decrement must be a positive"),
        ({"min_decrement": "0"}, "min_decrement must be a positive"),
        ({"anti_snipe_minutes": -1}, "anti_snipe_minutes"),
        ({"anti_snipe_minutes": 10, "max_extension_minutes": 5}, "at least the anti-sniping minutes"),
    ],
)
def test_an_auction_needs_sensible_settings(settings, fragment):
    values = {"min_decrement": "0.50", "show_best_price": False, "anti_snipe_minutes": 0, "max_extension_minutes": 0}
    values.update(settings)
    with pytest.raises(rules.RuleError, match=fragment):
        rules.check_auction(BiddingMode.AUCTION, **values)


def test_a_deadline_is_aware_and_in_the_future():
    rules.check_deadline(NOW + timedelta(seconds=1), NOW)
    with pytest.raises(rules.RuleError, match="future"):
        rules.check_deadline(NOW, NOW)
    with pytest.raises(rules.RuleError, match="time zone"):
        rules.check_deadline(datetime(2030, 1, 1), NOW)


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=-(10**7), max_value=10**7))
def test_an_extension_only_ever_moves_the_deadline_later(ahead, shift):
    current = NOW + timedelta(seconds=ahead)
    requested = current + timedelta(seconds=shift)
    if shift > 0:
        rules.check_extension(current, requested, NOW)
    else:
        with pytest.raises(rules.RuleError, match="never shortened"):
            rules.check_extension(current, requested, NOW)


def test_a_passed_deadline_cannot_be_extended():
    with pytest.raises(rules.RuleError, match="already passed"):
        rules.check_extension(NOW, NOW + timedelta(days=1), NOW)


@given(st.integers(min_value=-(10**6), max_value=30 * 24 * 3600))
def test_the_close_message_is_delayed_to_the_deadline_only_within_the_brokers_range(seconds):
    deadline = NOW + timedelta(seconds=seconds)
    delay = rules.close_delay(deadline, NOW)
    if delay is None:
        assert deadline - NOW >= rules.MAX_MESSAGE_DELAY - rules.CLOSE_SLACK
    else:
        assert timedelta(0) < delay < timedelta(days=7)
        assert NOW + delay >= deadline  # never early


def test_reminders_fall_in_the_last_day_before_the_deadline():
    assert rules.reminder_due(NOW + timedelta(hours=24), NOW)
    assert rules.reminder_due(NOW + timedelta(minutes=1), NOW)
    assert not rules.reminder_due(NOW + timedelta(hours=24, seconds=1), NOW)
    assert not rules.reminder_due(NOW, NOW)


@pytest.mark.parametrize(
    ("rfq_paths", "vendor_paths", "has_listing", "sees_vendor", "expected"),
    [
        ({"/1/"}, {"/1/4/"}, True, True, True),  # a subcategory
        ({"/1/"}, {"/2/"}, True, True, False),
        (set(), set(), True, True, True),  # free text reaches any vendor with an approved listing
        (set(), set(), False, True, False),
        ({"/1/", "/3/"}, {"/3/"}, True, True, True),
        # a vendor the buyer's segment may not see is never reached
        ({"/1/"}, {"/1/4/"}, True, False, False),
        (set(), set(), True, False, False),
    ],
)
def test_which_vendors_an_open_rfq_reaches(rfq_paths, vendor_paths, has_listing, sees_vendor, expected):
    assert rules.open_rfq_meant_for(rfq_paths, vendor_paths, has_listing, buyer_sees_vendor=sees_vendor) is expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("4.25", None), ("0.0035", None), ("", None), (None, None), ("-0", None),
        ("-3.5", "must not be negative"),
        ("3,50", "is not a decimal amount: write it like 12.50"),
        ("NaN", "is not a decimal amount: write it like 12.50"),
        ("0.00001", "has more than 4 decimal places"),
        ("1e-99999999", "has more than 4 decimal places"),
        ("1E+999999999999999999", "is too large"),
    ],
)
def test_a_price_problem_is_said_in_the_buyers_words(raw, problem):
    assert rules.price_problem(raw) == problem


@given(st.text(max_size=60))
def test_any_typed_price_is_fine_or_has_a_problem_never_an_exception(raw):
    problem = rules.price_problem(raw)
    if problem is None and raw.strip():
        assert rules.parse_price(raw, "price") is not None


def test_a_lines_problems_are_all_told_by_field():
    problems = rules.line_problems(product_id=None, description=" ", quantity=0, unit="u" * 21, target_price="-1")
    assert problems == {"description": "give a catalog product or a description of what you need",
                        "quantity": "must be a whole number of at least 1", "unit": "must be at most 20 characters",
                        "target_price": "must not be negative"}
    assert rules.line_problems(product_id=None, description="Gel", quantity=10**10, unit="", target_price=None) == {
        "quantity": "must be at most 1,000,000,000"}


def test_an_auctions_problems_are_all_told_by_field():
    assert rules.auction_problems(min_decrement="0", anti_snipe_minutes=61, max_extension_minutes=-1) == {
        "min_decrement": "must be a positive amount such as 0.50", "anti_snipe_minutes": "must be between 0 and 60",
        "max_extension_minutes": "must be between 0 and 1440"}
