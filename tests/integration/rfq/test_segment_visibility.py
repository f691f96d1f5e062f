"""What a buyer's segment may not see does not exist in its RFQs: no line of a hidden product, no invitation of
a hidden vendor (checked again when publishing), and an open RFQ never reaches a vendor the segment may not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.catalog.tables import SegmentRule
from app.clock import utcnow
from app.notifications.tables import OutboxEmail
from app.offers.tables import Offer
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.catalog import a_listing, a_segment
from tests.support.fixtures import make_company, make_user
from tests.support.offers import offer_body
from tests.support.rfq import a_category_with_listing, a_draft, body, counts, emails_to


@dataclass
class Market:
    """world.buyer's segment may see vendor A (world.vendor) only; vendor B sells the same gloves."""

    segment: int
    category: int
    gloves: int
    vendor_a: int
    vendor_b: int
    seller_a: str
    seller_b: str


@pytest.fixture
async def market(world) -> Market:
    category, gloves = await a_category_with_listing(world.vendor.id, "Gloves")
    vendor_b = await make_company("vendor", name="Beta Hidden Supplies")
    await a_listing(vendor_b.id, gloves, "beta-gloves")
    segment = await a_segment("Only vendor A", [world.buyer.id], [("allow", "vendor", world.vendor.id)])
    return Market(segment=segment, category=category, gloves=gloves, vendor_a=world.vendor.id, vendor_b=vendor_b.id,
                  seller_a=world.vendor_admin, seller_b=await make_user(vendor_b.id, "vendor_admin"))


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


async def add_rule(segment: int, effect: str, target: str, target_id: int) -> None:
    """What an operator does in the curation screens, at any moment."""
    await SegmentRule(segment=segment, effect=effect, target=target, target_id=target_id,
                      created_at=utcnow()).save()


def glove_lines(market: Market) -> list[dict]:
    return [{"product_id": market.gloves, "quantity": 1000}, {"description": "Hand gel 1 l", "quantity": 40}]


# --- lines --------------------------------------------------------------------------------------


async def test_a_line_of_a_product_the_segment_may_not_see_is_refused(world, market, purchaser):
    # given a product the buyer's segment denies
    await add_rule(market.segment, "deny", "product", market.gloves)
    before = await counts()
    # when the purchaser drafts an RFQ with it
    response = await purchaser.post("/api/v1/rfqs", json=body([market.vendor_a], lines=glove_lines(market)))
    # then it is a 400 that names the product and says what to do, and nothing is written
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert f"product_id {market.gloves} is not a catalog product your company can buy" in detail
    assert "free text" in detail
    assert await counts() == before
    # and a draft's lines cannot be replaced by it either
    draft = await a_draft(purchaser, world, vendor_ids=[market.vendor_a])
    response = await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"lines": glove_lines(market)})
    assert response.status_code == 400 and f"product_id {market.gloves}" in response.json()["detail"]


# --- invitations --------------------------------------------------------------------------------


async def test_a_vendor_the_segment_may_not_see_cannot_be_invited(world, market, purchaser):
    before = await counts()
    # when the purchaser invites vendor B (not allowed to its segment) with vendor A
    response = await purchaser.post("/api/v1/rfqs", json=body([market.vendor_a, market.vendor_b]))
    # then it is a 400 naming vendor B only, and nothing is written
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert f"vendor_ids [{market.vendor_b}]" in detail and "your company can invite" in detail
    assert await counts() == before
    # and inviting B later, to a draft or to a published RFQ, is the same 400 and invites nobody
    draft = await a_draft(purchaser, world, vendor_ids=[market.vendor_a])
    response = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/invitations", json={"vendor_ids": [market.vendor_b]})
    assert response.status_code == 400 and f"vendor_ids [{market.vendor_b}]" in response.json()["detail"]
    assert (await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")).status_code == 200
    response = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/invitations", json={"vendor_ids": [market.vendor_b]})
    assert response.status_code == 400 and f"vendor_ids [{market.vendor_b}]" in response.json()["detail"]
    assert await RfqInvitation.count().where(RfqInvitation.vendor == market.vendor_b) == 0
    assert await emails_to(market.seller_b) == []


async def test_a_denied_vendor_is_refused_like_an_unknown_one_and_missing_from_the_form(
    world, market, purchaser, browser
):
    # given the segment allows every vendor but denies B
    await SegmentRule.delete().where(SegmentRule.segment == market.segment)
    await add_rule(market.segment, "deny", "vendor", market.vendor_b)
    # then inviting B says no more than inviting an id that is no vendor at all
    denied = (await purchaser.post("/api/v1/rfqs", json=body([market.vendor_b]))).json()["detail"]
    unknown = (await purchaser.post("/api/v1/rfqs", json=body([424242]))).json()["detail"]
    assert denied == unknown.replace("424242", str(market.vendor_b))
    # and the new-RFQ form's vendor picker offers A and not B, even asked for B by name
    client = await browser(world.purchaser)
    offered = (await client.get("/rfqs/vendors", params={"vendor_q": world.vendor.name})).text
    assert f'name="add_vendor" value="{market.vendor_a}"' in offered
    beta = (await client.get("/rfqs/vendors", params={"vendor_q": "Beta Hidden"})).text
    assert "Beta Hidden Supplies" not in beta and f'value="{market.vendor_b}"' not in beta


# --- publishing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["product", "category"])
async def test_publishing_refuses_a_line_whose_product_the_segment_no_longer_sees(world, market, purchaser, target):
    # given a draft with a line of a product the buyer may see
    draft = await a_draft(purchaser, world, vendor_ids=[market.vendor_a], lines=glove_lines(market))
    # when an operator then denies the product (or its category) to the buyer's segment, and the buyer publishes
    await add_rule(market.segment, "deny", target, market.gloves if target == "product" else market.category)
    response = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")
    # then it is a 409 naming the line to fix; the RFQ stays a draft and no vendor hears of it
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert f"line 1 (product_id {market.gloves}) is no longer a catalog product your company can buy" in detail
    assert "line 2" not in detail
    assert (await Rfq.select(Rfq.status).where(Rfq.id == draft["id"]).first())["status"] == "draft"
    assert await OutboxEmail.count() == 0
    # and once the line is free text, it publishes
    fixed = [{"description": "Nitrile gloves M", "quantity": 1000}, glove_lines(market)[1]]
    assert (await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"lines": fixed})).status_code == 200
    assert (await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")).status_code == 200


async def test_publishing_refuses_an_invited_vendor_the_segment_no_longer_sees(world, market, purchaser):
    # given a draft inviting vendor A, with a free-text line
    draft = await a_draft(purchaser, world, vendor_ids=[market.vendor_a])
    # when an operator then turns the segment's "allow vendor A" into "deny vendor A", and the buyer publishes
    await SegmentRule.delete().where(SegmentRule.segment == market.segment)
    await add_rule(market.segment, "deny", "vendor", market.vendor_a)
    response = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")
    # then it is a 409 naming the vendor; nothing is published or sent
    assert response.status_code == 409, response.text
    assert f"vendor {market.vendor_a} ({world.vendor.name})" in response.json()["detail"]
    assert (await Rfq.select(Rfq.status).where(Rfq.id == draft["id"]).first())["status"] == "draft"
    assert await OutboxEmail.count() == 0


async def test_publishing_names_every_line_and_vendor_to_fix_at_once(world, market, purchaser):
    vendor_c = await make_company("vendor", name="Gamma Gone")
    await add_rule(market.segment, "allow", "vendor", vendor_c.id)
    draft = await a_draft(purchaser, world, vendor_ids=[market.vendor_a, vendor_c.id],
                          lines=[*glove_lines(market), {"product_id": market.gloves, "quantity": 5}])
    await SegmentRule.delete().where(
        (SegmentRule.segment == market.segment) & (SegmentRule.target_id == vendor_c.id)
    )
    await add_rule(market.segment, "deny", "category", market.category)
    detail = (await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")).json()["detail"]
    assert "line 1 (product_id" in detail and "line 3 (product_id" in detail and "line 2" not in detail
    assert f"vendor {vendor_c.id} (Gamma Gone)" in detail and f"vendor {market.vendor_a} " not in detail


# --- open RFQs ----------------------------------------------------------------------------------


async def test_an_open_rfq_never_reaches_a_vendor_the_segment_may_not_see(world, market, purchaser, api):
    # given the buyer publishes an open RFQ for gloves, which vendors A and B both sell
    draft = await a_draft(purchaser, world, visibility="open", vendor_ids=[], lines=glove_lines(market),
                          deadline=(utcnow() + timedelta(days=10)).isoformat())
    response = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")
    assert response.status_code == 200, response.text
    rfq_id, line_ids = draft["id"], [line["id"] for line in draft["lines"]]
    seller_a, seller_b = await api(market.seller_a), await api(market.seller_b)
    # then vendor B, whom the segment may not see, is not told and the RFQ does not exist for it
    assert await emails_to(market.seller_b) == []
    assert (await seller_b.get(f"/api/v1/rfqs/{rfq_id}")).status_code == 404
    assert (await seller_b.get("/api/v1/rfqs")).json()["total"] == 0
    assert (await seller_b.get("/api/v1/inbox")).json()["items"] == []
    assert (await seller_b.get(f"/api/v1/rfqs/{rfq_id}/clarifications")).status_code == 404
    offer = await seller_b.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(line_ids, "0.09", "1.20"))
    assert offer.status_code == 404, offer.text
    assert await Offer.count().where(Offer.vendor == market.vendor_b) == 0
    # and vendor A, whom it allows, is told, sees it everywhere and answers it
    assert len(await emails_to(market.seller_a)) == 1
    assert (await seller_a.get(f"/api/v1/rfqs/{rfq_id}")).status_code == 200
    assert [item["id"] for item in (await seller_a.get("/api/v1/rfqs")).json()["items"]] == [rfq_id]
    assert [item["rfq_id"] for item in (await seller_a.get("/api/v1/inbox")).json()["items"]] == [rfq_id]
    offer = await seller_a.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(line_ids, "0.09", "1.20"))
    assert offer.status_code == 201, offer.text
    # and a later e-mail to the RFQ's vendors (a deadline extension) again reaches A only
    later = (utcnow() + timedelta(days=12)).isoformat()
    assert (await purchaser.post(f"/api/v1/rfqs/{rfq_id}/extend", json={"deadline": later})).status_code == 200
    assert len(await emails_to(market.seller_a)) == 2
    assert await emails_to(market.seller_b) == []


async def test_a_vendor_denied_after_publishing_no_longer_sees_the_open_rfq(world, market, purchaser, api):
    # given an open RFQ of a buyer whose segment, this time, denies vendor B only
    await SegmentRule.delete().where(SegmentRule.segment == market.segment)
    draft = await a_draft(purchaser, world, visibility="open", vendor_ids=[], lines=glove_lines(market))
    assert (await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")).status_code == 200
    seller_b = await api(market.seller_b)
    assert (await seller_b.get(f"/api/v1/rfqs/{draft['id']}")).status_code == 200
    # when an operator denies vendor B to the segment
    await add_rule(market.segment, "deny", "vendor", market.vendor_b)
    # then the RFQ is gone for B, and still there for A
    assert (await seller_b.get(f"/api/v1/rfqs/{draft['id']}")).status_code == 404
    assert (await seller_b.get("/api/v1/inbox")).json()["items"] == []
    assert (await (await api(market.seller_a)).get(f"/api/v1/rfqs/{draft['id']}")).status_code == 200
