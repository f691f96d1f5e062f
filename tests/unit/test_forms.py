"""A page form's problems by field, in the user's words (app/forms.py), and where the test helper finds them."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import Conflict, FieldErrors, InvalidInput
from app.forms import beside, errors_by_field, in_words, read
from tests.support.pages import error_beside


class Note(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    quantity: Annotated[int, msgspec.Meta(ge=1)] = 1


def test_a_bound_broken_is_said_beside_the_form_field_with_its_label():
    with pytest.raises(FieldErrors) as caught:
        read({"reason": "x" * 1001}, Note, fields={"reason": ("reject_reason", "Reason")})
    assert caught.value.fields == {"reject_reason": "Reason: must be at most 1,000 characters"}
    assert caught.value.status_code == 400


def test_a_field_not_mapped_is_said_as_the_api_says_it():
    with pytest.raises(InvalidInput) as caught:
        read({"reason": "ok", "quantity": 0}, Note, fields={"reason": ("reason", "Reason")})
    assert not isinstance(caught.value, FieldErrors)
    assert "quantity" in caught.value.message


@pytest.mark.parametrize(("message", "said"), [
    ("Expected `str` of length >= 1", "must not be empty"),
    ("Expected `str` of length <= 2000", "must be at most 2,000 characters"),
    ("Expected `array` of length <= 50", "must have at most 50 items"),
    ("Expected `int` >= 1", "must be 1 or more"),
    ("Expected `int`, got `str`", "must be a whole number"),
])
def test_msgspec_complaints_in_words(message, said):
    assert in_words(message) == said


@given(st.text(min_size=1, max_size=40).filter(lambda text: text.strip()))
def test_a_refused_input_goes_beside_its_field_and_a_refused_state_to_the_whole_form(message):
    assert errors_by_field(InvalidInput(message), "email") == {"email": message}
    assert errors_by_field(Conflict(message), "email") == {"form": message}
    assert errors_by_field(beside("name", message), "email") == {"name": message}
    assert errors_by_field(None, "email") == {}


def test_error_beside_reads_what_the_field_points_at():
    html = ('<label for="r">Reason <small id="reason-hint">(up to 1,000)</small></label>'
            '<textarea id="r" name="reason" aria-invalid="true" aria-describedby="reason-hint reason-error">x'
            '</textarea><p id="reason-error" class="field-error">A reason is <b>needed</b>.</p>'
            '<input name="other" aria-describedby="reason-hint">')
    assert error_beside(html, "reason") == "A reason is needed."
    assert error_beside(html, "other") == ""
