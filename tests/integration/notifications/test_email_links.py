"""Every e-mail the app sends ends with the absolute link (MARKET_BASE_URL) to the page where its recipient acts:
each kind of e-mail, written by the real services along one RFQ-to-contract story, checked in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import db
from app.catalog.tables import Listing
from app.contracts import lifecycle
from app.contracts.tables import Contract, ContractLine
from app.notifications.services import absolute_link
from app.notifications.tables import OutboxEmail
from app.orders import mail as order_mail
from app.orders.access import OrderHead
from app.orders.states import Actor, OrderStatus
from app.rfq import deadlines
from app.rfq.tables import Rfq
from app.settings import get_settings
from tests.support.fixtures import make_company, make_user
from tests.support.parties import user_id
from tests.support.rfq import a_category_with_listing, a_published


async def mails() -> list[dict]:
    return await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.body_text).order_by(
        OutboxEmail.id)


def link_of(body: str) -> str:
    """The page an e-mail sends its reader to: the address on its last line, without MARKET_BASE_URL."""
    last = body.rstrip("\n").rsplit("\n", 1)[-1]
    base = get_settings().base_url
    assert last.startswith(base + "/"), f"the e-mail ends without a link to the app:\n{body}"
    return last.removeprefix(base)


async def links_of(subject_start: str) -> dict[str, set[str]]:
    """Each recipient of the e-mails whose subject starts so, and the pages they were sent to."""
    found: dict[str, set[str]] = {}
    for row in await mails():
        if row["subject"].startswith(subject_start):
            found.setdefault(row["to_address"], set()).add(link_of(row["body_text"]))
    assert found, f"no e-mail {subject_start!r} was sent"
    return found


def test_a_link_is_a_path_of_the_app_made_absolute():
    # given MARKET_BASE_URL
    base = get_settings().base_url
    # when a path of the app is made absolute, then it is under the base; anything else is refused
    assert absolute_link("/vendor/rfqs/3") == f"{base}/vendor/rfqs/3"
    for wrong in ("vendor/rfqs/3", "//evil.example/x", "https://evil.example/x", ""):
        with pytest.raises(ValueError, match="path"):
            absolute_link(wrong)


async def test_every_email_of_the_rfq_story_links_to_the_page_where_its_recipient_acts(world, api):
    # given a vendor B beside world.vendor (A), both invited to a published RFQ of free-text lines
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    buyer, seller_a, seller_b_api = await api(world.buyer_admin), await api(world.vendor_admin), await api(seller_b)
    rfq = await a_published(buyer, world, vendor_ids=[world.vendor.id, vendor_b.id])
    rfq_id, lines = rfq["id"], [line["id"] for line in rfq["lines"]]
    vendor_page, buyer_page = f"/vendor/rfqs/{rfq_id}", f"/rfqs/{rfq_id}"
    # when the buyer extends the deadline, A asks a question, the buyer answers it
    later = (await Rfq.select(Rfq.deadline).where(Rfq.id == rfq_id).first())["deadline"] + timedelta(days=1)
    assert (await buyer.post(f"/api/v1/rfqs/{rfq_id}/extend", json={"deadline": later.isoformat()})).status_code == 200
    asked = await seller_a.post(f"/api/v1/rfqs/{rfq_id}/clarifications", json={"question": "Powder-free?"})
    assert asked.status_code == 201, asked.text
    answered = await buyer.post(f"/api/v1/rfqs/{rfq_id}/clarifications/{asked.json()['id']}/answer",
                                json={"answer": "Yes.", "publish": True})
    assert answered.status_code == 200, answered.text
    # and the deadline comes within a day: the vendors that have not answered are reminded
    await Rfq.update({Rfq.deadline: await db.db_now() + timedelta(hours=2)}).where(Rfq.id == rfq_id)
    assert await deadlines.send_reminders() == 2
    # and both vendors offer, the buyer closes and counter-proposes to A, who accepts
    body = {"lines": [{"rfq_line_id": line, "unit_price": "4.00"} for line in lines], "lead_time_days": 3}
    offer_a = (await seller_a.post(f"/api/v1/rfqs/{rfq_id}/offers", json=body)).json()["id"]
    assert (await seller_b_api.post(f"/api/v1/rfqs/{rfq_id}/offers", json=body)).status_code == 201
    assert (await buyer.post(f"/api/v1/rfqs/{rfq_id}/close")).status_code == 200
    proposal = await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "Lower?", "lines": [{"rfq_line_id": lines[0], "unit_price": "3.50"}]})
    assert proposal.status_code == 201, proposal.text
    assert (await seller_a.post(f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")).status_code == 200
    # and the buyer awards every line to A: a contract whose free-text lines A links to its listings
    awarded = await buyer.post(f"/api/v1/rfqs/{rfq_id}/award", json={
        "awards": [{"rfq_line_id": line, "offer_id": offer_a} for line in lines]})
    assert awarded.status_code == 200, awarded.text
    contract_id = (await Contract.select(Contract.id).where(Contract.rfq == rfq_id).first())["id"]
    contract_page, contracts_api = f"/contracts/{contract_id}", f"/api/v1/contracts/{contract_id}"
    await a_category_with_listing(world.vendor.id, "Gloves")
    listing_id = (await Listing.select(Listing.id).where(Listing.vendor == world.vendor.id).first())["id"]
    first_line = (await ContractLine.select(ContractLine.id).where(ContractLine.contract == contract_id)
                  .order_by(ContractLine.position).first())["id"]
    linked = await seller_a.post(f"{contracts_api}/lines/{first_line}/link", json={"listing_id": listing_id})
    assert linked.status_code == 200, linked.text
    # and A proposes an amendment the buyer rejects, then one the buyer accepts
    approver, shorter = await api(world.approver), (await db.db_now() + timedelta(days=100)).isoformat()
    for note in ("one", "two"):
        proposed = await seller_a.post(f"{contracts_api}/amendments", json={"valid_to": shorter, "note": note})
        assert proposed.status_code == 201, proposed.text
        if note == "one":
            assert (await approver.post(f"{contracts_api}/amendments/2/reject", json={})).status_code == 200
    assert (await approver.post(f"{contracts_api}/amendments/3/accept", json={})).status_code == 200
    # and the contract comes within 30 days of its end, then the buyer terminates it
    await Contract.update({Contract.valid_to: await db.db_now() + timedelta(days=20)}).where(Contract.id == contract_id)
    assert await lifecycle.send_expiry_reminders() == 1
    terminated = await buyer.post(f"{contracts_api}/terminate", json={"reason": "Merged suppliers"})
    assert terminated.status_code == 200, terminated.text
    # and another RFQ is published, then cancelled
    other = await a_published(buyer, world, vendor_ids=[world.vendor.id])
    assert (await buyer.post(f"/api/v1/rfqs/{other['id']}/cancel", json={"reason": "Budget cut"})).status_code == 200

    # then each e-mail links to the page where its recipient acts
    a, b, buyers = world.vendor_admin, seller_b, {world.buyer_admin}
    assert (await links_of("Request for quotation:"))[a] == {vendor_page, f"/vendor/rfqs/{other['id']}"}
    assert await links_of("Deadline extended") == {a: {vendor_page}, b: {vendor_page}}
    assert set(await links_of("New question")) >= buyers
    assert {page for pages in (await links_of("New question")).values() for page in pages} == {buyer_page}
    assert await links_of("Clarification on") == {a: {vendor_page}, b: {vendor_page}}
    assert await links_of("Reminder:") == {a: {vendor_page}, b: {vendor_page}}
    assert {p for ps in (await links_of("Bidding closed")).values() for p in ps} == {f"{buyer_page}/comparison"}
    assert await links_of("Counter-proposal") == {a: {vendor_page}}
    assert await links_of("You won") == {a: {contract_page}}
    assert await links_of(f"{rfq['number']} was awarded to another offer") == {b: {vendor_page}}
    assert await links_of("Cancelled:") == {a: {f"/vendor/rfqs/{other['id']}"}}
    assert {p for ps in (await links_of("Contract C-")).values() for p in ps} == {contract_page}
    contract_subjects = {row["subject"] for row in await mails() if row["subject"].startswith("Contract C-")}
    for kind in ("is in force", "a line is now in your catalog prices", "an amendment waits for you",
                 "amendment rejected", "amendment accepted", "ends in 30 days", "terminated"):
        assert any(kind in subject for subject in contract_subjects), kind
    # and no e-mail at all goes without its link
    for row in await mails():
        link_of(row["body_text"])


async def test_order_emails_link_each_side_to_its_own_order_page_and_marks_to_the_contract(world):
    # given an order of world.buyer with world.vendor
    head = OrderHead(id=41, number="PO-2027-000041", group_id=1, buyer_id=world.buyer.id, vendor_id=world.vendor.id,
                     placed_by=await user_id(world.purchaser), status=OrderStatus.PLACED, currency="EUR")
    # when each side is told of it, and a contract line reaches a mark
    async with db.transaction():
        await order_mail.tell(head, Actor.VENDOR, "New purchase order", "An order arrived.")
        await order_mail.tell(head, Actor.BUYER, "Order confirmed", "The vendor confirmed it.")
        await order_mail.tell_contract_mark(world.buyer.id, world.vendor.id, 7, "C-2027-000007", "Gloves", 80, 80, 100)
    # then the vendor's sellers get the vendor's page, the buyer's people the buyer's, both sides the contract
    assert await links_of("New purchase order") == {world.vendor_admin: {"/vendor/orders/41"}}
    assert {p for ps in (await links_of("Order confirmed")).values() for p in ps} == {"/orders/41"}
    marks = await links_of("Contract C-2027-000007")
    assert world.vendor_admin in marks and world.buyer_admin in marks
    assert {p for ps in marks.values() for p in ps} == {"/contracts/7"}


async def test_an_invited_user_is_sent_to_choose_a_password(world, api):
    # given an operator
    operator = await api(world.operator)
    # when it adds a user without a password
    response = await operator.post(f"/api/v1/companies/{world.buyer.id}/users",
                                   json={"email": "nina@acme.example", "name": "Nina", "roles": ["purchaser"]})
    assert response.status_code == 201, response.text
    # then the invitation links to the page where the user chooses it
    (pages,) = (await links_of("You are invited")).values()
    assert next(iter(pages)).startswith("/invitations/")
