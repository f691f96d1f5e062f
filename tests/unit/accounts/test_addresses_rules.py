"""The address rules: required fields, bounds, country and phone, and which address becomes the default."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.accounts.addresses_rules import LIMITS, AddressError, AddressKind, check_address, needs_default


def raw(**overrides):
    return {"kind": "delivery", "recipient": "Acme", "street": "Lagerstraße 12", "postal_code": "10557",
            "city": "Berlin", "country": "DE", **overrides}


def test_a_valid_address_comes_back_stripped_with_the_country_upper_case():
    values = check_address(raw(recipient="  Acme  ", country=" de ", label=None))
    assert values.kind is AddressKind.DELIVERY
    assert values.recipient == "Acme"
    assert values.country == "DE"
    assert values.label == ""


@pytest.mark.parametrize("field", ["recipient", "street", "postal_code", "city", "country"])
def test_a_blank_required_field_is_named(field):
    with pytest.raises(AddressError) as caught:
        check_address(raw(**{field: "   "}))
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize("field", [name for name in LIMITS if name != "country"])
def test_a_field_past_its_limit_is_named_with_the_limit(field):
    with pytest.raises(AddressError) as caught:
        check_address(raw(**{field: "9" * (LIMITS[field] + 1)}))
    assert caught.value.field == field
    assert str(LIMITS[field]) in str(caught.value)


@pytest.mark.parametrize("country", ["D", "DEU", "D1", "12", "ÄÖ"])
def test_a_country_must_be_an_alpha_2_code(country):
    with pytest.raises(AddressError) as caught:
        check_address(raw(country=country))
    assert caught.value.field == "country"


def test_an_unknown_kind_is_named():
    with pytest.raises(AddressError) as caught:
        check_address(raw(kind="shipping"))
    assert caught.value.field == "kind"
    assert "delivery" in str(caught.value) and "billing" in str(caught.value)


@pytest.mark.parametrize("phone", ["+49 30 1234567", "(030) 123-45/67", "", "0049.30.1"])
def test_phone_numbers_in_their_usual_shapes_pass(phone):
    assert check_address(raw(phone=phone)).phone == phone


@pytest.mark.parametrize("phone", ["call me", "+49 30 12 ext. 5", "49+30"])
def test_a_phone_number_with_letters_is_refused(phone):
    with pytest.raises(AddressError) as caught:
        check_address(raw(phone=phone))
    assert caught.value.field == "phone"


@pytest.mark.parametrize("text", ["Line one\nLine two", "Tab\there", "nul\x00"])
def test_control_characters_are_refused(text):
    with pytest.raises(AddressError) as caught:
        check_address(raw(street=text))
    assert caught.value.field == "street"


def test_the_first_address_of_a_kind_is_its_default_and_a_later_one_only_when_asked():
    assert needs_default(asked=False, has_default=False)
    assert needs_default(asked=True, has_default=True)
    assert not needs_default(asked=False, has_default=True)


@given(st.dictionaries(st.sampled_from([*LIMITS, "kind"]), st.one_of(st.none(), st.text(max_size=300))))
def test_any_input_is_accepted_or_refused_naming_a_field(values):
    try:
        checked = check_address(values)
    except AddressError as exc:
        assert exc.field in (*LIMITS, "kind")
    else:
        for name, limit in LIMITS.items():
            assert len(getattr(checked, name)) <= limit
