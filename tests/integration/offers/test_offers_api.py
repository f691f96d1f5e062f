"""Vendors submit, revise, withdraw and decline through the API; the deadline is judged at the write."""

from datetime import timedelta

from app import db
from app.offers.tables import Offer, OfferLine, OfferRevision
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.offers import make_rfq, offer_body, set_status


async def test_a_vendor_submits_an_offer_and_sees_it_with_its_revision(bidding, api):
    # given a seller of an invited vendor
    seller = await api(bidding.seller_a)
    # when it offers two of the three lines, one in a smaller quantity
    body = offer_body(bidding.lines, "0.0871", "0.4713", lead=12, notes="Boxes of 100")
    body["lines"][1]["quantity"] = 300
    response = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=body)
    # then the offer is live with one revision, prices as decimal strings, received on the database's clock
    assert response.status_code == 201, response.text
    offer = response.json()
    assert (offer["status"], offer["revision_count"], offer["currency"]) == ("live", 1, "EUR")
    [revision] = offer["revisions"]
    assert revision["lines"] == [
        {"rfq_line_id": bidding.lines[0], "unit_price": "0.0871", "quantity": 1000},
        {"rfq_line_id": bidding.lines[1], "unit_price": "0.4713", "quantity": 300},
    ]
    assert revision["lead_time_days"] == 12 and revision["notes"] == "Boxes of 100"
    assert (await seller.get(f"/api/v1/offers/{offer['id']}")).json() == offer


async def test_a_second_offer_while_one_is_live_is_409_and_a_revision_keeps_the_first(bidding, api):
    # given a live offer
    seller = await api(bidding.seller_a)
    first = (await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1.00"))).json()
    # when the vendor posts again
    again = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "0.90"))
    # then it is told to revise instead
    assert again.status_code == 409 and f"PUT /api/v1/offers/{first['id']}" in again.json()["detail"]
    # when it revises twice
    await seller.put(f"/api/v1/offers/{first['id']}", json=offer_body(bidding.lines, "0.95", "0.40"))
    revised = await seller.put(f"/api/v1/offers/{first['id']}", json=offer_body(bidding.lines, "0.93"))
    # then every revision is kept, numbered, timestamped in order, and the first is unchanged
    assert revised.status_code == 200, revised.text
    offer = revised.json()
    assert offer["revision_count"] == 3
    assert [r["number"] for r in offer["revisions"]] == [1, 2, 3]
    assert offer["revisions"][0] == first["revisions"][0]
    assert [r["lines"][0]["unit_price"] for r in offer["revisions"]] == ["1.0000", "0.9500", "0.9300"]
    received = [r["received_at"] for r in offer["revisions"]]
    assert received == sorted(received)
    assert await Offer.count() == 1


async def test_bad_offers_are_400_with_the_reason_and_write_nothing(bidding, api):
    seller = await api(bidding.seller_a)
    url = f"/api/v1/rfqs/{bidding.rfq_id}/offers"
    cases = [
        ({"lines": [{"rfq_line_id": 999999, "unit_price": "1"}]}, "not a line of this RFQ"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.00001"}]}, "more than 4 decimal places"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "abc"}]}, "not a decimal amount"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0"}]}, "more than zero"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "1", "quantity": 1001}]}, "more than the 1000"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "1"}] * 2}, "offered twice"),
        ({"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": 1.5}]}, "Expected `str`"),
        ({"lines": []}, "length >= 1"),
        ({**offer_body(bidding.lines, "1"), "valid_until": "2020-01-01T00:00:00Z"}, "valid_until is in the past"),
    ]
    for body, reason in cases:
        response = await seller.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        assert reason in response.text, (reason, response.text)
    assert await Offer.count() == 0 and await OfferRevision.count() == 0 and await OfferLine.count() == 0


async def test_after_the_deadline_offers_revisions_and_withdrawals_are_409_whatever_the_status(bidding, api):
    # given a live offer, then the deadline passes while the RFQ is still 'published' (no job has closed it)
    seller = await api(bidding.seller_a)
    offer = (await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1"))).json()
    await Rfq.update({Rfq.deadline: await db.db_now() - timedelta(seconds=1)}).where(Rfq.id == bidding.rfq_id)
    other = await api(bidding.seller_b)
    # then every write is refused with the closing time
    for response in [
        await other.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1")),
        await seller.put(f"/api/v1/offers/{offer['id']}", json=offer_body(bidding.lines, "0.5")),
        await seller.post(f"/api/v1/offers/{offer['id']}/withdraw"),
        await other.post(f"/api/v1/rfqs/{bidding.rfq_id}/decline", json={"reason": "late"}),
    ]:
        assert response.status_code == 409, response.text
        assert "Bidding closed at" in response.json()["detail"]
    assert await OfferRevision.count() == 1


async def test_a_closed_or_cancelled_rfq_takes_no_offer_even_before_its_deadline(bidding, api):
    seller = await api(bidding.seller_a)
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    closed = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1"))
    await set_status(bidding.rfq_id, RfqStatus.CANCELLED)
    cancelled = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1"))
    assert closed.status_code == 409 and "Bidding closed" in closed.json()["detail"]
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]


async def test_withdrawing_then_offering_anew_and_revising_a_withdrawn_offer(bidding, api):
    seller = await api(bidding.seller_a)
    offer = (await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1"))).json()
    # when it withdraws
    withdrawn = await seller.post(f"/api/v1/offers/{offer['id']}/withdraw")
    # then the offer is withdrawn with its revision kept; withdrawing or revising again is 409
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_at"] and len(withdrawn.json()["revisions"]) == 1
    assert (await seller.post(f"/api/v1/offers/{offer['id']}/withdraw")).status_code == 409
    assert (await seller.put(f"/api/v1/offers/{offer['id']}", json=offer_body(bidding.lines, "2"))).status_code == 409
    # and a new offer may be submitted (one live offer per vendor, not one offer)
    anew = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "0.8"))
    assert anew.status_code == 201 and anew.json()["id"] != offer["id"]


async def test_who_may_offer(bidding, api, world):
    url = f"/api/v1/rfqs/{bidding.rfq_id}/offers"
    # an uninvited vendor does not know the RFQ exists; buyers and operators are not sellers
    outsider = await api(bidding.outsider_seller)
    assert (await outsider.post(url, json=offer_body(bidding.lines, "1"))).status_code == 404
    for email in (world.buyer_admin, world.purchaser, world.operator):
        assert (await (await api(email)).post(url, json=offer_body(bidding.lines, "1"))).status_code == 403
    # a draft RFQ is invisible to its invited vendors
    draft_id, lines = await make_rfq(world.buyer.id, [world.vendor.id], status=RfqStatus.DRAFT)
    seller = await api(bidding.seller_a)
    assert (await seller.post(f"/api/v1/rfqs/{draft_id}/offers", json=offer_body(lines, "1"))).status_code == 404
    assert await Offer.count() == 0


async def test_another_vendors_offer_is_404_for_every_verb(bidding, api):
    mine = (await (await api(bidding.seller_a)).post(
        f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines, "1"))).json()
    rival = await api(bidding.seller_b)
    assert (await rival.get(f"/api/v1/offers/{mine['id']}")).status_code == 404
    assert (await rival.put(f"/api/v1/offers/{mine['id']}", json=offer_body(bidding.lines, "9"))).status_code == 404
    assert (await rival.post(f"/api/v1/offers/{mine['id']}/withdraw")).status_code == 404
    assert (await Offer.select(Offer.status).first())["status"] == "live"


async def test_declining_records_the_reason_and_an_offer_takes_it_back(bidding, api):
    seller = await api(bidding.seller_b)
    # when vendor B declines
    declined = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/decline", json={"reason": "Out of stock"})
    # then the invitation says so
    assert declined.status_code == 200 and declined.json()["reason"] == "Out of stock"
    row = await RfqInvitation.select().where(RfqInvitation.vendor == bidding.vendor_b).first()
    assert row["declined_at"] is not None and row["decline_reason"] == "Out of stock"
    # when it then offers after all, the decline is taken back
    assert (await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                              json=offer_body(bidding.lines, "1"))).status_code == 201
    row = await RfqInvitation.select().where(RfqInvitation.vendor == bidding.vendor_b).first()
    assert row["declined_at"] is None
    # and declining with a live offer is refused
    again = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/decline", json={"reason": "no"})
    assert again.status_code == 409 and "withdraw it" in again.json()["detail"]
