"""Pure curation rules: audit diffs, category paths and trees, price list checks."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.curation.rules import (
    EntryInput,
    EntryValues,
    ListingForPrice,
    RuleViolation,
    build_tree,
    category_path,
    changes,
    check_currency,
    check_entry_listings,
    check_owner,
    check_validity,
    parse_entries,
    required_text,
)


def test_changes_keep_only_what_differs():
    assert changes({"status": "pending", "product_id": None}, {"status": "approved", "product_id": None}) == {
        "status": {"before": "pending", "after": "approved"}
    }


def test_category_paths_list_the_ancestors():
    assert category_path(None, 1) == "/1/"
    assert category_path("/1/4/", 9) == "/1/4/9/"


def test_build_tree_nests_and_sorts_siblings():
    tree = build_tree([(1, "Office", None, "/1/"), (2, "Paper", 1, "/1/2/"), (3, "Medical", None, "/3/"),
                       (4, "Pens", 1, "/1/4/")])
    assert [n.name for n in tree] == ["Medical", "Office"]
    assert [n.name for n in tree[1].children] == ["Paper", "Pens"]


def test_a_price_list_is_for_exactly_one_owner():
    check_owner(1, None)
    check_owner(None, 2)
    with pytest.raises(RuleViolation, match="not both"):
        check_owner(1, 2)
    with pytest.raises(RuleViolation, match="give segment_id or company_id"):
        check_owner(None, None)


def test_validity_needs_aware_times_in_order():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    check_validity(start, start + timedelta(days=1))
    check_validity(None, None)
    with pytest.raises(RuleViolation, match="valid_to must be after valid_from"):
        check_validity(start, start)
    with pytest.raises(RuleViolation, match="time zone"):
        check_validity(datetime(2026, 1, 1), None)  # a naive input


def test_currency_must_be_iso_4217():
    assert check_currency("eur") == "EUR"
    with pytest.raises(RuleViolation, match="ISO 4217"):
        check_currency("EURO")


def test_entries_are_parsed_exactly():
    parsed = parse_entries([EntryInput(1, 1, "12.50"), EntryInput(1, 10, "0.0035")])
    assert parsed == [EntryValues(1, 1, Decimal("12.50")), EntryValues(1, 10, Decimal("0.0035"))]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (EntryInput(1, 0, "1"), "min_qty must be at least 1"),
        (EntryInput(1, 1, "0"), "greater than 0"),
        (EntryInput(1, 1, "-2"), "greater than 0"),
        (EntryInput(1, 1, "1.00001"), "more than 4 decimal places"),
        (EntryInput(1, 1, "abc"), "not a decimal amount"),
    ],
)
def test_bad_entries_say_what_to_fix(entry, message):
    with pytest.raises(RuleViolation, match=message) as caught:
        parse_entries([entry])
    assert "entries[0]" in str(caught.value)


def test_duplicate_tiers_are_refused_with_both_positions():
    with pytest.raises(RuleViolation, match=r"entries\[1\]: listing 7 already has a price from 5 in entries\[0\]"):
        parse_entries([EntryInput(7, 5, "1"), EntryInput(7, 5, "2")])


def test_every_problem_is_reported_at_once():
    with pytest.raises(RuleViolation) as caught:
        parse_entries([EntryInput(1, 0, "1"), EntryInput(2, 1, "x")])
    assert "entries[0]" in str(caught.value) and "entries[1]" in str(caught.value)


def test_entry_listings_must_be_approved_and_in_the_currency():
    entries = [EntryValues(1, 1, Decimal(1)), EntryValues(2, 1, Decimal(1)), EntryValues(3, 1, Decimal(1)),
               EntryValues(4, 1, Decimal(1))]
    listings = {1: ListingForPrice(1, "approved", "EUR"), 2: ListingForPrice(2, "pending", "EUR"),
                3: ListingForPrice(3, "approved", "USD")}
    with pytest.raises(RuleViolation) as caught:
        check_entry_listings(entries, listings, "EUR")
    text = str(caught.value)
    assert "listing 2 is pending" in text and "sold in USD" in text and "listing 4 does not exist" in text
    assert "entries[0]" not in text


def test_required_text_is_trimmed_and_bounded():
    assert required_text("  why  ", "reason", 10) == "why"
    with pytest.raises(RuleViolation, match="reason is required"):
        required_text("   ", "reason", 10)
    with pytest.raises(RuleViolation, match="at most 3"):
        required_text("long", "reason", 3)
