"""The new-RFQ page's form is read through the API's schema with its bounds; every field it cannot take is told at
once, by the form's field name, in the page's words ("Line 2 — target price: must not be negative"), never a Struct
built unchecked and never only the first problem."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.datastructures import FormMultiDict

from app.errors import FieldErrors
from app.rfq.forms import form_rows, rfq_from_form

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def form(**overrides):
    values = {
        "title": "Printer paper", "currency": "EUR",
        "deadline": (NOW + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "line1_description": "A4 paper", "line1_quantity": "200", "line1_unit": "ream",
    }
    values.update(overrides)
    return FormMultiDict([*values.items(), ("vendor_ids", "7")])


def problems(**overrides) -> dict[str, str]:
    with pytest.raises(FieldErrors) as refused:
        rfq_from_form(form(**overrides), NOW)
    assert refused.value.status_code == 400
    return refused.value.fields


def test_a_form_within_the_bounds_is_read():
    rfq = rfq_from_form(form(title="T" * 200, description="d" * 20_000), NOW)
    assert (len(rfq.title), len(rfq.description), rfq.lines[0].unit, rfq.vendor_ids) == (200, 20_000, "ream", [7])


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        ({"title": "T" * 201}, "title", "Title: must be at most 200 characters (this one has 201)"),
        ({"title": "  "}, "title", "Title: give the RFQ a title"),
        ({"description": "d" * 20_001}, "description", "Description: must be at most 20,000 characters (this one "
                                                       "has 20,001)"),
        ({"delivery_address": "a" * 2_001}, "delivery_address", "Delivery address: must be at most 2,000 characters"
                                                                 " (this one has 2,001)"),
        ({"line1_description": "x" * 5_001}, "line1_description", "Line 1 — description: must be at most 5,000 "
                                                                  "characters (this one has 5,001)"),
        ({"line1_notes": "n" * 5_001}, "line1_notes", "Line 1 — notes: must be at most 5,000 characters (this one "
                                                      "has 5,001)"),
        ({"line1_unit": "u" * 21}, "line1_unit", "Line 1 — unit: must be at most 20 characters"),
        ({"line1_target_price": "1" * 41}, "line1_target_price", "Line 1 — target price: is too large"),
        ({"line1_target_price": "-3.5"}, "line1_target_price", "Line 1 — target price: must not be negative"),
        ({"line1_target_price": "3,50"}, "line1_target_price",
         "Line 1 — target price: “3,50” is not a decimal amount: type one such as 1,234.50 or 1234.50"),
        ({"line1_quantity": "0"}, "line1_quantity", "Line 1 — quantity: must be a whole number of at least 1"),
        ({"line1_quantity": ""}, "line1_quantity", "Line 1 — quantity: give how many you need"),
        ({"line1_description": "", "line1_quantity": "3"}, "line1_description",
         "Line 1 — description: give a catalog product or a description of what you need"),
        ({"line1_product_id": "abc"}, "line1_product_id",
         "Line 1 — catalog product: pick the product with the search, or clear it for a free-text line"),
        ({"currency": "E" * 51}, "currency", "Currency: give a three-letter currency code such as EUR"),
        ({"deadline": "tomorrow"}, "deadline", "Deadline: give a date and time such as 2027-01-31 17:00"),
        ({"deadline": "2027-01-01T10:00"}, "deadline", "Deadline: must be in the future"),
        ({"delivery_date": "15.02.2027"}, "delivery_date", "Delivery date: give a date such as 2027-02-15"),
        ({"payment_terms": "net_7"}, "payment_terms", "Payment terms: choose one of the options"),
        ({"bidding_mode": "auction", "min_decrement": "1" * 41}, "min_decrement", "Minimum decrement: is too large"),
        ({"bidding_mode": "auction", "min_decrement": ""}, "min_decrement",
         "Minimum decrement: must be a positive amount such as 0.50"),
        ({"bidding_mode": "auction", "min_decrement": "1", "anti_snipe_minutes": "5", "max_extension_minutes": "2"},
         "max_extension_minutes", "Maximum total extension: must be at least the anti-sniping minutes"),
    ],
)
def test_each_problem_is_told_by_its_field_in_the_pages_words(overrides, key, message):
    assert problems(**overrides) == {key: message}


def test_every_problem_is_told_at_once():
    # given a form wrong in five places, two of them on the second line
    found = problems(title="", currency="", line2_description="Toner", line2_quantity="x",
                     line2_target_price="-3.5", delivery_date="soon")
    # then each is told, by its field
    assert set(found) == {"title", "currency", "line2_quantity", "line2_target_price", "delivery_date"}
    assert found["line2_target_price"] == "Line 2 — target price: must not be negative"


def test_sealed_bidding_ignores_the_auction_fields():
    rfq = rfq_from_form(form(bidding_mode="sealed", min_decrement="-1", anti_snipe_minutes="x"), NOW)
    assert rfq.auction is None


def test_the_form_shows_every_filled_row_and_two_empty_ones():
    rows = form_rows(form(line7_description="Toner", line7_quantity="2", line9_unit="pcs"))
    assert list(rows) == list(range(1, 10))


_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([
    "title", "currency", "deadline", "delivery_date", "payment_terms", "visibility", "bidding_mode", "min_decrement",
    "anti_snipe_minutes", "max_extension_minutes", "line1_description", "line1_product_id", "line1_quantity",
    "line1_unit", "line1_target_price", "line2_quantity", "line2_target_price", "vendor_ids"]), _text))
def test_any_values_are_read_or_told_by_field_never_raised_otherwise(values):
    try:
        rfq_from_form(FormMultiDict(values), NOW)
    except FieldErrors as refused:
        assert refused.fields and all(isinstance(message, str) and message for message in refused.fields.values())


def test_a_german_reader_types_amounts_with_a_decimal_comma():
    # given a buyer whose locale is de_DE, typing a target price and a decrement as German spreadsheets write them
    rfq = rfq_from_form(form(line1_target_price="1.234,50", bidding_mode="auction", min_decrement="0,05"), NOW,
                        locale="de_DE")
    # then the API's input holds the exact amounts
    assert (str(rfq.lines[0].target_price), str(rfq.auction.min_decrement)) == ("1234.50", "0.05")
    # and a dot-decimal "3.50" (a thousands mark in German) is refused with the way to type it
    with pytest.raises(FieldErrors) as refused:
        rfq_from_form(form(line1_target_price="3.50"), NOW, locale="de_DE")
    assert refused.value.fields == {
        "line1_target_price": "Line 1 — target price: “3.50” is not a decimal amount: type one such as 1.234,50 or "
                              "1234,50"}
