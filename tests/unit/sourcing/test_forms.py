"""The scenarios page's form read into a scenario: every constraint field, and each mistake named at its field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import FieldErrors
from app.sourcing.forms import scenario_from_form
from app.sourcing.model import Bound, Preset
from app.sourcing.schemas import (
    AllowPartialIn,
    BundleIn,
    CapacityIn,
    ExcludeVendorIn,
    FixedCostIn,
    MaxLeadTimeIn,
    MinAwardValueIn,
    RequireVendorIn,
    ValueShareIn,
    VendorCountIn,
)

VENDORS = [7, 9]
LINE_OF = {1: 101, 2: 102, 3: 103}


def test_every_field_becomes_its_constraint():
    form = {
        "name": " Mix ", "preset": "single_vendor", "max_vendors": "2", "min_vendors": "1", "exclude_9": "1",
        "require_7": "1", "capacity_7": "500", "fixed_cost_9": "12.50", "share_vendor": "7", "share_bound": "at_most",
        "share_percent": "30", "share_lines": "1, 3", "bundles": "1, 2; 2 3", "min_award_value": "100",
        "max_lead_time": "14", "allow_partial": "1",
    }
    scenario = scenario_from_form(form, VENDORS, LINE_OF)
    assert (scenario.name, scenario.preset) == ("Mix", Preset.SINGLE_VENDOR)
    assert scenario.constraints == [
        VendorCountIn(Bound.AT_MOST, 2), VendorCountIn(Bound.AT_LEAST, 1), RequireVendorIn(7), CapacityIn(7, 500),
        ExcludeVendorIn(9), FixedCostIn(9, Decimal("12.50")),
        ValueShareIn(7, Bound.AT_MOST, Decimal(30), [101, 103]), BundleIn([101, 102]), BundleIn([102, 103]),
        MinAwardValueIn(Decimal(100)), MaxLeadTimeIn(14), AllowPartialIn(),
    ]


def test_an_empty_form_but_its_name_is_the_cherry_pick():
    scenario = scenario_from_form({"name": "Plain"}, VENDORS, LINE_OF)
    assert (scenario.preset, scenario.constraints) == (Preset.CHERRY_PICK, [])


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"name": ""}, "name", "Give the scenario a name"),
    ({"name": "x", "max_vendors": "three"}, "max_vendors", "whole number"),
    ({"name": "x", "min_vendors": "0"}, "min_vendors", "at least 1"),
    ({"name": "x", "bundles": "1, 9"}, "bundles", "there is no line 9"),
    ({"name": "x", "bundles": "2"}, "bundles", "at least two lines"),
    ({"name": "x", "share_percent": "20"}, "share_vendor", "Choose the vendor"),
    ({"name": "x", "share_percent": "20", "share_vendor": "7", "share_lines": "a"}, "share_lines", "line numbers"),
    ({"name": "x", "preset": "magic"}, "preset", "Choose one of the presets"),
    ({"name": "x", "capacity_7": "-3"}, "capacity_7", "whole number"),
])
def test_a_mistake_is_named_at_its_field(form, field, words):
    with pytest.raises(FieldErrors) as caught:
        scenario_from_form(form, VENDORS, LINE_OF)
    assert words in caught.value.fields[field]
