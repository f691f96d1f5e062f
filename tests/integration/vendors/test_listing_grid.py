"""The vendor's listings as a grid: its own only, sorted and exported as selected, drafts submitted together."""

from __future__ import annotations

import csv
import io

from app.catalog.tables import Listing
from tests.support.curation import a_listing
from tests.support.fixtures import csrf_token, make_company


async def test_a_vendor_sorts_searches_exports_and_submits_its_ticked_drafts(world, browser):
    # given three drafts and an approved listing of the vendor, and another vendor's draft
    drafts = [await a_listing(world.vendor.id, f"D-{n}", f"Draft gloves {n}", status="draft") for n in range(3)]
    await a_listing(world.vendor.id, "A-1", "Approved boots", status="approved")
    other = await make_company("vendor")
    await a_listing(other.id, "D-9", "Other vendor's gloves", status="draft")
    session = await browser(world.vendor_admin)
    # when it searches and sorts by SKU
    page = await session.get("/vendor/listings?q=gloves&sort=-sku")
    # then it sees its own three gloves, the last SKU first, and never the other vendor's
    text = page.text
    assert text.index(">D-2<") < text.index(">D-1<") < text.index(">D-0<")
    assert "D-9" not in text and "Approved boots" not in text
    exported = await session.get("/vendor/listings/export.csv?q=gloves&sort=-sku")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["D-2", "D-1", "D-0"]
    # when it ticks two drafts and the approved listing is not among them, and submits them
    ticked = {"_csrf_token": csrf_token(text), "listing_id": [str(drafts[0]), str(drafts[1])], "action": "submit"}
    summary = await session.post("/vendor/listings/bulk", data=ticked)
    # then a summary names the two and asks first
    assert summary.status_code == 200 and "Submit 2 listings?" in summary.text
    assert "D-0 — Draft gloves 0" in summary.text and "D-1 — Draft gloves 1" in summary.text
    assert "D-2" not in summary.text
    response = await session.post("/vendor/listings/bulk", data={**ticked, "confirmed": "yes"})
    assert response.status_code == 303
    rows = await Listing.select(Listing.status).where(Listing.id.is_in(drafts)).order_by(Listing.id)
    assert [row["status"] for row in rows] == ["pending", "pending", "draft"]
    assert "2 listing(s) sent to curation." in (await session.get(response.headers["location"])).text


async def test_another_vendors_listing_among_the_ticked_ones_changes_nothing(world, browser):
    mine = await a_listing(world.vendor.id, "M-1", "Mine", status="draft")
    other = await make_company("vendor")
    theirs = await a_listing(other.id, "T-1", "Theirs", status="draft")
    session = await browser(world.vendor_admin)
    page = await session.get("/vendor/listings")
    ticked = {"_csrf_token": csrf_token(page.text), "listing_id": [str(mine), str(theirs)], "action": "submit"}
    # its summary names neither: the other's listing is missing, as one that does not exist would be
    asked = await session.get((await session.post("/vendor/listings/bulk", data=ticked)).headers["location"])
    assert "A ticked listing no longer exists" in asked.text and "Theirs" not in asked.text
    response = await session.post("/vendor/listings/bulk", data={**ticked, "confirmed": "yes"})
    after = await session.get(response.headers["location"])
    # the same words as for a listing that does not exist: nothing about the other vendor's
    assert "A ticked listing: No such listing. None of the ticked listings changed." in after.text
    rows = await Listing.select(Listing.status).where(Listing.id.is_in([mine, theirs])).order_by(Listing.id)
    assert [row["status"] for row in rows] == ["draft", "draft"]


async def test_withdrawing_an_approved_listing_says_it_leaves_the_catalog_and_asks_first(world, browser):
    approved = await a_listing(world.vendor.id, "W-1", "Approved boots", status="approved")
    session = await browser(world.vendor_admin)
    page = await session.get(f"/vendor/listings/{approved}")
    assert "Withdraw to draft…" in page.text
    summary = await session.post(f"/vendor/listings/{approved}/withdraw", data={"_csrf_token": csrf_token(page.text)})
    assert summary.status_code == 200 and "W-1 — Approved boots (approved" in summary.text
    assert "leave the catalog at once" in summary.text
    assert (await Listing.select(Listing.status).where(Listing.id == approved).first())["status"] == "approved"
    done = await session.post(f"/vendor/listings/{approved}/withdraw",
                              data={"_csrf_token": csrf_token(page.text), "confirmed": "yes"})
    assert done.status_code == 303
    assert (await Listing.select(Listing.status).where(Listing.id == approved).first())["status"] == "draft"
    # another vendor's listing is its 404, asked or confirmed
    other = await a_listing((await make_company("vendor")).id, "X-1", "Theirs", status="approved")
    assert (await session.post(f"/vendor/listings/{other}/withdraw",
                               data={"_csrf_token": csrf_token(page.text)})).status_code == 404
