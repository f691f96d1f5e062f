"""The rows a feed batch writes: statuses after an edit, columns in order (pure, no database)."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from app.vendors.import_sql import STAGED_COLUMNS
from app.vendors.import_writes import _staged_rows
from app.vendors.listing_rules import ListingValues

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EARLIER = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
GLOVES = ListingValues(sku="A-1", title="Gloves", base_price=Decimal("12.50"), currency="EUR", category_id=7)


def stored(status: str, **facts) -> dict:
    row = {"sku": "A-1", "status": status, "submitted_at": EARLIER, "title": "Gloves", "brand": "", "mpn": "",
           "gtin": "", "description": "", "unit": "pcs", "pack_size": 1}
    return {**row, **facts}


def as_dict(row: tuple) -> dict:
    assert len(row) == len(STAGED_COLUMNS)
    return dict(zip(STAGED_COLUMNS, row, strict=True))


def test_a_new_sku_is_a_draft_never_submitted_with_its_values_as_stored():
    # given no listing with the SKU; when the batch is staged
    [row] = _staged_rows([GLOVES], {}, NOW)
    # then it is a draft, the price in minor units, the category by id
    assert as_dict(row) == {
        "sku": "A-1", "title": "Gloves", "brand": "", "mpn": "", "gtin": "", "category": 7, "description": "",
        "unit": "pcs", "pack_size": 1, "min_order_qty": 1, "stock": 0, "lead_time_days": 0, "base_price": 125_000,
        "currency": "EUR", "tax_rate": None, "status": "draft", "submitted_at": None,
    }


def test_a_tax_rate_is_staged_as_the_percent_given():
    [row] = _staged_rows([replace(GLOVES, tax_rate=Decimal("7.00"))], {}, NOW)
    assert as_dict(row)["tax_rate"] == Decimal("7.00")


def test_an_approved_listing_whose_title_changes_goes_back_to_curation_dated_now():
    [row] = _staged_rows([GLOVES], {"A-1": stored("approved", title="Gloves (old)")}, NOW)
    assert (as_dict(row)["status"], as_dict(row)["submitted_at"]) == ("pending", NOW)


def test_a_price_change_keeps_the_status_and_its_date():
    [row] = _staged_rows([GLOVES], {"A-1": stored("approved")}, NOW)
    assert (as_dict(row)["status"], as_dict(row)["submitted_at"]) == ("approved", EARLIER)


def test_a_rejected_or_draft_listing_keeps_its_status_whatever_changes():
    for status in ("draft", "rejected", "pending"):
        [row] = _staged_rows([GLOVES], {"A-1": stored(status, title="Other")}, NOW)
        assert as_dict(row)["status"] == status
