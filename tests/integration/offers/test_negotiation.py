"""Negotiation after the close: a counter-proposal to one vendor, accepted or answered; no one else sees it."""

import pytest

from app.offers.tables import CounterProposal
from app.rfq.states import RfqStatus
from tests.support.offers import offer_body, set_status


@pytest.fixture
async def negotiable(bidding, api, world):
    a = await api(bidding.seller_a)
    b = await api(bidding.seller_b)
    offer_a = (await a.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.0900", "0.5000", "4.0000", lead=8))).json()
    offer_b = (await b.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.0700"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    return bidding, a, b, offer_a["id"], offer_b["id"], await api(world.purchaser)


async def test_the_vendor_accepts_a_counter_proposal_and_the_award_uses_those_prices(negotiable, api, world):
    bidding, a, _, offer_a, _, buyer = negotiable
    # when the buyer proposes lower prices on two lines
    proposal = await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "Can you match 0.08?", "lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0800"},
                                                   {"rfq_line_id": bidding.lines[1], "unit_price": "0.4500"}]})
    assert proposal.status_code == 201, proposal.text
    assert proposal.json()["status"] == "open"
    # and the vendor accepts
    accepted = await a.post(f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")
    # then a second revision exists at those prices, the third line unchanged, the lead time kept
    assert accepted.status_code == 200, accepted.text
    thread = accepted.json()
    latest = thread["offer"]["revisions"][-1]
    assert thread["offer"]["revision_count"] == 2 and latest["lead_time_days"] == 8
    assert [line["unit_price"] for line in latest["lines"]] == ["0.0800", "0.4500", "4.0000"]
    assert thread["proposals"][0]["status"] == "accepted" and thread["proposals"][0]["revision_number"] == 2
    # and the buyer sees the same thread; a second acceptance is 409
    assert (await buyer.get(f"/api/v1/offers/{offer_a}/negotiation")).json() == thread
    assert (await a.post(f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")).status_code == 409
    # and the award takes the negotiated price
    award = await (await api(world.buyer_admin)).post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={
        "awards": [{"rfq_line_id": bidding.lines[0], "offer_id": offer_a}], "justification": "Negotiated"})
    assert award.json()["awards"][0]["unit_price"] == "0.0800"
    assert award.json()["awards"][0]["revision_number"] == 2


async def test_the_vendor_answers_with_its_own_revision_after_the_close(negotiable):
    bidding, a, _, offer_a, _, buyer = negotiable
    # a revision after the close without a proposal is refused
    assert (await a.put(f"/api/v1/offers/{offer_a}", json=offer_body(bidding.lines, "0.085"))).status_code == 409
    await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals",
                     json={"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0800"}]})
    # when it answers with a revision of its own
    answer = await a.put(f"/api/v1/offers/{offer_a}", json=offer_body(bidding.lines, "0.0850", "0.4900"))
    # then the revision is kept and the proposal is answered; a further revision is refused again
    assert answer.status_code == 200, answer.text
    thread = (await buyer.get(f"/api/v1/offers/{offer_a}/negotiation")).json()
    assert thread["proposals"][0]["status"] == "answered" and thread["proposals"][0]["revision_number"] == 2
    assert (await a.put(f"/api/v1/offers/{offer_a}", json=offer_body(bidding.lines, "0.08"))).status_code == 409


async def test_no_other_vendor_sees_or_touches_the_thread(negotiable):
    bidding, _, b, offer_a, _, buyer = negotiable
    proposal = (await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals",
                                 json={"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0612"}]})).json()
    assert (await b.get(f"/api/v1/offers/{offer_a}/negotiation")).status_code == 404
    assert (await b.post(f"/api/v1/counter-proposals/{proposal['id']}/accept")).status_code == 404
    assert (await b.post(f"/api/v1/offers/{offer_a}/counter-proposals",
                         json={"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "1"}]})).status_code == 404
    assert "0.0612" not in (await b.get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert (await CounterProposal.select(CounterProposal.status).first())["status"] == "open"


async def test_negotiation_only_between_the_close_and_the_award(bidding, negotiable, api, world):
    _, _, _, offer_a, _, buyer = negotiable
    body = {"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.08"}]}
    # one open proposal at a time
    assert (await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json=body)).status_code == 201
    again = await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json=body)
    assert again.status_code == 409 and "still open" in again.json()["detail"]
    # before the close the offer is sealed (404); after the award it is 409
    await set_status(bidding.rfq_id, RfqStatus.PUBLISHED)
    assert (await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json=body)).status_code == 404
    await set_status(bidding.rfq_id, RfqStatus.AWARDED)
    late = await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json=body)
    assert late.status_code == 409 and "before the award" in late.json()["detail"]
    # a line the offer did not price cannot be countered; another buyer gets 404
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    other = await api(world.other_buyer_admin)
    assert (await other.post(f"/api/v1/offers/{offer_a}/counter-proposals", json=body)).status_code == 404


async def test_the_vendor_sees_and_accepts_a_counter_proposal_on_its_page(negotiable, browser):
    from tests.support.fixtures import csrf_token

    bidding, _, _, offer_a, _, buyer = negotiable
    proposal = (await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "Best and final?", "lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0777"}]})).json()
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert "Best and final?" in page.text and "0.0777" in page.text and "Accept these prices" in page.text
    response = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/proposals/{proposal['id']}/accept",
                                 data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert "You accepted the counter-proposal" in page.text and "Accept these prices" not in page.text
    # the rival's page shows none of it
    rival = await browser(bidding.seller_b)
    assert "0.0777" not in (await rival.get(f"/vendor/rfqs/{bidding.rfq_id}")).text


async def test_an_operator_may_read_the_thread_but_not_negotiate(negotiable, api, world):
    bidding, _, _, offer_a, _, _ = negotiable
    operator = await api(world.operator)
    assert (await operator.get(f"/api/v1/offers/{offer_a}/negotiation")).status_code == 200
    refused = await operator.post(f"/api/v1/offers/{offer_a}/counter-proposals",
                                  json={"lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.08"}]})
    assert refused.status_code == 403, refused.text
    assert not await CounterProposal.exists()
