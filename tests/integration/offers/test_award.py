"""Awarding: who may, when, whole or line by line, and everything a contract needs on each Award row."""

import pytest

from app.offers.tables import Award
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq
from tests.support.offers import offer_body, set_status


@pytest.fixture
async def closed(bidding, api):
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.08", "0.45", "3.00"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.07", "0.50"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    return bidding, a["id"], b["id"]


async def test_the_whole_rfq_to_one_offer_records_what_a_contract_needs(closed, api, world):
    bidding, offer_a, _ = closed
    # when the buyer admin awards every line to A (line 1 above B's price, so with a justification)
    response = await (await api(world.buyer_admin)).post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={
        "awards": [{"rfq_line_id": line, "offer_id": offer_a} for line in bidding.lines],
        "justification": "One vendor for the whole RFQ"})
    # then the RFQ is awarded, each line once, with revision, vendor, price, currency, quantity, who and when
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "awarded"
    assert [(a["rfq_line_id"], a["unit_price"], a["quantity"], a["currency"], a["revision_number"])
            for a in body["awards"]] == [(bidding.lines[0], "0.0800", 1000, "EUR", 1),
                                         (bidding.lines[1], "0.4500", 500, "EUR", 1),
                                         (bidding.lines[2], "3.0000", 40, "EUR", 1)]
    assert {a["vendor_id"] for a in body["awards"]} == {bidding.vendor_a}
    assert all(a["awarded_by"] and a["awarded_at"] for a in body["awards"])
    rfq = await Rfq.select(Rfq.status, Rfq.awarded_at).where(Rfq.id == bidding.rfq_id).first()
    assert rfq["status"] == "awarded" and rfq["awarded_at"] is not None
    # and a second award is 409, changing nothing
    again = await (await api(world.approver)).post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={
        "awards": [{"rfq_line_id": bidding.lines[0], "offer_id": offer_a}]})
    assert again.status_code == 409 and "awarded" in again.json()["detail"]
    assert await Award.count() == 3


async def test_line_by_line_to_different_vendors(closed, api, world):
    bidding, offer_a, offer_b = closed
    response = await (await api(world.approver)).post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={"awards": [
        {"rfq_line_id": bidding.lines[0], "offer_id": offer_b},
        {"rfq_line_id": bidding.lines[1], "offer_id": offer_a},
    ]})
    assert response.status_code == 200, response.text
    assert [(a["rfq_line_id"], a["vendor_id"], a["unit_price"]) for a in response.json()["awards"]] == [
        (bidding.lines[0], bidding.vendor_b, "0.0700"), (bidding.lines[1], bidding.vendor_a, "0.4500")]


async def test_who_may_award(closed, api, world):
    bidding, offer_a, _ = closed
    body = {"awards": [{"rfq_line_id": bidding.lines[0], "offer_id": offer_a}]}
    url = f"/api/v1/rfqs/{bidding.rfq_id}/award"
    assert (await (await api(world.purchaser)).post(url, json=body)).status_code == 403
    # a vendor (even one that bid) may not see the buyer's side of the RFQ: 404, as for a stranger
    assert (await (await api(bidding.seller_a)).post(url, json=body)).status_code == 404
    assert (await (await api(world.other_buyer_admin)).post(url, json=body)).status_code == 404
    assert await Award.count() == 0


async def test_only_a_closed_rfq_can_be_awarded(bidding, api, world):
    offer = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                       json=offer_body(bidding.lines, "1"))).json()
    body = {"awards": [{"rfq_line_id": bidding.lines[0], "offer_id": offer["id"]}]}
    admin = await api(world.buyer_admin)
    for status in (RfqStatus.PUBLISHED, RfqStatus.CANCELLED):
        await set_status(bidding.rfq_id, status)
        response = await admin.post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json=body)
        assert response.status_code == 409 and "cannot become awarded" in response.json()["detail"]
    assert await Award.count() == 0


async def test_a_bad_award_is_400_and_leaves_the_rfq_closed(closed, api, world, bidding):
    _, offer_a, offer_b = closed
    admin = await api(world.buyer_admin)
    url = f"/api/v1/rfqs/{bidding.rfq_id}/award"
    cases = [
        ([{"rfq_line_id": 999999, "offer_id": offer_a}], "not a line of this RFQ"),
        ([{"rfq_line_id": bidding.lines[0], "offer_id": 999999}], "not a live offer on this RFQ"),
        ([{"rfq_line_id": bidding.lines[2], "offer_id": offer_b}], "does not offer line"),
        ([{"rfq_line_id": bidding.lines[0], "offer_id": offer_a}] * 2, "appears twice"),
    ]
    for awards, reason in cases:
        response = await admin.post(url, json={"awards": awards})
        assert response.status_code == 400 and reason in response.json()["detail"], response.text
    assert await Award.count() == 0
    assert (await Rfq.select(Rfq.status).where(Rfq.id == bidding.rfq_id).first())["status"] == "closed"
