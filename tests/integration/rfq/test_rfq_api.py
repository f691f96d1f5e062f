"""The RFQ API: drafting, the state machine, tenancy, validation, extension and the e-mails each move sends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.accounts.roles import CompanyStatus
from app.accounts.services import set_company_status
from app.clock import utcnow
from app.notifications.tables import OutboxEmail
from app.offers.tables import Offer
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.fixtures import make_company, make_user
from tests.support.rfq import a_category_with_listing, a_draft, a_published, body, counts, emails_to, iso


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


# --- drafting -----------------------------------------------------------------------------------


async def test_a_purchaser_drafts_an_rfq_with_lines_and_invited_vendors(world, purchaser):
    # when
    response = await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id]))
    # then
    assert response.status_code == 201, response.text
    rfq = response.json()
    assert rfq["status"] == "draft"
    assert rfq["buyer_id"] == world.buyer.id
    assert [(line["position"], line["quantity"], line["target_price"]) for line in rfq["lines"]] == [
        (1, 1000, "4.2500"), (2, 500, None)
    ]
    assert [i["vendor_id"] for i in rfq["invitations"]] == [world.vendor.id]
    assert await OutboxEmail.count() == 0  # nobody is told about a draft


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"currency": "EURO"}, "ISO 4217"),
        ({"deadline": "2020-01-01T00:00:00+00:00"}, "future"),
        ({"deadline": "2030-01-01T00:00:00"}, "timezone"),
        ({"lines": [{"description": "x", "quantity": 0}]}, "quantity"),
        ({"lines": [{"quantity": 3}]}, "description"),
        ({"lines": [{"description": "x", "quantity": 1, "target_price": "1.23456"}]}, "4 decimal"),
        ({"lines": [{"description": "x", "quantity": 1, "target_price": 1.5}]}, "target_price"),
        ({"lines": [{"product_id": 999999, "quantity": 1}]}, "product_id 999999"),
        ({"visibility": "public"}, "visibility"),
        ({"bidding_mode": "auction"}, "min_decrement"),
        ({"payment_terms": "net_7"}, "payment_terms"),
        ({"title": "   "}, "title"),
    ],
)
async def test_bad_input_is_a_400_that_says_what_to_fix_and_writes_nothing(world, purchaser, overrides, fragment):
    # given
    before = await counts()
    # when
    response = await purchaser.post("/api/v1/rfqs", json=body([world.vendor.id], **overrides))
    # then
    assert response.status_code == 400, response.text
    assert fragment in response.text
    assert await counts() == before


async def test_only_active_vendor_companies_can_be_invited(world, purchaser):
    # given a suspended vendor, a buyer company and an unknown id
    suspended = await make_company("vendor")
    await set_company_status(suspended.id, CompanyStatus.SUSPENDED)
    for bad in ([world.other_buyer.id], [suspended.id], [424242]):
        response = await purchaser.post("/api/v1/rfqs", json=body(bad))
        assert response.status_code == 400, response.text
        assert "not active vendor companies" in response.json()["detail"]
    assert await Rfq.count() == 0


async def test_an_auction_keeps_its_settings(world, purchaser):
    auction = {"min_decrement": "0.50", "show_best_price": True, "anti_snipe_minutes": 5, "max_extension_minutes": 30}
    rfq = await a_draft(purchaser, world, bidding_mode="auction", auction=auction)
    assert rfq["auction"] == {**auction, "min_decrement": "0.5000"}


async def test_a_draft_can_be_changed_and_its_lines_replaced(world, purchaser):
    rfq = await a_draft(purchaser, world)
    response = await purchaser.patch(f"/api/v1/rfqs/{rfq['id']}", json={
        "title": "Gloves, revised", "currency": "usd", "lines": [{"description": "Vinyl gloves", "quantity": 7}],
    })
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["title"], changed["currency"]) == ("Gloves, revised", "USD")
    assert [(line["position"], line["description"]) for line in changed["lines"]] == [(1, "Vinyl gloves")]


# --- the state machine --------------------------------------------------------------------------


async def test_publishing_tells_the_invited_vendors(world, purchaser):
    # given
    colleague = await make_user(world.vendor.id, "vendor_sales")
    rfq = await a_draft(purchaser, world)
    # when
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish")
    # then
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published"
    for address in (world.vendor_admin, colleague):
        [mail] = await emails_to(address)
        assert "Nitrile gloves 2027" in mail["subject"]
        assert f"/vendor/rfqs/{rfq['id']}" in mail["body_text"]
        assert "4.25" not in mail["body_text"]  # not even the buyer's target price


async def test_publishing_needs_a_line_and_for_invited_rfqs_a_vendor(world, purchaser):
    no_lines = await a_draft(purchaser, world, lines=[])
    response = await purchaser.post(f"/api/v1/rfqs/{no_lines['id']}/publish")
    assert response.status_code == 409
    assert "at least one line" in response.json()["detail"]
    no_vendor = await a_draft(purchaser, world, vendor_ids=[])
    response = await purchaser.post(f"/api/v1/rfqs/{no_vendor['id']}/publish")
    assert response.status_code == 409
    assert "invite at least one vendor" in response.json()["detail"]
    assert await Rfq.count().where(Rfq.status == "published") == 0
    assert await OutboxEmail.count() == 0


async def test_an_open_rfq_is_published_to_the_eligible_vendors(world, purchaser):
    _, product_id = await a_category_with_listing(world.vendor.id, "Gloves")
    elsewhere = await make_company("vendor")
    other_admin = await make_user(elsewhere.id, "vendor_admin")
    await a_category_with_listing(elsewhere.id, "Paper")
    rfq = await a_published(purchaser, world, visibility="open", vendor_ids=[],
                            lines=[{"product_id": product_id, "quantity": 10}])
    assert rfq["lines"][0]["description"] == "Gloves item"  # the product's name when no text is given
    assert len(await emails_to(world.vendor_admin)) == 1
    assert await emails_to(other_admin) == []


@pytest.mark.parametrize(
    ("setup", "action", "fragment"),
    [
        ([], "close", "cannot become closed: it is draft"),
        (["publish"], "publish", "cannot become published: it is published"),
        (["publish", "close"], "publish", "cannot become published: it is closed"),
        (["publish", "close"], "close", "cannot become closed: it is closed"),
        (["cancel"], "publish", "it was cancelled"),
        (["cancel"], "close", "it was cancelled"),
        (["cancel"], "cancel", "it was cancelled"),
        (["publish", "close"], "extend", "Only a published RFQ's deadline"),
        ([], "extend", "Only a published RFQ's deadline"),
        (["publish"], "patch", "only a draft can be changed"),
    ],
)
async def test_every_illegal_move_is_a_409_with_the_reason(world, purchaser, setup, action, fragment):
    # given
    rfq = await a_draft(purchaser, world)
    moves = {
        "publish": lambda: purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish"),
        "close": lambda: purchaser.post(f"/api/v1/rfqs/{rfq['id']}/close"),
        "cancel": lambda: purchaser.post(f"/api/v1/rfqs/{rfq['id']}/cancel", json={"reason": "Budget cut"}),
        "extend": lambda: purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend",
                                         json={"deadline": iso(utcnow() + timedelta(days=19))}),
        "patch": lambda: purchaser.patch(f"/api/v1/rfqs/{rfq['id']}", json={"currency": "USD"}),
    }
    for move in setup:
        assert (await moves[move]()).status_code == 200
    status_before = (await Rfq.select(Rfq.status, Rfq.currency).where(Rfq.id == rfq["id"]).first())
    mails_before = await OutboxEmail.count()
    # when
    response = await moves[action]()
    # then
    assert response.status_code == 409, response.text
    assert fragment in response.json()["detail"]
    assert await Rfq.select(Rfq.status, Rfq.currency).where(Rfq.id == rfq["id"]).first() == status_before
    assert await OutboxEmail.count() == mails_before


async def test_closing_early_tells_the_author_and_the_buyer_admins_once(world, purchaser):
    rfq = await a_published(purchaser, world)
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    for address in (world.purchaser, world.buyer_admin):
        [mail] = await emails_to(address)
        assert "Bidding closed" in mail["subject"]
        assert f"/rfqs/{rfq['id']}/comparison" in mail["body_text"]
    assert await emails_to(world.approver) == []


async def test_cancelling_needs_a_reason_and_tells_the_vendors(world, purchaser):
    rfq = await a_published(purchaser, world)
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/cancel", json={"reason": "  "})
    assert response.status_code == 400
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq["id"]).first())["status"] == "published"
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/cancel", json={"reason": "Budget cut"})
    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "Budget cut"
    subjects = [mail["subject"] for mail in await emails_to(world.vendor_admin)]
    assert subjects == ["Request for quotation: Nitrile gloves 2027", "Cancelled: Nitrile gloves 2027"]


async def test_a_cancelled_draft_tells_nobody_and_stays_hidden_from_vendors(world, purchaser, api):
    rfq = await a_draft(purchaser, world)
    assert (await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/cancel", json={"reason": "Oops"})).status_code == 200
    assert await OutboxEmail.count() == 0
    vendor = await api(world.vendor_admin)
    assert (await vendor.get(f"/api/v1/rfqs/{rfq['id']}")).status_code == 404
    assert (await vendor.get("/api/v1/rfqs")).json()["total"] == 0


# --- extension ----------------------------------------------------------------------------------


async def test_the_deadline_can_be_extended_and_every_vendor_is_told(world, purchaser):
    rfq = await a_published(purchaser, world)
    later = (utcnow() + timedelta(days=15)).replace(microsecond=0)
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(later)})
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["deadline"]) == later
    subjects = [mail["subject"] for mail in await emails_to(world.vendor_admin)]
    assert subjects[-1] == "Deadline extended: Nitrile gloves 2027"


async def test_the_deadline_is_never_shortened(world, purchaser):
    rfq = await a_published(purchaser, world)
    current = datetime.fromisoformat(rfq["deadline"])
    for earlier in (current - timedelta(hours=1), current):
        response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(earlier)})
        assert response.status_code == 409
        assert "never shortened" in response.json()["detail"]
    stored = (await Rfq.select(Rfq.deadline).where(Rfq.id == rfq["id"]).first())["deadline"]
    assert stored == current
    assert len(await emails_to(world.vendor_admin)) == 1  # the invitation only


async def test_a_passed_deadline_cannot_be_extended(world, purchaser):
    rfq = await a_published(purchaser, world)
    await Rfq.update({Rfq.deadline: utcnow() - timedelta(minutes=1)}).where(Rfq.id == rfq["id"])
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend",
                                    json={"deadline": iso(utcnow() + timedelta(days=1))})
    assert response.status_code == 409
    assert "already passed" in response.json()["detail"]


async def test_vendors_invited_while_published_are_told_and_the_others_are_not_told_again(world, purchaser):
    rfq = await a_published(purchaser, world)
    newcomer = await make_company("vendor")
    newcomer_admin = await make_user(newcomer.id, "vendor_admin")
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/invitations",
                                    json={"vendor_ids": [world.vendor.id, newcomer.id]})
    assert response.status_code == 200, response.text
    assert sorted(i["vendor_id"] for i in response.json()["invitations"]) == sorted([world.vendor.id, newcomer.id])
    assert len(await emails_to(newcomer_admin)) == 1
    assert len(await emails_to(world.vendor_admin)) == 1


# --- tenancy and roles --------------------------------------------------------------------------


async def test_another_buyer_gets_404_for_everything(world, purchaser, api):
    rfq = await a_draft(purchaser, world)
    stranger = await api(world.other_buyer_admin)
    assert (await stranger.get(f"/api/v1/rfqs/{rfq['id']}")).status_code == 404
    for action in ("publish", "close"):
        assert (await stranger.post(f"/api/v1/rfqs/{rfq['id']}/{action}")).status_code == 404
    assert (await stranger.patch(f"/api/v1/rfqs/{rfq['id']}", json={"title": "mine"})).status_code == 404
    assert (await stranger.get("/api/v1/rfqs")).json() == {"items": [], "total": 0, "page": 1, "per_page": 20}
    assert (await Rfq.select(Rfq.status, Rfq.title).first()) == {"status": "draft", "title": "Nitrile gloves 2027"}


async def test_a_vendor_is_403_on_buyer_actions(world, purchaser, api):
    rfq = await a_published(purchaser, world)
    vendor = await api(world.vendor_admin)
    assert (await vendor.post("/api/v1/rfqs", json=body([world.vendor.id]))).status_code == 403
    for action in ("publish", "close", "extend", "cancel", "invitations"):
        assert (await vendor.post(f"/api/v1/rfqs/{rfq['id']}/{action}", json={})).status_code == 403
    assert (await vendor.patch(f"/api/v1/rfqs/{rfq['id']}", json={})).status_code == 403


async def test_an_invited_vendor_sees_the_request_but_no_competitor_and_no_answer_count(world, purchaser, api):
    rival = await make_company("vendor", name="Rival Supplies GmbH")
    rfq = await a_draft(purchaser, world, vendor_ids=[world.vendor.id, rival.id])
    vendor = await api(world.vendor_admin)
    assert (await vendor.get(f"/api/v1/rfqs/{rfq['id']}")).status_code == 404  # a draft is nobody's business
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish")
    await Offer(rfq=rfq["id"], vendor=rival.id, created_at=utcnow()).save()
    response = await vendor.get(f"/api/v1/rfqs/{rfq['id']}")
    assert response.status_code == 200
    view = response.json()
    assert "Rival" not in response.text
    assert not {"invitations", "answered_count", "invited_count", "buyer_id"} & view.keys()
    assert [line["description"] for line in view["lines"]] == ["Nitrile gloves size M", "Nitrile gloves size L"]
    listing = (await vendor.get("/api/v1/rfqs")).json()
    assert [item["id"] for item in listing["items"]] == [rfq["id"]]


async def test_a_vendor_not_invited_gets_404(world, purchaser, api):
    rfq = await a_published(purchaser, world)
    stranger = await make_company("vendor")
    client = await api(await make_user(stranger.id, "vendor_admin"))
    assert (await client.get(f"/api/v1/rfqs/{rfq['id']}")).status_code == 404
    assert (await client.get("/api/v1/rfqs")).json()["total"] == 0


async def test_the_buyer_sees_how_many_answered_and_who_declined_never_a_price(world, purchaser):
    rival = await make_company("vendor", name="Rival Supplies GmbH")
    rfq = await a_published(purchaser, world, vendor_ids=[world.vendor.id, rival.id])
    await Offer(rfq=rfq["id"], vendor=world.vendor.id, created_at=utcnow()).save()
    await RfqInvitation.update({RfqInvitation.declined_at: utcnow(), RfqInvitation.decline_reason: "No stock"}).where(
        (RfqInvitation.rfq == rfq["id"]) & (RfqInvitation.vendor == rival.id)
    )
    view = (await purchaser.get(f"/api/v1/rfqs/{rfq['id']}")).json()
    assert (view["answered_count"], view["invited_count"]) == (1, 2)
    assert {(i["vendor_name"], i["declined"], i["decline_reason"]) for i in view["invitations"]} >= {
        ("Rival Supplies GmbH", True, "No stock")
    }


async def test_group_admins_see_their_subsidiaries_rfqs_and_operators_see_all(world, api):
    group = await make_company("buyer")
    subsidiary = await make_company("buyer", parent_id=group.id)
    group_admin = await api(await make_user(group.id, "buyer_admin"))
    sub_buyer = await api(await make_user(subsidiary.id, "purchaser"))
    own = await a_draft(sub_buyer, world)
    response = await group_admin.get("/api/v1/rfqs")
    assert [item["id"] for item in response.json()["items"]] == [own["id"]]
    assert (await group_admin.get(f"/api/v1/rfqs/{own['id']}")).status_code == 200
    operator = await api(world.operator)
    assert (await operator.get("/api/v1/rfqs")).json()["total"] == 1


async def test_the_list_is_paginated_and_filtered_by_status(world, purchaser):
    ids = [(await a_draft(purchaser, world, deadline=iso(utcnow() + timedelta(days=n))))["id"] for n in (1, 2, 3)]
    await purchaser.post(f"/api/v1/rfqs/{ids[0]}/publish")
    first = (await purchaser.get("/api/v1/rfqs", params={"per_page": 2})).json()
    second = (await purchaser.get("/api/v1/rfqs", params={"per_page": 2, "page": 2})).json()
    assert first["total"] == second["total"] == 3
    assert [item["id"] for item in first["items"] + second["items"]] == list(reversed(ids))
    published = (await purchaser.get("/api/v1/rfqs", params={"status": "published"})).json()
    assert [item["id"] for item in published["items"]] == [ids[0]]
    assert (await purchaser.get("/api/v1/rfqs", params={"status": "nope"})).status_code == 400


async def test_the_rfq_paths_are_in_the_openapi_schema(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    for path in ("/api/v1/rfqs", "/api/v1/rfqs/{rfq_id}", "/api/v1/rfqs/{rfq_id}/publish",
                 "/api/v1/rfqs/{rfq_id}/extend", "/api/v1/rfqs/{rfq_id}/close", "/api/v1/rfqs/{rfq_id}/cancel",
                 "/api/v1/rfqs/{rfq_id}/invitations"):
        assert path in schema["paths"], path
    assert "requestBody" in schema["paths"]["/api/v1/rfqs"]["post"]
    assert "requestBody" in schema["paths"]["/api/v1/rfqs/{rfq_id}/extend"]["post"]

