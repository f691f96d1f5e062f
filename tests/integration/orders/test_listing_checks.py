"""The database's last word on a listing's ordering figures, whoever writes the row (a bug, the back office, SQL):
stock never below zero, a tax rate a percentage or none (the marketplace default). PostgreSQL checks them with
CHECK constraints, SQLite with triggers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.catalog.tables import Listing
from tests.support.catalog import a_listing
from tests.support.fixtures import make_company


@pytest.mark.parametrize("change", [{Listing.stock: -1}, {Listing.tax_rate: Decimal("100.01")},
                                   {Listing.tax_rate: Decimal("-0.01")}])
async def test_a_write_past_a_listing_rule_is_refused(change):
    vendor = await make_company("vendor")
    listing = await a_listing(vendor.id, None, "CHK-1")
    with pytest.raises(Exception, match=r"listing_(stock_not_negative|tax_rate_percent)"):
        await Listing.update(change).where(Listing.id == listing)
    assert await Listing.select(Listing.stock, Listing.tax_rate).where(Listing.id == listing).first() == {
        "stock": 5, "tax_rate": None}


@pytest.mark.parametrize("rate", [None, Decimal("0"), Decimal("7.5"), Decimal("100")])
async def test_a_tax_rate_from_0_to_100_or_none_is_kept(rate):
    vendor = await make_company("vendor")
    listing = await a_listing(vendor.id, None, "CHK-2")
    await Listing.update({Listing.tax_rate: rate}).where(Listing.id == listing)
    stored = await Listing.select(Listing.tax_rate).where(Listing.id == listing).first()
    assert stored["tax_rate"] == rate
