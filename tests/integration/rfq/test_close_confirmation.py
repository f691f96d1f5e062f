"""Closing bidding early from the RFQ page is confirmed on a summary first; a one-click post is refused."""

from app.rfq.tables import Rfq
from tests.support.fixtures import csrf_token
from tests.support.offers import make_rfq
from tests.support.pages import main_of


async def test_closing_bidding_is_confirmed_on_a_summary_before_it_is_done(world, browser):
    rfq_id, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    buyer = await browser(world.buyer_admin)
    # given the RFQ page, whose "Close bidding now…" button only leads to a confirmation (a GET)
    page = await buyer.get(f"/rfqs/{rfq_id}")
    assert f'<form method="get" action="/rfqs/{rfq_id}/close">' in page.text
    # when the buyer follows it
    summary = await buyer.get(f"/rfqs/{rfq_id}/close")
    # then bidding is still open, and the page says what closing does
    assert summary.status_code == 200
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"] == "published"
    text = main_of(summary.text)
    assert "Bidding ends now instead of at the deadline" in text and "0 vendors answered so far, of 1 invited" in text
    assert "cannot be undone" in text
    # when its "Yes, close" form is sent
    done = await buyer.post(f"/rfqs/{rfq_id}/close", data={"_csrf_token": csrf_token(summary.text),
                                                           "confirmed": "yes"})
    # then bidding is closed
    assert done.status_code == 303
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"] == "closed"


async def test_a_one_click_close_post_without_the_confirmation_is_refused(world, browser):
    rfq_id, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    buyer = await browser(world.buyer_admin)
    page = await buyer.get(f"/rfqs/{rfq_id}")
    # when a forged form posts the close straight away
    forged = await buyer.post(f"/rfqs/{rfq_id}/close", data={"_csrf_token": csrf_token(page.text)})
    # then it is refused on the RFQ page with the reason, and bidding stays open
    assert forged.status_code == 400 and "Closing was not confirmed" in forged.text
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"] == "published"
