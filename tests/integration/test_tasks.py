"""What waits for each role (GET /api/v1/me/tasks and the dashboard's "What waits for you"): a real state of each
kind appears in its owner's list with the page where it acts and its deadline, and never in another company's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app import db
from app.clock import as_utc
from app.dashboard.tasks_list import tasks_for
from app.notifications.tables import OutboxEmail
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.curation import a_listing
from tests.support.fixtures import make_company, make_user
from tests.support.offers import make_rfq, offer_body, principal, set_status
from tests.support.parties import RIVAL, a_marketplace
from tests.support.queries import count_queries


async def tasks_of(api, email: str) -> list[dict]:
    response = await (await api(email)).get("/api/v1/me/tasks")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def of_kind(tasks: list[dict], kind: str) -> list[dict]:
    return [task for task in tasks if task["kind"] == kind]


def moment(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


async def test_an_invited_vendor_is_asked_to_answer_an_open_rfq_by_its_deadline(world, api):
    # given two open RFQs inviting the vendor, the later one first, and another buyer's RFQ inviting someone else
    now = await db.db_now()
    later, _ = await make_rfq(world.buyer.id, [world.vendor.id], deadline=now + timedelta(days=3))
    sooner, _ = await make_rfq(world.buyer.id, [world.vendor.id], deadline=now + timedelta(hours=5))
    stranger = await make_company("vendor")
    hidden, _ = await make_rfq(world.other_buyer.id, [stranger.id])
    # and one it was invited to that is already closed
    closed, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    await set_status(closed, RfqStatus.CLOSED)
    # when the vendor asks what waits for it
    to_answer = of_kind(await tasks_of(api, world.vendor_admin), "rfq_to_answer")
    # then the two open ones, soonest deadline first, each linked to the page where it answers
    assert [task["link"] for task in to_answer] == [f"/vendor/rfqs/{sooner}", f"/vendor/rfqs/{later}"]
    assert moment(to_answer[0]["deadline"]) == as_utc(
        (await Rfq.select(Rfq.deadline).where(Rfq.id == sooner).first())["deadline"])
    assert to_answer[0]["deadline_label"] == "Bidding closes" and "Gloves and masks" in to_answer[0]["detail"]
    # and the other company's vendor has its own RFQ to answer, never ours
    stranger_tasks = await tasks_of(api, await make_user(stranger.id, "vendor_sales"))
    assert [task["link"] for task in stranger_tasks] == [f"/vendor/rfqs/{hidden}"]


async def test_an_rfq_leaves_the_vendors_list_once_it_offers_or_declines(world, api):
    rfq_offered, lines = await make_rfq(world.buyer.id, [world.vendor.id])
    rfq_declined, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    seller = await api(world.vendor_admin)
    assert len(of_kind(await tasks_of(api, world.vendor_admin), "rfq_to_answer")) == 2
    # when it offers on one and declines the other
    offered = await seller.post(f"/api/v1/rfqs/{rfq_offered}/offers", json=offer_body(lines, "0.09", "0.5", "2"))
    assert offered.status_code == 201, offered.text
    declined = await seller.post(f"/api/v1/rfqs/{rfq_declined}/decline", json={"reason": "Out of stock"})
    assert declined.status_code == 200, declined.text
    # then neither waits for it any more
    assert of_kind(await tasks_of(api, world.vendor_admin), "rfq_to_answer") == []


async def test_a_buyer_with_a_closed_rfq_is_asked_to_award_before_the_first_offer_expires(world, api):
    # given an RFQ of the buyer's with two offers, valid for ten and for four days, and an RFQ still open
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id])
    rival = await make_company("vendor")
    await make_rfq(world.buyer.id, [rival.id])
    await RfqInvitation(rfq=rfq_id, vendor=rival.id, invited_at=await db.db_now()).save()
    soon = datetime.combine(date.today() + timedelta(days=4), datetime.min.time(), tzinfo=UTC)
    for email, days in ((world.vendor_admin, 10), (await make_user(rival.id, "vendor_admin"), 4)):
        until = datetime.combine(date.today() + timedelta(days=days), datetime.min.time(), tzinfo=UTC)
        answer = await (await api(email)).post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(
            lines, "0.09", "0.5", "2", valid_until=until.isoformat()))
        assert answer.status_code == 201, answer.text
    # when bidding has closed
    await set_status(rfq_id, RfqStatus.CLOSED)
    # then its deciders are asked to compare and award, by the first offer's expiry
    to_award = of_kind(await tasks_of(api, world.buyer_admin), "rfq_to_award")
    assert [task["link"] for task in to_award] == [f"/rfqs/{rfq_id}/comparison"]
    assert moment(to_award[0]["deadline"]) == soon
    assert to_award[0]["deadline_label"] == "First offer expires"
    assert to_award[0]["title"] == "Compare the offers and award"
    assert of_kind(await tasks_of(api, world.approver), "rfq_to_award") != []
    # a purchaser who did not write it is not, nor is another buyer company
    assert of_kind(await tasks_of(api, world.purchaser), "rfq_to_award") == []
    assert await tasks_of(api, world.other_buyer_admin) == []


async def test_a_buyer_finishes_its_own_drafts(world, api):
    purchaser = await api(world.purchaser)
    draft = await purchaser.post("/api/v1/rfqs", json={
        "title": "Paper", "currency": "EUR", "deadline": (datetime.now(UTC) + timedelta(days=9)).isoformat(),
        "lines": [{"description": "A4", "quantity": 10}], "vendor_ids": [world.vendor.id]})
    assert draft.status_code == 201, draft.text
    drafts = of_kind(await tasks_of(api, world.purchaser), "draft_rfq")
    assert [task["link"] for task in drafts] == [f"/rfqs/{draft.json()['id']}"]
    assert drafts[0]["deadline_label"] == "Planned deadline"
    # a colleague's draft is not the admin's task
    assert of_kind(await tasks_of(api, world.buyer_admin), "draft_rfq") == []


async def test_negotiation_contracts_and_orders_wait_for_the_party_whose_turn_it_is(world, api):
    # given the marketplace of tests/support/parties.py: vendor A has an open counter-proposal, a contract line to
    # link and proposed an amendment; the buyer placed an order with it
    market = await a_marketplace(world, api)
    ids = market.ids
    vendor = await tasks_of(api, world.vendor_admin)
    # then vendor A is asked to answer the counter-proposal, link the line and confirm the order
    assert [task["link"] for task in of_kind(vendor, "counter_proposal")] == [f"/vendor/rfqs/{ids['rfq']}"]
    assert [task["link"] for task in of_kind(vendor, "lines_to_link")] == [f"/contracts/{ids['contract']}"]
    assert [task["link"] for task in of_kind(vendor, "order_to_confirm")] == [f"/vendor/orders/{ids['order']}"]
    assert of_kind(vendor, "amendment") == []  # its own proposal waits for the buyer
    # and the buyer's deciders to decide the amendment
    buyer = await tasks_of(api, world.buyer_admin)
    assert [task["link"] for task in of_kind(buyer, "amendment_to_decide")] == [f"/contracts/{ids['contract']}"]
    assert of_kind(buyer, "proposal_answered") == []  # the vendor's turn still
    # and the rival vendor, invited to the same RFQs, sees none of vendor A's
    rival = await tasks_of(api, market.strangers[RIVAL][0])
    assert not {task["link"] for task in rival} & {task["link"] for task in vendor}
    assert of_kind(rival, "order_to_confirm") == [] and of_kind(rival, "counter_proposal") == []

    # when vendor A accepts the counter-proposal and confirms the order with a ship date
    seller = await api(world.vendor_admin)
    accepted = await seller.post(f"/api/v1/counter-proposals/{ids['counter-proposal']}/accept")
    assert accepted.status_code == 200, accepted.text
    ship_on = date.today() + timedelta(days=2)
    confirmed = await seller.post(f"/api/v1/orders/{ids['order']}/confirm",
                                  json={"expected_ship_date": ship_on.isoformat()})
    assert confirmed.status_code == 200, confirmed.text
    # then the buyer is asked to look at the accepted proposal, and the vendor to ship by that day
    answered = of_kind(await tasks_of(api, world.buyer_admin), "proposal_answered")
    assert [task["link"] for task in answered] == [f"/rfqs/{ids['rfq']}/offers/{ids['offer']}/negotiation"]
    assert "accepted your counter-proposal" in answered[0]["title"]
    vendor = await tasks_of(api, world.vendor_admin)
    assert of_kind(vendor, "counter_proposal") == []
    ship = of_kind(vendor, "order_to_ship")
    assert [task["link"] for task in ship] == [f"/vendor/orders/{ids['order']}"]
    assert ship[0]["all_day"] is True and moment(ship[0]["deadline"]).date() == ship_on
    # and a task with a deadline comes before those without one
    with_deadline = [task["deadline"] is not None for task in vendor]
    assert with_deadline == sorted(with_deadline, reverse=True)


async def test_an_operator_is_asked_to_curate_pending_listings_and_look_at_failed_e_mails(world, api):
    # given a pending listing, an approved one and an e-mail the outbox gave up on
    pending = await a_listing(world.vendor.id, "SKU-1", "Nitrile gloves")
    await a_listing(world.vendor.id, "SKU-2", "Masks", status="approved")
    await OutboxEmail(to_address="x@example.com", subject="s", body_text="b", status="failed",
                      created_at=await db.db_now()).save()
    # then the operator is asked to curate the pending one and check the outbox
    tasks = await tasks_of(api, world.operator)
    assert [task["link"] for task in of_kind(tasks, "listing_to_curate")] == [
        f"/operator/curation/listings/{pending}"]
    failed = of_kind(tasks, "failed_emails")
    assert failed[0]["link"] == "/operator/outbox?status=failed" and failed[0]["title"].startswith("1 e-mail ")
    # the vendor, whose listing it is, is not asked to curate anything
    assert of_kind(await tasks_of(api, world.vendor_admin), "listing_to_curate") == []


async def test_each_dashboard_says_what_waits_for_its_viewer(world, browser):
    # given an open RFQ inviting the vendor
    rfq_id, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    # then the vendor's dashboard lists it with its link and deadline
    page = (await (await browser(world.vendor_admin)).get("/dashboard")).text
    assert "What waits for you" in page
    assert f'<a href="/vendor/rfqs/{rfq_id}">Answer the request for quotation</a>' in page
    assert "Bidding closes:" in page
    # and a buyer with nothing to do is told so
    assert "Nothing waits for you right now." in (await (await browser(world.other_buyer_admin)).get("/dashboard")).text


async def test_the_task_list_is_in_the_api_schema(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/me/tasks"]["get"]
    assert "200" in operation["responses"] and "403" not in operation["responses"]
    assert {"TaskListOut", "TaskOut"} <= set(schema["components"]["schemas"])
    for path in ("/api/v1/notifications", "/api/v1/notifications/{notification_id}/read",
                 "/api/v1/notifications/read-all"):
        assert path in schema["paths"], path


async def test_each_roles_list_takes_the_same_number_of_queries_however_many_tasks_wait(world, monkeypatch):
    # given one task of several kinds for each role
    async def queries(email: str) -> tuple[int, int]:
        who = await principal(email)
        with count_queries(monkeypatch) as seen:
            found = await tasks_for(who)
        return len(seen), len(found)

    async def some_of_each() -> None:
        open_rfq, _ = await make_rfq(world.buyer.id, [world.vendor.id])
        closed_rfq, _ = await make_rfq(world.buyer.id, [world.vendor.id])
        await set_status(closed_rfq, RfqStatus.CLOSED)
        await a_listing(world.vendor.id, f"SKU-{open_rfq}", "Gloves")

    await some_of_each()
    before = {email: await queries(email) for email in (world.vendor_admin, world.buyer_admin, world.operator)}
    # when three times as many wait
    await some_of_each()
    await some_of_each()
    after = {email: await queries(email) for email in (world.vendor_admin, world.buyer_admin, world.operator)}
    # then each role's list grew and its queries did not
    for email in before:
        assert after[email][1] > before[email][1], email
        assert after[email][0] == before[email][0], email
