"""The pure contract rules: numbers, validity, status by dates, price rows, amendments, reminders."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.contracts import rules
from app.contracts.rules import ContractStatus, ExistingPrice, LineTerms, PlannedPrice, Side, Tier

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_numbers_are_human_readable_per_year():
    assert rules.format_number(2026, 123) == "C-2026-000123"
    with pytest.raises(rules.RuleError):
        rules.format_number(2026, 0)


def test_validity_runs_to_the_offer_validity_or_the_default_term():
    until = NOW + timedelta(days=90)
    assert rules.validity(NOW, until) == (NOW, until)
    assert rules.validity(NOW, None) == (NOW, NOW + rules.DEFAULT_TERM)
    # an offer validity already past at the award is no end date
    assert rules.validity(NOW, NOW - timedelta(days=1)) == (NOW, NOW + rules.DEFAULT_TERM)


def test_status_follows_the_dates_and_termination():
    end = NOW + timedelta(days=1)
    assert rules.status_at(end, None, NOW) is ContractStatus.ACTIVE
    assert rules.status_at(NOW, None, NOW) is ContractStatus.EXPIRED
    assert rules.status_at(end, NOW - timedelta(seconds=1), NOW) is ContractStatus.TERMINATED
    assert rules.in_effect(NOW + timedelta(days=1), NOW + timedelta(days=9), None, NOW) is False  # starts tomorrow
    assert rules.in_effect(NOW - timedelta(days=9), NOW - timedelta(days=1), None, NOW) is False  # ended yesterday
    assert rules.in_effect(NOW - timedelta(days=1), end, None, NOW) is True


@pytest.mark.parametrize(("terms", "message"), [
    (LineTerms(1, Decimal("0")), "unit price"),
    (LineTerms(1, Decimal("1"), min_order_qty=0), "minimum order"),
    (LineTerms(1, Decimal("1"), min_order_qty=5, max_order_qty=4), "maximum"),
    (LineTerms(1, Decimal("1"), committed_qty=0), "committed"),
    (LineTerms(1, Decimal("1"), tiers=(Tier(1, Decimal("0.9")),)), "above the minimum"),
    (LineTerms(1, Decimal("1"), tiers=(Tier(5, Decimal("0.9")), Tier(5, Decimal("0.8")))), "two volume tiers"),
    (LineTerms(1, Decimal("1"), tiers=(Tier(5, Decimal("-1")),)), "tier's unit price"),
])
def test_bad_terms_are_refused_with_the_reason(terms, message):
    with pytest.raises(rules.RuleError, match=message):
        rules.check_terms(terms)


def test_tiers_come_back_sorted():
    terms = rules.check_terms(LineTerms(1, Decimal("1"), tiers=(Tier(50, Decimal("0.8")), Tier(10, Decimal("0.9")))))
    assert [t.min_qty for t in terms.tiers] == [10, 50]


def test_price_rows_come_from_linked_lines_only_and_stay_unique_per_listing_and_tier():
    lines = [
        LineTerms(1, Decimal("8"), tiers=(Tier(100, Decimal("7")),), listing_id=10),
        LineTerms(2, Decimal("3"), listing_id=None),  # waiting for the vendor
        LineTerms(3, Decimal("7.5"), min_order_qty=1, listing_id=10),  # the same listing, cheaper
        LineTerms(4, Decimal("2"), min_order_qty=12, listing_id=11),
    ]
    assert rules.plan_prices(lines) == [
        PlannedPrice(10, 1, Decimal("7.5"), 3), PlannedPrice(10, 100, Decimal("7"), 1),
        PlannedPrice(11, 12, Decimal("2"), 4),
    ]


def test_price_changes_keep_end_delete_and_insert():
    at = NOW
    planned = [PlannedPrice(10, 1, Decimal("8"), 1), PlannedPrice(10, 100, Decimal("6"), 1)]
    existing = [
        ExistingPrice(1, 10, 1, Decimal("8"), 1, at - timedelta(days=5), None),  # unchanged: kept
        ExistingPrice(2, 10, 100, Decimal("7"), 1, at - timedelta(days=5), None),  # applied: ended
        ExistingPrice(3, 10, 500, Decimal("5"), 1, at + timedelta(days=1), None),  # never applied: deleted
    ]
    changes = rules.price_changes(existing, planned, at)
    assert (changes.keep, changes.end, changes.delete) == ([1], [2], [3])
    assert changes.insert == [PlannedPrice(10, 100, Decimal("6"), 1)]


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 500)), max_size=12))
def test_planned_rows_never_repeat_a_listing_and_tier(raw):
    lines = [LineTerms(i, Decimal(price) / 100, min_order_qty=qty, listing_id=listing)
             for i, (listing, qty, price) in enumerate(raw)]
    keys = [(p.listing_id, p.min_qty) for p in rules.plan_prices(lines)]
    assert len(keys) == len(set(keys))


def test_amendments_need_the_other_side_and_sane_dates():
    assert rules.deciding_side(Side.BUYER) is Side.VENDOR
    assert rules.deciding_side(Side.VENDOR) is Side.BUYER
    with pytest.raises(rules.RuleError, match="after valid_from"):
        rules.check_dates(NOW, NOW, NOW - timedelta(days=1))
    with pytest.raises(rules.RuleError, match="future"):
        rules.check_dates(NOW - timedelta(days=9), NOW - timedelta(days=1), NOW)
    with pytest.raises(rules.RuleError, match="terminated"):
        rules.check_amendable(ContractStatus.TERMINATED)
    with pytest.raises(rules.RuleError, match="renew"):
        rules.check_amendable(ContractStatus.EXPIRED)
    rules.check_amendable(ContractStatus.ACTIVE)


@pytest.mark.parametrize(("days_left", "sent", "due"), [
    (60, [], None), (30, [], "30"), (20, [], "30"), (20, ["30"], None), (7, [], "7"), (7, ["30"], "7"),
    (3, ["30", "7"], None), (0, [], None), (-1, [], None),
])
def test_reminders_are_due_once_in_their_window(days_left, sent, due):
    assert rules.reminder_due(NOW + timedelta(days=days_left), NOW, sent) == due
