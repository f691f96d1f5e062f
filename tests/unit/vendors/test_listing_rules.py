"""The pure listing rules: GTIN, numbers, prices, tiers, and what an edit does to the status."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.states import ListingStatus, ListingTransitionError, status_after_edit
from app.vendors.listing_rules import (
    FIELDS,
    SUBMIT,
    TAX_RATE_RULE,
    WITHDRAW,
    ListingInvalid,
    Tier,
    check_listing,
    curated_facts_changed,
    gtin_is_valid,
    parse_tiers,
    vendor_move,
)

MINIMAL = {"sku": " A-1 ", "title": "Gloves", "base_price": "12.50", "currency": "eur"}


@pytest.mark.parametrize("gtin", ["4006381333931", "96385074", "036000291452", "00012345600012"])
def test_valid_gtins(gtin):
    assert gtin_is_valid(gtin)


@pytest.mark.parametrize("gtin", ["4006381333932", "1234567", "40063813339311", "abcdefghijklm", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_invalid_gtins(gtin):
    assert not gtin_is_valid(gtin)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_exactly_one_check_digit_completes_a_gtin13(body):
    assert sum(gtin_is_valid(body + str(digit)) for digit in range(10)) == 1


def test_a_minimal_listing_gets_defaults_and_normalized_values():
    values = check_listing(MINIMAL)
    assert (values.sku, values.currency, values.base_price) == ("A-1", "EUR", Decimal("12.50"))
    assert (values.unit, values.pack_size, values.min_order_qty, values.stock, values.tiers) == ("pcs", 1, 1, 0, ())


def test_every_wrong_field_is_named():
    with pytest.raises(ListingInvalid) as caught:
        check_listing({"sku": "", "title": "x" * 301, "base_price": "0", "currency": "XXX", "pack_size": "0",
                       "min_order_qty": "1.5", "stock": "-1", "lead_time_days": "soon", "gtin": "123"})
    assert {error.column for error in caught.value.errors} == {
        "sku", "title", "base_price", "currency", "pack_size", "min_order_qty", "stock", "lead_time_days", "gtin"
    }


@pytest.mark.parametrize(("price", "fragment"), [("1.00001", "more than 4 decimal places"), ("1,50", "not a decimal"),
                                                 (1.5, "floating-point"), ("-2", "greater than 0"), ("nan", "finite")])
def test_prices_are_positive_decimal_strings_with_at_most_four_decimals(price, fragment):
    with pytest.raises(ListingInvalid, match=fragment):
        check_listing({**MINIMAL, "base_price": price})


def test_a_sub_cent_price_is_kept_exactly():
    assert check_listing({**MINIMAL, "base_price": "0.0035"}).base_price == Decimal("0.0035")


@pytest.mark.parametrize(("given", "rate"), [
    ("19", Decimal("19.00")), ("7.5", Decimal("7.50")), (" 7.25 ", Decimal("7.25")), ("0", Decimal("0.00")),
    ("100", Decimal("100.00")), ("19.000", Decimal("19.00")), (Decimal("7.00"), Decimal("7.00")), (7, Decimal("7.00")),
])
def test_a_tax_rate_is_a_percentage_kept_with_two_decimals(given, rate):
    checked = check_listing({**MINIMAL, "tax_rate": given}).tax_rate
    assert checked == rate
    assert str(checked) == str(rate)  # two decimals, as the NUMERIC(5, 2) column keeps it


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_no_tax_rate_means_the_marketplace_default(empty):
    # None on the listing: the cart takes MARKET_DEFAULT_TAX_RATE (app/orders/cart.py:line_tax_rate)
    assert check_listing({**MINIMAL, "tax_rate": empty}).tax_rate is None
    assert check_listing(MINIMAL).tax_rate is None


@pytest.mark.parametrize("given", ["101", "100.01", "-1", "-0.01", "abc", "19.555", "7,5", "NaN", "Infinity", "1E+400",
                                   True])
def test_a_wrong_tax_rate_names_the_field_and_what_to_write(given):
    with pytest.raises(ListingInvalid) as caught:
        check_listing({**MINIMAL, "tax_rate": given})
    assert [(error.column, error.reason) for error in caught.value.errors] == [("tax_rate", TAX_RATE_RULE)]
    assert "tax_rate: must be a percentage from 0 to 100 with at most 2 decimals, such as 19 or 7.5" in str(
        caught.value
    )


def test_a_floating_point_tax_rate_is_refused_like_a_floating_point_price():
    with pytest.raises(ListingInvalid, match=r"tax_rate: .*not a floating-point number"):
        check_listing({**MINIMAL, "tax_rate": 7.5})


def test_the_tax_rate_is_a_field_after_the_currency():
    assert FIELDS[FIELDS.index("currency") + 1] == "tax_rate"


@given(st.integers(min_value=0, max_value=10_000))
def test_every_percentage_with_two_decimals_is_kept_exactly(hundredths):
    rate = Decimal(hundredths).scaleb(-2)
    assert check_listing({**MINIMAL, "tax_rate": str(rate)}).tax_rate == rate


@given(st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False))
def test_a_third_decimal_is_refused_unless_it_is_zero(rate):
    if rate == rate.quantize(Decimal("0.01")):
        assert check_listing({**MINIMAL, "tax_rate": str(rate)}).tax_rate == rate
    else:
        with pytest.raises(ListingInvalid, match="tax_rate"):
            check_listing({**MINIMAL, "tax_rate": str(rate)})


@given(st.one_of(st.decimals(max_value=Decimal("-0.01"), allow_nan=False, allow_infinity=False),
                 st.decimals(min_value=Decimal("100.01"), allow_nan=False, allow_infinity=False)))
def test_a_rate_outside_0_to_100_is_refused(rate):
    with pytest.raises(ListingInvalid, match="tax_rate"):
        check_listing({**MINIMAL, "tax_rate": str(rate)})


def test_tiers_are_sorted_and_checked():
    assert parse_tiers("100:8.75|10:9.50", Decimal("10")) == (Tier(10, Decimal("9.50")), Tier(100, Decimal("8.75")))
    assert parse_tiers([{"min_qty": 5, "unit_price": "1"}], None) == (Tier(5, Decimal(1)),)


@pytest.mark.parametrize(("tiers", "fragment"), [
    ("1:9", "at least 2"),
    ("10:9|10:8", "each min_qty may appear once"),
    ("10:8|20:9", "must not cost more"),
    ("10:11", "higher than the base price"),
    ("10=9", "min_qty:unit_price"),
    ("10:9.12345", "more than 4 decimal places"),
])
def test_bad_tiers(tiers, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_tiers(tiers, Decimal("10"))


def test_only_product_facts_send_an_approved_listing_back_to_curation():
    before = {"title": "Gloves", "brand": "", "mpn": "", "gtin": "", "description": "", "unit": "pcs", "pack_size": 1}
    cheaper = check_listing({**MINIMAL, "base_price": "9", "stock": "5", "lead_time_days": "3", "tax_rate": "7"})
    renamed = check_listing({**MINIMAL, "title": "Gloves M"})
    assert not curated_facts_changed(before, cheaper)
    assert curated_facts_changed(before, renamed)
    assert status_after_edit(ListingStatus.APPROVED, True) is ListingStatus.PENDING
    assert status_after_edit(ListingStatus.APPROVED, False) is ListingStatus.APPROVED
    assert status_after_edit(ListingStatus.DRAFT, True) is ListingStatus.DRAFT


def test_vendor_moves_follow_the_catalog_states():
    assert vendor_move(ListingStatus.DRAFT, SUBMIT) is ListingStatus.PENDING
    assert vendor_move(ListingStatus.REJECTED, SUBMIT) is ListingStatus.PENDING
    assert vendor_move(ListingStatus.APPROVED, WITHDRAW) is ListingStatus.DRAFT
    with pytest.raises(ListingTransitionError, match="cannot submit"):
        vendor_move(ListingStatus.APPROVED, SUBMIT)
    with pytest.raises(ListingTransitionError, match="cannot withdraw"):
        vendor_move(ListingStatus.SUSPENDED, WITHDRAW)
