"""The buyer's negotiation page: after the close it opens the thread with one vendor, sends a counter-proposal
through a form and shows the whole thread; the vendor's page shows the same thread; nobody else sees any of it."""

import pytest

from app.offers.tables import CounterProposal, CounterProposalLine
from app.rfq.states import RfqStatus
from tests.support.fixtures import csrf_token
from tests.support.offers import make_rfq, offer_body, set_status
from tests.support.pages import error_beside, form_fields


@pytest.fixture
async def closed(bidding, api):
    a = await api(bidding.seller_a)
    b = await api(bidding.seller_b)
    offer_a = (await a.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.0900", "0.5000", lead=8))).json()["id"]
    offer_b = (await b.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.0700", "0.6100"))).json()["id"]
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    return bidding, a, offer_a, offer_b


def page_url(rfq_id: int, offer_id: int) -> str:
    return f"/rfqs/{rfq_id}/offers/{offer_id}/negotiation"


async def test_the_buyer_sends_a_counter_proposal_from_the_page_and_follows_the_thread(closed, browser, world):
    bidding, vendor_api, offer_a, _ = closed
    buyer = await browser(world.purchaser)
    # given the comparison page links to each vendor's thread
    comparison = await buyer.get(f"/rfqs/{bidding.rfq_id}/comparison")
    assert f'href="{page_url(bidding.rfq_id, offer_a)}"' in comparison.text
    # when the buyer opens it, the vendor's revision and the form are there
    page = await buyer.get(page_url(bidding.rfq_id, offer_a))
    assert page.status_code == 200, page.text
    assert "Revision 1" in page.text and "0.09 EUR" in page.text and f'name="target_{bidding.lines[0]}"' in page.text
    assert f'name="target_{bidding.lines[2]}"' not in page.text  # a line the vendor did not price
    # when it sends target prices for two lines with a message
    response = await buyer.post(f"/rfqs/{bidding.rfq_id}/offers/{offer_a}/counter-proposals", data={
        "_csrf_token": csrf_token(page.text), f"target_{bidding.lines[0]}": "0.0800",
        f"target_{bidding.lines[1]}": "0.4500", "message": "Can you match 0.08?"})
    # then the proposal is stored with those lines and the page shows it, without a second form
    assert response.status_code == 303, response.text
    stored = await CounterProposal.select().first()
    assert (stored["offer"], stored["message"], stored["status"]) == (offer_a, "Can you match 0.08?", "open")
    lines = await CounterProposalLine.select(CounterProposalLine.unit_price).order_by(CounterProposalLine.rfq_line)
    assert [line["unit_price"] for line in lines] == [800, 4500]
    page = await buyer.get(page_url(bidding.rfq_id, offer_a))
    assert "Your counter-proposal is sent" in page.text and "Can you match 0.08?" in page.text
    assert "target 0.08 EUR" in page.text and "Send counter-proposal" not in page.text
    # when the vendor accepts (the API), the buyer's page shows the new revision at those prices
    accepted = await vendor_api.post(f"/api/v1/counter-proposals/{stored['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    page = await buyer.get(page_url(bidding.rfq_id, offer_a))
    assert "Revision 2</strong>, accepting the counter-proposal" in page.text
    assert "0.08 EUR \u00d7 1000" in page.text and "Send counter-proposal" in page.text  # a next round may start
    # and the vendor's own page shows the same thread
    seller_page = await (await browser(bidding.seller_a)).get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert "Can you match 0.08?" in seller_page.text
    assert "Revision 2</strong>, accepting the counter-proposal" in seller_page.text


async def test_the_vendor_page_shows_its_own_answering_revision_in_the_thread(closed, api, browser, world):
    bidding, vendor_api, offer_a, _ = closed
    buyer = await api(world.purchaser)
    await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "Lower please", "lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0700"}]})
    answer = await vendor_api.put(f"/api/v1/offers/{offer_a}", json=offer_body(bidding.lines, "0.0850", "0.4900"))
    assert answer.status_code == 200, answer.text
    seller_page = (await (await browser(bidding.seller_a)).get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert "Lower please" in seller_page and "the vendor's answer to the counter-proposal" in seller_page
    assert "0.085 EUR \u00d7 1000" in seller_page and "Accept these prices" not in seller_page
    buyer_page = (await (await browser(world.purchaser)).get(page_url(bidding.rfq_id, offer_a))).text
    assert "the vendor's answer to the counter-proposal" in buyer_page and "0.085 EUR" in buyer_page


async def test_bad_form_input_is_a_400_with_the_reason_and_nothing_is_sent(closed, browser, world):
    bidding, _, offer_a, _ = closed
    buyer = await browser(world.buyer_admin)
    page = await buyer.get(page_url(bidding.rfq_id, offer_a))
    url = f"/rfqs/{bidding.rfq_id}/offers/{offer_a}/counter-proposals"
    empty = await buyer.post(url, data={"_csrf_token": csrf_token(page.text), "message": "hi"})
    assert empty.status_code == 400 and "at least one line" in empty.text
    bad = await buyer.post(url, data={"_csrf_token": csrf_token(page.text), f"target_{bidding.lines[0]}": "0.00001",
                                      f"target_{bidding.lines[1]}": "0", "message": "Our budget"})
    assert bad.status_code == 400
    first, second = (error_beside(bad.text, f"target_{line}") for line in bidding.lines[:2])
    assert first.startswith("Line 1 (") and "decimal places" in first and "lines[" not in first
    assert second.startswith("Line 2 (") and second.endswith("the unit price must be more than zero.")
    kept = form_fields(bad.text, url)
    assert (kept[f"target_{bidding.lines[0]}"], kept[f"target_{bidding.lines[1]}"], kept["message"]) == (
        "0.00001", "0", "Our budget")
    long = await buyer.post(url, data={"_csrf_token": csrf_token(page.text), f"target_{bidding.lines[0]}": "0.08",
                                       "message": "m" * 5001})
    assert long.status_code == 400 and error_beside(long.text, "message").startswith("Message to the vendor: must be")
    no_csrf = await buyer.post(url, data={f"target_{bidding.lines[0]}": "0.08"})
    assert no_csrf.status_code == 403
    assert await CounterProposal.count() == 0


async def test_other_buyers_and_every_vendor_get_404_and_see_nothing(closed, api, browser, world):
    bidding, _, offer_a, offer_b = closed
    buyer = await api(world.purchaser)
    await buyer.post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "Secret target", "lines": [{"rfq_line_id": bidding.lines[0], "unit_price": "0.0612"}]})
    url = page_url(bidding.rfq_id, offer_a)
    post_url = f"/rfqs/{bidding.rfq_id}/offers/{offer_a}/counter-proposals"
    for email in (world.other_buyer_admin, bidding.seller_a, bidding.seller_b, bidding.outsider_seller):
        client = await browser(email)
        page = await client.get(url)
        assert page.status_code in (403, 404), (email, page.status_code)
        assert "0.0612" not in page.text and "Secret target" not in page.text
        token_page = await client.get("/dashboard")
        sent = await client.post(post_url, data={"_csrf_token": csrf_token(token_page.text),
                                                 f"target_{bidding.lines[0]}": "0.01"})
        assert sent.status_code in (403, 404), (email, sent.status_code)
    # the competitor's own page never shows the thread
    rival = (await (await browser(bidding.seller_b)).get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert "0.0612" not in rival and "Secret target" not in rival
    # an offer reached through another RFQ's address is 404 for its own buyer too
    other_rfq, _ = await make_rfq(world.buyer.id, [bidding.vendor_a], status=RfqStatus.CLOSED)
    assert (await (await browser(world.purchaser)).get(page_url(other_rfq, offer_b))).status_code == 404
    assert await CounterProposal.count() == 1


async def test_the_page_is_404_while_sealed_and_read_only_after_the_award(closed, browser, world):
    bidding, _, offer_a, _ = closed
    buyer = await browser(world.buyer_admin)
    await set_status(bidding.rfq_id, RfqStatus.PUBLISHED)
    assert (await buyer.get(page_url(bidding.rfq_id, offer_a))).status_code == 404
    await set_status(bidding.rfq_id, RfqStatus.AWARDED)
    page = await buyer.get(page_url(bidding.rfq_id, offer_a))
    assert page.status_code == 200 and "Revision 1" in page.text
    assert "Send counter-proposal" not in page.text and "before the award" in page.text
