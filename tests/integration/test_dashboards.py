"""Each dashboard counts only what its viewer may see."""

import re
from decimal import Decimal

from app.catalog.tables import Listing
from app.clock import utcnow
from app.money import to_minor


async def a_listing(vendor_id: int, sku: str, status: str) -> None:
    await Listing(vendor=vendor_id, sku=sku, title=sku, base_price=to_minor(Decimal("1")), currency="EUR",
                  status=status, created_at=utcnow(), updated_at=utcnow()).save()


def count_after(label: str, html: str) -> int:
    match = re.search(rf"<dt>{label}</dt><dd>(?:<a [^>]*>)?(\d+)", html)
    assert match, f"{label} not on the page"
    return int(match.group(1))


async def test_a_vendor_sees_its_own_listing_counts_and_operators_see_the_queue(world, browser):
    # given two vendors' listings in several states
    from tests.support.fixtures import make_company

    competitor = await make_company("vendor")
    await a_listing(world.vendor.id, "A", "pending")
    await a_listing(world.vendor.id, "B", "approved")
    await a_listing(world.vendor.id, "C", "approved")
    await a_listing(competitor.id, "D", "pending")
    # then the vendor counts only its own
    vendor_page = (await (await browser(world.vendor_admin)).get("/dashboard")).text
    assert count_after("Approved", vendor_page) == 2
    assert count_after("Pending", vendor_page) == 1
    # and the operator sees the whole queue
    operator_page = (await (await browser(world.operator)).get("/dashboard")).text
    assert count_after("Pending listings", operator_page) == 2


async def test_a_buyer_dashboard_offers_the_catalog_search(world, browser):
    page = (await (await browser(world.purchaser)).get("/dashboard")).text
    assert 'action="/catalog"' in page
