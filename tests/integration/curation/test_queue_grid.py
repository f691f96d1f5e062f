"""The curation queue as a grid: sorted and exported as selected; ticked listings approved or suspended all or none."""

from __future__ import annotations

import csv
import io

from app.catalog.tables import CurationEvent, Listing
from tests.support.curation import a_listing
from tests.support.fixtures import csrf_token, make_company


async def statuses(*ids: int) -> list[str]:
    rows = await Listing.select(Listing.id, Listing.status).where(Listing.id.is_in(list(ids))).order_by(Listing.id)
    return [row["status"] for row in rows]


async def test_ticked_listings_are_approved_together_with_an_audit_entry_each(world, browser):
    # given three pending listings
    ids = [await a_listing(world.vendor.id, f"B-{n}", f"Bulk item {n}") for n in range(3)]
    session = await browser(world.operator)
    page = await session.get("/operator/curation/?sort=sku")
    assert 'form="bulk-listings"' in page.text
    # when the operator ticks two and presses "Approve…"
    ticked = {"_csrf_token": csrf_token(page.text), "listing_id": [str(ids[0]), str(ids[2])], "action": "approve",
              "next": "/operator/curation?sort=sku"}
    summary = await session.post("/operator/curation/listings/bulk", data=ticked)
    # then a summary names both and asks first; nothing is approved yet
    assert summary.status_code == 200 and "Approve 2 listings?" in summary.text
    assert "B-0 — Bulk item 0" in summary.text and "B-2 — Bulk item 2" in summary.text and "B-1" not in summary.text
    assert 'name="confirmed" value="yes"' in summary.text and 'href="/operator/curation?sort=sku"' in summary.text
    assert await statuses(*ids) == ["pending"] * 3
    # when its "Yes" is sent
    response = await session.post("/operator/curation/listings/bulk", data={**ticked, "confirmed": "yes"})
    # then both are approved (each to a new product), the third still waits, and the page it came from says so
    assert response.status_code == 303 and response.headers["location"] == "/operator/curation?sort=sku"
    assert await statuses(*ids) == ["approved", "pending", "approved"]
    assert await CurationEvent.count().where(CurationEvent.action == "listing.approved") == 2
    assert "2 listing(s) approved." in (await session.get(response.headers["location"])).text


async def test_one_listing_that_cannot_be_approved_leaves_every_ticked_one_unchanged(world, browser):
    waiting = await a_listing(world.vendor.id, "W-1", "Waiting")
    rejected = await a_listing(world.vendor.id, "R-9", "Rejected before", status="rejected")
    session = await browser(world.operator)
    page = await session.get("/operator/curation/")
    response = await session.post("/operator/curation/listings/bulk", data={
        "_csrf_token": csrf_token(page.text), "listing_id": [str(waiting), str(rejected)], "action": "approve",
        "confirmed": "yes"})
    assert response.status_code == 303
    assert await statuses(waiting, rejected) == ["pending", "rejected"]
    assert await CurationEvent.count() == 0
    after = await session.get(response.headers["location"])
    assert "Listing R-9 of" in after.text and "Nothing was approved." in after.text


async def test_bulk_input_it_cannot_use_is_refused_with_what_to_do(world, browser):
    listing = await a_listing(world.vendor.id, "S-1", "Suspend me")
    session = await browser(world.operator)
    page = await session.get("/operator/curation/")
    token = csrf_token(page.text)
    for data, says in (({"action": "approve"}, "Tick at least one of the listings first."),
                       ({"listing_id": ["x"], "action": "approve"}, "could not be read"),
                       ({"listing_id": [str(n) for n in range(101)], "action": "suspend"}, "At most 100"),
                       ({"listing_id": [str(listing)], "action": "delete"}, "Choose Approve or Suspend")):
        response = await session.post("/operator/curation/listings/bulk", data={"_csrf_token": token, **data})
        assert response.status_code == 303
        assert says in (await session.get(response.headers["location"])).text
    assert await statuses(listing) == ["pending"]
    # and a suspension of the one ticked goes through
    await session.post("/operator/curation/listings/bulk", data={
        "_csrf_token": token, "listing_id": [str(listing)], "action": "suspend", "confirmed": "yes"})
    assert await statuses(listing) == ["suspended"]


async def test_the_queue_exports_its_selection_and_sorts_by_vendor(world, browser):
    other_vendor = await make_company("vendor", name="Aardvark Supplies")
    await a_listing(world.vendor.id, "E-1", "=SUM(A1) paper")
    await a_listing(other_vendor.id, "E-2", "Stapler")
    await a_listing(world.vendor.id, "E-3", "Approved already", status="approved")
    session = await browser(world.operator)
    page = await session.get("/operator/curation/?sort=vendor")
    assert page.text.index("Aardvark Supplies</td>") < page.text.index("Stapler") < page.text.index(">E-1<")
    response = await session.get("/operator/curation/export.csv?sort=vendor")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["E-2", "E-1"]  # pending only, as the page; the title neutralized
    assert rows[2][3] == "'=SUM(A1) paper"
    every = await session.get("/operator/curation/export.xlsx?status=any")
    assert every.status_code == 200 and every.headers["content-type"].startswith("application/vnd.openxmlformats")
    # and nobody else may
    assert (await (await browser(world.buyer_admin)).get("/operator/curation/export.csv")).status_code == 403


async def test_the_audit_log_is_a_grid_filtered_sorted_and_exported(world, browser):
    # given two listings approved together: two audit entries
    ids = [await a_listing(world.vendor.id, f"L-{n}", f"Logged {n}") for n in range(2)]
    session = await browser(world.operator)
    page = await session.get("/operator/curation/")
    await session.post("/operator/curation/listings/bulk", data={
        "_csrf_token": csrf_token(page.text), "listing_id": [str(i) for i in ids], "action": "approve",
        "confirmed": "yes"})
    # when the operator filters the log by the second listing
    log = await session.get(f"/operator/curation/events?listing={ids[1]}")
    # then only its entry shows, linked to the listing
    assert log.status_code == 200 and f'href="/operator/curation/listings/{ids[1]}"' in log.text
    assert f'href="/operator/curation/listings/{ids[0]}"' not in log.text
    # and the export of the whole log sorted by listing holds every approval, oldest listing first
    rows = list(csv.reader(io.StringIO(
        (await session.get("/operator/curation/events/export.csv?sort=listing&action=listing.approved"))
        .content.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == [str(i) for i in ids]
    assert {row[1] for row in rows[1:]} == {world.operator}
    # and a listing number that is not one is a 400 that says so
    bad = await session.get("/operator/curation/events?listing=abc")
    assert bad.status_code == 400 and "Listing # must be a whole number" in bad.text
