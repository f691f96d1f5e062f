"""The award from the comparison page asks for confirmation on a summary first, refuses a one-click post, and asks
why when a line goes to an offer that is not the cheapest (the API too); the reason is kept and shown."""

from app.contracts.tables import Contract
from app.offers.tables import Award
from app.rfq.states import RfqStatus
from tests.support.fixtures import csrf_token
from tests.support.offers import offer_body, set_status
from tests.support.pages import error_beside, main_of


async def _closed_with_two_offers(bidding, api):
    """A offers 0.0871 and 0.4713, B 0.0922 and 0.4499 on lines 1 and 2; bidding is closed."""
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0871", "0.4713"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0922", "0.4499"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    return a["id"], b["id"]


async def test_the_award_is_confirmed_on_a_summary_before_it_is_done(bidding, api, browser, world):
    a, b = await _closed_with_two_offers(bidding, api)
    approver = await browser(world.approver)
    page = await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")
    # given the comparison page, whose award form only leads to a confirmation
    assert f'action="/rfqs/{bidding.rfq_id}/award/confirm"' in page.text
    # when the approver chooses line 1 to A and line 2 to B and presses "Award…"
    choice = {"_csrf_token": csrf_token(page.text), f"line_{bidding.lines[0]}": str(a),
              f"line_{bidding.lines[1]}": str(b), "whole": ""}
    summary = await approver.post(f"/rfqs/{bidding.rfq_id}/award/confirm", data=choice)
    # then nothing is awarded yet, and the summary states each line, its winner and price, the total, who loses
    assert summary.status_code == 200, summary.text
    assert await Award.count() == 0
    text = main_of(summary.text)
    assert "Nitrile gloves M" in text and world.vendor.name in text and "0.0871 EUR" in text
    assert "Beta Supplies" in text and "0.4499 EUR" in text
    assert "312.05 EUR" in text  # 1000 at 0.0871 + 500 at 0.4499
    assert "Not awarded: line 3." in text
    assert "Losing (told they were not successful): no other vendor" in text
    assert 'name="justification"' not in text  # every line goes to its cheapest offer
    # when its "Yes, award" form is sent
    assert "Yes, award" in text and 'name="confirmed" value="yes"' in text
    done = await approver.post(f"/rfqs/{bidding.rfq_id}/award", data={**choice, "confirmed": "yes"})
    # then the RFQ is awarded as summarized
    assert done.status_code == 303, done.text
    rows = await Award.select(Award.rfq_line, Award.offer, Award.justification).order_by(Award.rfq_line)
    assert [(r["rfq_line"], r["offer"], r["justification"]) for r in rows] == [
        (bidding.lines[0], a, ""), (bidding.lines[1], b, "")]


async def test_a_one_click_award_post_without_the_confirmation_is_refused(bidding, api, browser, world):
    a, _ = await _closed_with_two_offers(bidding, api)
    approver = await browser(world.approver)
    page = await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")
    # when a forged form posts the award straight away, without the confirmation field
    forged = await approver.post(f"/rfqs/{bidding.rfq_id}/award",
                                 data={"_csrf_token": csrf_token(page.text), "whole": str(a)})
    # then it is refused with the reason on the comparison page, and nothing is awarded
    assert forged.status_code == 400
    assert "The award was not confirmed" in forged.text and "Offers on" in forged.text
    assert await Award.count() == 0 and await Contract.count() == 0


async def test_a_line_to_a_dearer_offer_needs_a_justification_kept_and_shown(bidding, api, browser, world):
    a, _ = await _closed_with_two_offers(bidding, api)
    approver = await browser(world.approver)
    page = await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")
    choice = {"_csrf_token": csrf_token(page.text), "whole": str(a)}  # line 2 at 0.4713, B offered 0.4499
    # when the summary of the whole RFQ to A is shown
    summary = main_of((await approver.post(f"/rfqs/{bidding.rfq_id}/award/confirm", data=choice)).text)
    # then it asks why line 2 goes to an offer that is not the cheapest, and names who loses
    assert 'name="justification"' in summary and "Why line 2 goes to an offer that is not the cheapest" in summary
    assert "Losing (told they were not successful): Beta Supplies" in summary
    # when it is confirmed without a justification
    refused = await approver.post(f"/rfqs/{bidding.rfq_id}/award", data={**choice, "confirmed": "yes",
                                                                          "justification": "  "})
    # then the summary comes back with the reason, and nothing is awarded
    assert refused.status_code == 400
    assert "Line 2 goes to an offer that is not the cheapest" in error_beside(refused.text, "justification")
    assert "Yes, award" in refused.text
    assert await Award.count() == 0
    # when it is confirmed with one
    done = await approver.post(f"/rfqs/{bidding.rfq_id}/award", data={
        **choice, "confirmed": "yes", "justification": "A delivers in 3 days"})
    assert done.status_code == 303, done.text
    # then the reason is kept with line 2's award only, and shown on the comparison and the contract
    rows = await Award.select(Award.rfq_line, Award.justification).order_by(Award.rfq_line)
    assert [r["justification"] for r in rows] == ["", "A delivers in 3 days"]
    comparison = main_of((await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")).text)
    assert "not the cheapest offer: A delivers in 3 days" in comparison
    contract = await Contract.select(Contract.id).first()
    page = main_of((await approver.get(f"/contracts/{contract['id']}")).text)
    assert "Awarded although another offer was cheaper: A delivers in 3 days" in page


async def test_the_api_refuses_a_dearer_award_without_a_justification_naming_the_lines(bidding, api, world):
    a, b = await _closed_with_two_offers(bidding, api)
    client = await api(world.approver)
    dearer = {"awards": [{"rfq_line_id": bidding.lines[0], "offer_id": b},
                         {"rfq_line_id": bidding.lines[1], "offer_id": a}]}
    # when lines 1 and 2 both go to the dearer offer without a justification
    refused = await client.post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json=dearer)
    # then 400 names the lines by position, and nothing is awarded
    assert refused.status_code == 400
    assert "Lines 1, 2 go to an offer that is not the cheapest" in refused.json()["detail"]
    assert await Award.count() == 0
    # and a justification over the schema's limit is refused by the schema
    too_long = await client.post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={**dearer, "justification": "x" * 2001})
    assert too_long.status_code == 400 and await Award.count() == 0
    # when it comes with a justification
    done = await client.post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json={**dearer, "justification": "Quality"})
    # then the award keeps it on both lines
    assert done.status_code == 200, done.text
    assert [item["justification"] for item in done.json()["awards"]] == ["Quality", "Quality"]


async def test_a_vendor_posting_the_award_pages_gets_the_rfqs_404(bidding, api, browser):
    a, _ = await _closed_with_two_offers(bidding, api)
    # given a vendor that bid on the RFQ (it sees its own side of it, never the buyer's)
    seller = await browser(bidding.seller_a)
    token = csrf_token((await seller.get("/vendor/rfqs")).text)
    # when it posts the award's confirmation and the award itself
    for path in ("award/confirm", "award"):
        response = await seller.post(f"/rfqs/{bidding.rfq_id}/{path}",
                                     data={"_csrf_token": token, "whole": str(a), "confirmed": "yes"})
        # then it gets what a missing RFQ gets, not a role refusal that says the RFQ is there
        assert response.status_code == 404, (path, response.status_code)
    assert await Award.count() == 0
