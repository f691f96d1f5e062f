"""The new-RFQ page's form is read through the API's schema with its bounds: a value past one is an InvalidInput
naming the field (and form line) and the limit, never a Struct built unchecked."""

from datetime import UTC, datetime, timedelta

import pytest
from litestar.datastructures import FormMultiDict

from app.errors import InvalidInput
from app.rfq.forms import rfq_from_form


def form(**overrides):
    values = {
        "title": "Printer paper", "currency": "EUR",
        "deadline": (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "line1_description": "A4 paper", "line1_quantity": "200", "line1_unit": "ream",
    }
    values.update(overrides)
    return FormMultiDict([*values.items(), ("vendor_ids", "7")])


def test_a_form_within_the_bounds_is_read():
    rfq = rfq_from_form(form(title="T" * 200, description="d" * 20_000))
    assert (len(rfq.title), len(rfq.description), rfq.lines[0].unit, rfq.vendor_ids) == (200, 20_000, "ream", [7])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "T" * 201}, "title must be at most 200 characters long"),
        ({"title": "  "}, "title must not be empty"),
        ({"description": "d" * 20_001}, "description must be at most 20000 characters long"),
        ({"delivery_address": "a" * 2_001}, "delivery_address must be at most 2000 characters long"),
        ({"line1_description": "x" * 5_001}, "line 1: description must be at most 5000 characters long"),
        ({"line1_notes": "n" * 5_001}, "line 1: notes must be at most 5000 characters long"),
        ({"line1_unit": "u" * 21}, "line 1: unit must be at most 20 characters long"),
        ({"line1_target_price": "1" * 41}, "line 1: target_price must be at most 40 characters long"),
        ({"currency": "E" * 51}, "currency must be at most 50 characters long"),
        ({"bidding_mode": "auction", "min_decrement": "1" * 41},
         "auction min_decrement must be at most 40 characters long"),
    ],
)
def test_a_value_past_a_bound_is_invalid_input_naming_field_and_limit(overrides, message):
    with pytest.raises(InvalidInput) as refused:
        rfq_from_form(form(**overrides))
    assert refused.value.message == message
    assert refused.value.status_code == 400
