"""The vendor's inbox and RFQ page (offer, revise, withdraw, decline); the buyer's comparison page and award form."""

from app.offers.tables import Award, Offer, OfferRevision
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqInvitation
from tests.support.fixtures import csrf_token
from tests.support.offers import make_rfq, offer_body, set_status


async def test_the_inbox_lists_the_rfqs_meant_for_the_vendor_with_time_left(bidding, browser, world):
    # given a second RFQ the vendor is not invited to and a draft it is invited to
    await make_rfq(world.buyer.id, [bidding.vendor_b], lines=[("Secret other RFQ item", 1, None)])
    draft_id, _ = await make_rfq(world.buyer.id, [bidding.vendor_a], status=RfqStatus.DRAFT)
    page = await (await browser(bidding.seller_a)).get("/vendor/rfqs")
    assert page.status_code == 200
    assert f'href="/vendor/rfqs/{bidding.rfq_id}"' in page.text and "not answered" in page.text
    assert f'href="/vendor/rfqs/{draft_id}"' not in page.text
    assert "min" in page.text  # about an hour left


async def test_a_vendor_offers_revises_and_withdraws_through_the_page(bidding, browser):
    seller = await browser(bidding.seller_a)
    url = f"/vendor/rfqs/{bidding.rfq_id}"
    page = await seller.get(url)
    assert page.status_code == 200 and f'name="price_{bidding.lines[0]}"' in page.text
    # when the vendor submits prices for two lines, one in a smaller quantity
    form = {"_csrf_token": csrf_token(page.text), f"price_{bidding.lines[0]}": "0.0875",
            f"price_{bidding.lines[1]}": "0.48", f"quantity_{bidding.lines[1]}": "200", f"price_{bidding.lines[2]}": "",
            "lead_time_days": "9", "valid_until": "2099-12-31", "notes": "Palletised"}
    response = await seller.post(f"{url}/offer", data=form)
    assert response.status_code == 303, response.text
    # then the offer is stored and the page shows it prefilled
    page = await seller.get(url)
    assert "Your offer is submitted." in page.text and 'value="0.0875"' in page.text and "Revision 1" in page.text
    # when it revises with a bad price, it is told why and nothing is stored
    bad = await seller.post(f"{url}/offer", data={**form, "_csrf_token": csrf_token(page.text),
                                                  f"price_{bidding.lines[0]}": "0.00001"})
    assert bad.status_code == 400 and "decimal places" in bad.text and 'value="0.00001"' in bad.text
    # when it revises properly
    await seller.post(f"{url}/offer", data={**form, "_csrf_token": csrf_token(page.text),
                                            f"price_{bidding.lines[0]}": "0.0850"})
    assert await OfferRevision.count() == 2
    # when it withdraws
    page = await seller.get(url)
    assert "Revision 2 of your offer is submitted." in page.text
    asked = await seller.post(f"{url}/withdraw", data={"_csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "stops counting at once" in asked.text and "revision 2" in asked.text
    assert (await Offer.select(Offer.status).first())["status"] == "live"  # the first post only asks
    done = await seller.post(f"{url}/withdraw", data={"confirmed": "yes", "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    assert (await Offer.select(Offer.status).first())["status"] == "withdrawn"


async def test_a_form_post_without_csrf_token_is_refused(bidding, browser):
    seller = await browser(bidding.seller_a)
    response = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/offer", data={f"price_{bidding.lines[0]}": "1"})
    assert response.status_code == 403 and await Offer.count() == 0


async def test_a_vendor_declines_through_the_page(bidding, browser):
    seller = await browser(bidding.seller_b)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    response = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/decline",
                                 data={"_csrf_token": csrf_token(page.text), "reason": "No capacity"})
    assert response.status_code == 303
    row = await RfqInvitation.select().where(RfqInvitation.vendor == bidding.vendor_b).first()
    assert row["decline_reason"] == "No capacity"
    assert "declined" in (await seller.get("/vendor/rfqs")).text


async def test_uninvited_vendors_and_buyers_do_not_reach_the_vendor_page(bidding, browser, world):
    assert (await (await browser(bidding.outsider_seller)).get(f"/vendor/rfqs/{bidding.rfq_id}")).status_code == 404
    assert (await (await browser(world.buyer_admin)).get(f"/vendor/rfqs/{bidding.rfq_id}")).status_code == 403


async def test_the_buyer_compares_and_awards_through_the_page(bidding, api, browser, world):
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0871", "0.4713"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0922", "0.4499"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    # a purchaser sees the matrix but no award form
    purchaser_page = await (await browser(world.purchaser)).get(f"/rfqs/{bidding.rfq_id}/comparison")
    assert "★ 0.0871" in purchaser_page.text and 'name="whole"' not in purchaser_page.text
    # an approver awards line 1 to A and line 2 to B
    approver = await browser(world.approver)
    page = await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")
    assert page.status_code == 200 and "Beta Supplies" in page.text and 'name="whole"' in page.text
    response = await approver.post(f"/rfqs/{bidding.rfq_id}/award", data={
        "_csrf_token": csrf_token(page.text), f"line_{bidding.lines[0]}": str(a["id"]),
        f"line_{bidding.lines[1]}": str(b["id"]), f"line_{bidding.lines[2]}": "", "whole": "", "confirmed": "yes"})
    assert response.status_code == 303, response.text
    awarded = await Award.select(Award.rfq_line, Award.offer).order_by(Award.rfq_line)
    assert [(r["rfq_line"], r["offer"]) for r in awarded] == [(bidding.lines[0], a["id"]), (bidding.lines[1], b["id"])]
    page = await approver.get(f"/rfqs/{bidding.rfq_id}/comparison")
    assert "The RFQ is awarded" in page.text and "Awarded" in page.text


async def test_the_buyer_awards_the_whole_rfq_to_one_offer_through_the_page(bidding, api, browser, world):
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "1", "2", "3"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    admin = await browser(world.buyer_admin)
    page = await admin.get(f"/rfqs/{bidding.rfq_id}/comparison")
    response = await admin.post(f"/rfqs/{bidding.rfq_id}/award",
                                data={"_csrf_token": csrf_token(page.text), "whole": str(a["id"]), "confirmed": "yes"})
    assert response.status_code == 303
    assert await Award.count() == 3
