"""An operator's action that changes what buyers see (removing a segment's rule, suspending one listing or all of a
vendor's) shows what it does and asks once more; a one-click post does nothing but ask."""

from __future__ import annotations

from app.catalog.tables import Listing, SegmentRule
from tests.support.catalog import a_segment
from tests.support.curation import a_listing
from tests.support.fixtures import csrf_token
from tests.support.pages import main_of


async def status_of(listing_id: int) -> str:
    return (await Listing.select(Listing.status).where(Listing.id == listing_id).first())["status"]


async def test_removing_a_segment_rule_names_the_buyers_it_changes_and_asks_first(world, browser):
    # given a segment of the buyer's company that denies the vendor
    segment = await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "vendor", world.vendor.id)])
    rule = (await SegmentRule.select(SegmentRule.id).first())["id"]
    session = await browser(world.operator)
    token = csrf_token((await session.get("/operator/curation/segments")).text)
    url = f"/operator/curation/segments/{segment}/rules/{rule}/delete"
    # when the operator presses "Remove…"
    summary = await session.post(url, data={"_csrf_token": token})
    # then the page names the rule, the segment's buyers and what they will see; the rule is still there
    text = main_of(summary.text)
    assert summary.status_code == 200 and f"deny vendor {world.vendor.name}" in text and "Schools" in text
    assert world.buyer.name in text and "becomes visible to them again" in text
    assert await SegmentRule.count() == 1
    # when its "Yes" is sent, the rule is removed
    done = await session.post(url, data={"_csrf_token": token, "confirmed": "yes"})
    assert done.status_code == 303 and await SegmentRule.count() == 0
    # and a rule that is not there is the 404 it was
    assert (await session.post(url, data={"_csrf_token": token})).status_code == 404


async def test_suspending_a_listing_or_a_vendors_listings_asks_first(world, browser):
    listing = await a_listing(world.vendor.id, "SUS-1", "Copy paper", status="approved", price="4.5")
    other = await a_listing(world.vendor.id, "SUS-2", "Pens", status="pending")
    session = await browser(world.operator)
    token = csrf_token((await session.get(f"/operator/curation/listings/{listing}")).text)
    # when the operator presses "Suspend this listing…"
    summary = await session.post(f"/operator/curation/listings/{listing}/suspend", data={"_csrf_token": token})
    # then the summary names it (its price in the one money format) and says how to undo it
    assert summary.status_code == 200
    assert "SUS-1 — Copy paper" in summary.text and "4.50 EUR" in summary.text and "approving it again" in summary.text
    assert await status_of(listing) == "approved"
    await session.post(f"/operator/curation/listings/{listing}/suspend",
                       data={"_csrf_token": token, "confirmed": "yes"})
    assert await status_of(listing) == "suspended"
    # and suspending a vendor's listings counts what leaves the catalog and the queue before doing it
    ask = await session.post("/operator/curation/vendors/suspend-listings",
                             data={"_csrf_token": token, "vendor_id": str(world.vendor.id)})
    assert ask.status_code == 200 and "0 approved listings leave the catalog and 1 pending listing" in ask.text
    assert await status_of(other) == "pending"
    await session.post("/operator/curation/vendors/suspend-listings",
                       data={"_csrf_token": token, "vendor_id": str(world.vendor.id), "confirmed": "yes"})
    assert await status_of(other) == "suspended"
