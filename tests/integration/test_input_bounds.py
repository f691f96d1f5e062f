"""Every input has a sane bound: deadlines at most two years ahead, text and lists of bounded length. Past one, the
API answers 400 naming the field and its limit, a page shows the same on the form, nothing is written, and the
OpenAPI document shows the limits (maxLength, maxItems)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.rfq import rules
from app.rfq.tables import Rfq
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside
from tests.support.rfq import a_draft, a_published, body, counts, iso, new_form


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


def refused(response, field: str, limit: int | str) -> None:
    """A 400 whose one-line detail names the field and its limit."""
    assert response.status_code == 400, response.text[:500]
    detail = response.json()["detail"]
    assert field in detail and str(limit) in detail, detail


def line(**overrides):
    return {"description": "Gloves", "quantity": 1, **overrides}


# --- deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline",
    ["9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00", "2300-06-01T12:00:00Z"],
)
async def test_a_deadline_past_two_years_or_the_calendar_is_a_400(world, purchaser, deadline):
    # given
    before = await counts()
    # when
    response = await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id], deadline=deadline))
    # then a bad value, said as such (the year 1 is in the past)
    assert response.status_code == 400, response.text
    assert "at most 2 years ahead" in response.text or "in the future" in response.text
    assert await counts() == before


async def test_a_deadline_within_two_years_is_taken_and_one_just_past_is_not(world, purchaser):
    near = utcnow() + rules.MAX_DEADLINE_AHEAD - timedelta(hours=1)
    assert (await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id], deadline=iso(near)))).status_code == 201
    far = utcnow() + rules.MAX_DEADLINE_AHEAD + timedelta(hours=1)
    response = await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id], deadline=iso(far)))
    refused(response, "deadline", "2 years")
    assert "at the latest" in response.json()["detail"]


async def test_a_draft_cannot_be_moved_to_the_year_9999(world, purchaser):
    draft = await a_draft(purchaser, world)
    response = await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"deadline": "9999-12-31T23:59:59-05:00"})
    refused(response, "deadline", "2 years")
    assert (await purchaser.get(f"/api/v1/rfqs/{draft['id']}")).json()["deadline"] == draft["deadline"]


async def test_an_extension_past_two_years_is_a_400_and_moves_nothing(world, purchaser):
    rfq = await a_published(purchaser, world)
    for deadline in ("9999-12-31T23:59:59-05:00", iso(utcnow() + rules.MAX_DEADLINE_AHEAD + timedelta(days=1))):
        response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": deadline})
        refused(response, "deadline", "2 years")
    assert (await purchaser.get(f"/api/v1/rfqs/{rfq['id']}")).json()["deadline"] == rfq["deadline"]


async def test_the_extension_page_shows_the_bound(world, browser, purchaser):
    rfq = await a_published(purchaser, world)
    client = await browser(world.purchaser)
    detail = await client.get(f"/rfqs/{rfq['id']}")
    response = await client.post(f"/rfqs/{rfq['id']}/extend",
                                 data={"_csrf_token": csrf_token(detail.text), "deadline": "9999-12-31T23:59"})
    assert response.status_code == 400
    assert "deadline must be at most 2 years ahead" in error_beside(response.text, "deadline")


# --- text and lists of an RFQ -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "limit"),
    [
        ({"title": "T" * 201}, "title", 200),
        ({"description": "d" * 20_001}, "description", 20_000),
        ({"delivery_address": "a" * 2_001}, "delivery_address", 2_000),
        ({"currency": "E" * 51}, "currency", 50),
        ({"payment_terms": "n" * 51}, "payment_terms", 50),
        ({"lines": [line(description="x" * 5_001)]}, "description", 5_000),
        ({"lines": [line(notes="x" * 5_001)]}, "notes", 5_000),
        ({"lines": [line(unit="u" * 21)]}, "unit", 20),
        ({"lines": [line(target_price="1" * 41)]}, "target_price", 40),
        ({"lines": [line() for _ in range(201)]}, "lines", 200),
        ({"vendor_ids": list(range(1, 502))}, "vendor_ids", 500),
    ],
)
async def test_an_rfq_past_a_bound_is_a_400_naming_field_and_limit(world, purchaser, overrides, field, limit):
    # given
    before = await counts()
    # when
    overrides = dict(overrides)
    vendor_ids = overrides.pop("vendor_ids", [world.vendor.id])
    response = await purchaser.post("/api/v1/rfqs", json=body(vendor_ids, **overrides))
    # then
    refused(response, field, limit)
    assert await counts() == before


async def test_a_9_mb_description_is_refused(world, purchaser):
    response = await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id], description="x" * 9_000_000))
    refused(response, "description must be at most 20000 characters long", 20_000)
    assert await Rfq.count() == 0


async def test_values_at_the_bounds_are_taken(world, purchaser):
    response = await purchaser.post("/api/v1/rfqs", json=body(
        [world.vendor.id], title="T" * 200, description="d" * 20_000, delivery_address="a" * 2_000,
        lines=[line(description="x" * 5_000, notes="n" * 5_000, unit="u" * 20)],
    ))
    assert response.status_code == 201, response.text[:500]


async def test_patch_and_invitations_have_the_same_bounds(world, purchaser):
    draft = await a_draft(purchaser, world)
    refused(await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"description": "d" * 20_001}),
            "description", 20_000)
    refused(await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"lines": [line()] * 201}), "lines", 200)
    refused(await purchaser.post(f"/api/v1/rfqs/{draft['id']}/invitations", json={"vendor_ids": [1] * 501}),
            "vendor_ids", 500)


# --- the new-RFQ page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "T" * 201}, "Title: must be at most 200 characters (this one has 201)"),
        ({"description": "d" * 20_001}, "Description: must be at most 20,000 characters"),
        ({"line1_notes": "n" * 5_001}, "Line 1 — notes: must be at most 5,000 characters"),
        ({"line1_unit": "u" * 21}, "Line 1 — unit: must be at most 20 characters"),
        ({"deadline": "9999-12-31T23:59"}, "Deadline: must be at most 2 years ahead"),
    ],
)
async def test_the_page_form_shows_the_same_bound_and_saves_nothing(world, browser, overrides, message):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    response = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id, **overrides))
    assert response.status_code == 400, response.text[:300]
    assert message in response.text
    assert await Rfq.count() == 0


# --- offers, awards, counter-proposals (the body is checked before the RFQ or offer is looked up) --------


async def test_offer_award_and_proposal_bodies_are_bounded(world, api):
    vendor, approver, buyer = await api(world.vendor_admin), await api(world.approver), await api(world.buyer_admin)
    offer_line = {"rfq_line_id": 1, "unit_price": "1.00"}
    refused(await vendor.post("/api/v1/rfqs/1/offers", json={"lines": [offer_line] * 201}), "lines", 200)
    refused(await vendor.post("/api/v1/rfqs/1/offers", json={"lines": [offer_line], "notes": "n" * 5_001}),
            "notes", 5_000)
    refused(await vendor.post("/api/v1/rfqs/1/offers", json={"lines": [{**offer_line, "unit_price": "9" * 41}]}),
            "unit_price", 40)
    refused(await vendor.put("/api/v1/offers/1", json={"lines": [offer_line] * 201}), "lines", 200)
    refused(await vendor.post("/api/v1/rfqs/1/decline", json={"reason": "r" * 2_001}), "reason", 2_000)
    refused(await approver.post("/api/v1/rfqs/1/award", json={"awards": [{"rfq_line_id": 1, "offer_id": 1}] * 201}),
            "awards", 200)
    refused(await buyer.post("/api/v1/offers/1/counter-proposals", json={"lines": [offer_line] * 201}), "lines", 200)
    proposal = {"lines": [offer_line], "message": "m" * 5_001}
    refused(await buyer.post("/api/v1/offers/1/counter-proposals", json=proposal), "message", 5_000)


# --- listings, price lists, contracts, accounts -------------------------------------------------


async def test_listing_bodies_are_bounded(world, api):
    vendor = await api(world.vendor_admin)
    listing = {"sku": "AB-1", "title": "Gloves", "base_price": "1.00", "currency": "EUR"}
    for overrides, field, limit in [
        ({"title": "t" * 301}, "title", 300), ({"sku": "s" * 101}, "sku", 100),
        ({"description": "d" * 20_001}, "description", 20_000), ({"unit": "u" * 21}, "unit", 20),
        ({"tiers": [{"min_qty": n, "unit_price": "1.00"} for n in range(2, 23)]}, "tiers", 20),
    ]:
        refused(await vendor.post("/api/v1/listings", json={**listing, **overrides}), field, limit)
        refused(await vendor.patch("/api/v1/listings/1", json=overrides), field, limit)


async def test_price_list_bodies_are_bounded(world, api):
    operator = await api(world.operator)
    entries = [{"listing_id": n, "unit_price": "1.00"} for n in range(1, 10_002)]
    refused(await operator.post("/api/v1/price-lists", json={"name": "P", "currency": "EUR", "entries": entries}),
            "entries", 10_000)
    refused(await operator.post("/api/v1/price-lists/1/entries", json={"entries": entries}), "entries", 10_000)
    refused(await operator.post("/api/v1/curation/listings/1/reject", json={"reason": "r" * 2_001}), "reason", 2_000)


async def test_contract_bodies_are_bounded(world, api):
    buyer = await api(world.buyer_admin)
    tiers = [{"min_qty": n, "unit_price": "1.00"} for n in range(2, 23)]
    refused(await buyer.post("/api/v1/contracts/1/amendments", json={"lines": [{"line_id": 1}] * 201}), "lines", 200)
    refused(await buyer.post("/api/v1/contracts/1/amendments", json={"lines": [{"line_id": 1, "tiers": tiers}]}),
            "tiers", 20)
    refused(await buyer.post("/api/v1/contracts/1/renew", json={"title": "t" * 201}), "title", 200)


async def test_account_bodies_are_bounded(world, api):
    operator = await api(world.operator)
    company = {"name": "X", "kind": "k" * 51, "country": "DE", "currency": "EUR"}
    refused(await operator.post("/api/v1/companies", json=company), "kind", 50)
    user = {"email": "new@example.com", "name": "New", "roles": ["purchaser"] * 21}
    refused(await operator.post(f"/api/v1/companies/{world.buyer.id}/users", json=user), "roles", 20)


# --- the OpenAPI document -----------------------------------------------------------------------


def bound(schema: dict, components: dict, key: str):
    """`key` (maxLength, maxItems) of a property's schema, looking through references and unions."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if key in schema:
        return schema[key]
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        if (found := bound(option, components, key)) is not None:
            return found
    return None


@pytest.mark.parametrize(
    ("struct", "field", "key", "limit"),
    [
        ("RfqIn", "title", "maxLength", 200),
        ("RfqIn", "description", "maxLength", 20_000),
        ("RfqIn", "delivery_address", "maxLength", 2_000),
        ("RfqIn", "lines", "maxItems", 200),
        ("RfqIn", "vendor_ids", "maxItems", 500),
        ("RfqPatch", "description", "maxLength", 20_000),
        ("RfqLineIn", "description", "maxLength", 5_000),
        ("RfqLineIn", "notes", "maxLength", 5_000),
        ("RfqLineIn", "unit", "maxLength", 20),
        ("InvitationsIn", "vendor_ids", "maxItems", 500),
        ("OfferIn", "lines", "maxItems", 200),
        ("OfferIn", "notes", "maxLength", 5_000),
        ("AwardIn", "awards", "maxItems", 200),
        ("CounterProposalIn", "lines", "maxItems", 200),
        ("ListingIn", "description", "maxLength", 20_000),
        ("ListingIn", "tiers", "maxItems", 20),
        ("ListingPatch", "title", "maxLength", 300),
        ("EntriesIn", "entries", "maxItems", 10_000),
        ("PriceListIn", "entries", "maxItems", 10_000),
        ("AmendmentIn", "lines", "maxItems", 200),
        ("RejectIn", "reason", "maxLength", 2_000),
        ("UserIn", "roles", "maxItems", 20),
    ],
)
async def test_the_openapi_document_shows_the_bounds(client, struct, field, key, limit):
    document = (await client.get("/api/schema/openapi.json")).json()
    components = document["components"]["schemas"]
    assert bound(components[struct]["properties"][field], components, key) == limit
