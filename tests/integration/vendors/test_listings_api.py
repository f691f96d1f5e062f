"""The vendor listing API: create, read, list, edit, submit, withdraw, and who may touch what."""

from decimal import Decimal as D

import pytest

from app.catalog.tables import Listing
from tests.support.fixtures import make_company, make_user

GLOVES = {
    "sku": "AB-1001",
    "title": "Nitrile gloves M",
    "base_price": "12.50",
    "currency": "eur",
    "gtin": "4006381333931",
    "pack_size": 100,
    "tiers": [{"min_qty": 10, "unit_price": "11.90"}, {"min_qty": 100, "unit_price": "10.5"}],
}


async def test_a_vendor_creates_a_draft_listing_with_tiers(world, api):
    # given a vendor admin
    client = await api(world.vendor_admin)
    # when they create a listing
    response = await client.post("/api/v1/listings", json=GLOVES)
    # then it is a draft of their company, prices as decimal strings
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert body["currency"] == "EUR"
    assert body["base_price"] == "12.5000"
    assert body["tiers"] == [{"min_qty": 10, "unit_price": "11.9000"}, {"min_qty": 100, "unit_price": "10.5000"}]
    assert body["product_id"] is None
    again = await client.get(f"/api/v1/listings/{body['id']}")
    assert again.json() == body


async def test_bad_fields_are_400_naming_each_field_and_nothing_is_saved(world, api):
    client = await api(world.vendor_admin)
    bad = {**GLOVES, "gtin": "4006381333932", "pack_size": 0, "stock": -1, "base_price": "1.00001",
           "currency": "EURO", "tiers": [{"min_qty": 10, "unit_price": "9"}, {"min_qty": 20, "unit_price": "9.5"}]}
    response = await client.post("/api/v1/listings", json=bad)
    assert response.status_code == 400
    detail = response.json()["detail"]
    for field in ("gtin", "pack_size", "stock", "base_price", "currency", "tiers"):
        assert f"{field}:" in detail
    assert await Listing.count() == 0


async def test_a_float_price_is_refused(world, api):
    client = await api(world.vendor_admin)
    response = await client.post("/api/v1/listings", json={**GLOVES, "base_price": 12.5})
    assert response.status_code == 400


async def test_a_duplicate_sku_is_409(world, api):
    client = await api(world.vendor_admin)
    assert (await client.post("/api/v1/listings", json=GLOVES)).status_code == 201
    response = await client.post("/api/v1/listings", json=GLOVES)
    assert response.status_code == 409
    assert "AB-1001" in response.json()["detail"]


async def test_submit_then_withdraw_and_illegal_moves_are_409(world, api):
    client = await api(world.vendor_admin)
    listing_id = (await client.post("/api/v1/listings", json=GLOVES)).json()["id"]
    submitted = await client.post(f"/api/v1/listings/{listing_id}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "pending"
    assert submitted.json()["submitted_at"] is not None
    again = await client.post(f"/api/v1/listings/{listing_id}/submit")
    assert again.status_code == 409
    assert "pending" in again.json()["detail"]
    withdrawn = await client.post(f"/api/v1/listings/{listing_id}/withdraw")
    assert withdrawn.json()["status"] == "draft"
    assert (await client.post(f"/api/v1/listings/{listing_id}/withdraw")).status_code == 409


async def test_editing_product_facts_of_an_approved_listing_sends_it_back_to_curation(world, api):
    # given an approved listing (curation approved it)
    client = await api(world.vendor_admin)
    listing_id = (await client.post("/api/v1/listings", json=GLOVES)).json()["id"]
    await Listing.update({Listing.status: "approved"}).where(Listing.id == listing_id)
    # when the vendor changes price, stock and lead time
    response = await client.patch(
        f"/api/v1/listings/{listing_id}", json={"base_price": "13.00", "stock": 7, "lead_time_days": 3}
    )
    # then it stays approved, and the untouched fields (tiers) are kept
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["base_price"] == "13.0000"
    assert len(response.json()["tiers"]) == 2
    # when the vendor changes the title
    response = await client.patch(f"/api/v1/listings/{listing_id}", json={"title": "Nitrile gloves, M"})
    # then curation must look again
    assert response.json()["status"] == "pending"


async def test_patch_replaces_tiers_and_validates_the_merged_listing(world, api):
    client = await api(world.vendor_admin)
    listing_id = (await client.post("/api/v1/listings", json=GLOVES)).json()["id"]
    cleared = await client.patch(f"/api/v1/listings/{listing_id}", json={"tiers": []})
    assert cleared.json()["tiers"] == []
    too_cheap_base = await client.patch(
        f"/api/v1/listings/{listing_id}", json={"tiers": [{"min_qty": 5, "unit_price": "20"}]}
    )
    assert too_cheap_base.status_code == 400
    assert "base price" in too_cheap_base.json()["detail"]


async def test_list_is_own_filtered_and_paginated(world, api):
    client = await api(world.vendor_admin)
    for number in range(3):
        await client.post("/api/v1/listings", json={**GLOVES, "sku": f"S-{number}"})
    first = (await client.get("/api/v1/listings", params={"limit": 2})).json()
    assert first["total"] == 3
    assert len(first["items"]) == 2
    await client.post(f"/api/v1/listings/{first['items'][0]['id']}/submit")
    pending = (await client.get("/api/v1/listings", params={"status": "pending"})).json()
    assert [item["id"] for item in pending["items"]] == [first["items"][0]["id"]]
    assert (await client.get("/api/v1/listings", params={"status": "nope"})).status_code == 400


async def test_another_vendors_listing_is_404_and_invisible(world, api):
    # given a listing of another vendor
    other_vendor = await make_company("vendor")
    other = await api(await make_user(other_vendor.id, "vendor_sales"))
    theirs = (await other.post("/api/v1/listings", json=GLOVES)).json()["id"]
    # when our vendor reaches for it
    client = await api(world.vendor_admin)
    # then it does not exist for them, in any way
    assert (await client.get(f"/api/v1/listings/{theirs}")).status_code == 404
    assert (await client.patch(f"/api/v1/listings/{theirs}", json={"stock": 1})).status_code == 404
    assert (await client.post(f"/api/v1/listings/{theirs}/submit")).status_code == 404
    assert (await client.get("/api/v1/listings")).json()["total"] == 0
    # and the same SKU is free for our vendor
    assert (await client.post("/api/v1/listings", json=GLOVES)).status_code == 201


async def test_buyers_and_operators_get_403(world, api):
    for email in (world.buyer_admin, world.purchaser, world.operator):
        client = await api(email)
        assert (await client.get("/api/v1/listings")).status_code == 403
        assert (await client.post("/api/v1/listings", json=GLOVES)).status_code == 403
    assert await Listing.count() == 0


async def test_a_vendor_sets_changes_and_clears_a_listings_tax_rate(world, api):
    # given a vendor admin
    client = await api(world.vendor_admin)
    # when they create a listing without a tax rate, it takes the marketplace's default (null)
    plain = (await client.post("/api/v1/listings", json={**GLOVES, "sku": "NO-RATE"})).json()
    assert plain["tax_rate"] is None
    # when they create one at 7.5 %
    response = await client.post("/api/v1/listings", json={**GLOVES, "tax_rate": "7.5"})
    # then it is stored and read back with two decimals
    assert response.status_code == 201, response.text
    listing_id = response.json()["id"]
    assert response.json()["tax_rate"] == "7.50"
    assert (await client.get(f"/api/v1/listings/{listing_id}")).json()["tax_rate"] == "7.50"
    assert (await Listing.select(Listing.tax_rate).where(Listing.id == listing_id).first())["tax_rate"] == D("7.5")
    # when a patch leaves it out, it is kept; when it names it, it changes; null clears it
    kept = await client.patch(f"/api/v1/listings/{listing_id}", json={"stock": 3})
    assert kept.json()["tax_rate"] == "7.50"
    changed = await client.patch(f"/api/v1/listings/{listing_id}", json={"tax_rate": "19"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["tax_rate"] == "19.00"
    cleared = await client.patch(f"/api/v1/listings/{listing_id}", json={"tax_rate": None})
    assert cleared.json()["tax_rate"] is None
    assert (await Listing.select(Listing.tax_rate).where(Listing.id == listing_id).first())["tax_rate"] is None


async def test_a_tax_rate_change_keeps_an_approved_listing_approved(world, api):
    client = await api(world.vendor_admin)
    listing_id = (await client.post("/api/v1/listings", json=GLOVES)).json()["id"]
    await Listing.update({Listing.status: "approved"}).where(Listing.id == listing_id)
    response = await client.patch(f"/api/v1/listings/{listing_id}", json={"tax_rate": "7"})
    assert (response.json()["status"], response.json()["tax_rate"]) == ("approved", "7.00")


@pytest.mark.parametrize("rate", [101, "101", "abc", "19.555", 19.555, "-1"])
async def test_a_wrong_tax_rate_is_400_naming_the_field_and_nothing_changes(world, api, rate):
    client = await api(world.vendor_admin)
    # on create
    response = await client.post("/api/v1/listings", json={**GLOVES, "tax_rate": rate})
    assert response.status_code == 400, response.text
    assert "tax_rate:" in response.json()["detail"]
    assert await Listing.count() == 0
    # and on patch
    listing_id = (await client.post("/api/v1/listings", json={**GLOVES, "tax_rate": "7"})).json()["id"]
    response = await client.patch(f"/api/v1/listings/{listing_id}", json={"tax_rate": rate})
    assert response.status_code == 400, response.text
    assert "tax_rate:" in response.json()["detail"]
    assert (await client.get(f"/api/v1/listings/{listing_id}")).json()["tax_rate"] == "7.00"


async def test_the_rules_say_what_a_tax_rate_must_be(world, api):
    client = await api(world.vendor_admin)
    response = await client.post("/api/v1/listings", json={**GLOVES, "tax_rate": "101"})
    assert "tax_rate: must be a percentage from 0 to 100 with at most 2 decimals, such as 19 or 7.5" in (
        response.json()["detail"]
    )
