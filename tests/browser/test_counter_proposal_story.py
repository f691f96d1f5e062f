"""A counter-proposal in Chromium, on a laptop's screen and on a phone's: after the close the buyer sends one on a
vendor's offer from the comparison; the vendor finds it waiting in its RFQ inbox, follows the link of its e-mail to
the RFQ's page, accepts it, and nothing waits for it any more."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.async_api import Page, expect

from app.money import from_minor
from app.notifications.tables import OutboxEmail
from app.offers.tables import OfferLine
from app.rfq.states import RfqStatus
from tests.support.browser import BOTH_WIDTHS, follow_menu_link, log_in, on_server
from tests.support.contracts import offer
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import make_rfq, set_status

pytestmark = pytest.mark.browser


def waiting_for_you(page: Page):
    """The inbox's section "Waiting for you"."""
    return page.locator("section", has=page.get_by_role("heading", name="Waiting for you", exact=True))


@BOTH_WIDTHS
async def test_a_vendor_accepts_a_counter_proposal_found_from_its_email_and_its_inbox(
    chromium, live_server, api, viewport
):
    # given a closed RFQ of two lines where the vendor offered 5.00 and 0.60 (built through the API, not the pages)
    buyer = await make_company("buyer", name="Acme Clinics")
    vendor = await make_company("vendor", name="Globex Medical")
    buyer_admin, sales = await make_user(buyer.id, "buyer_admin"), await make_user(vendor.id, "vendor_sales")
    rfq_id, lines = await make_rfq(buyer.id, [vendor.id], lines=[("Nitrile gloves M", 1000, None),
                                                                 ("FFP2 masks", 500, None)])
    offer_id = await offer(api, sales, rfq_id, {lines[0]: "5.00", lines[1]: "0.60"})
    await set_status(rfq_id, RfqStatus.CLOSED)

    # when the buyer negotiates with the vendor from the comparison: a target of 4.50 for the gloves
    page = await log_in(chromium, live_server, buyer_admin, PASSWORD, viewport)
    await page.goto(f"/rfqs/{rfq_id}/comparison")
    await page.get_by_role("link", name="Negotiate with Globex Medical").click()
    await expect(page).to_have_url(re.compile(rf"/rfqs/{rfq_id}/offers/{offer_id}/negotiation$"))
    await page.get_by_label("Target unit price of line 1").fill("4.50")
    await page.get_by_label("Message to the vendor").fill("Can you meet 4.50 on the gloves?")
    await page.get_by_role("button", name="Send counter-proposal").click()
    await expect(page.get_by_role("status")).to_contain_text("counter-proposal is sent")
    await page.context.close()

    # then the vendor's RFQ inbox shows the counter-proposal waiting for it
    page = await log_in(chromium, live_server, sales, PASSWORD, viewport)
    await follow_menu_link(page, "RFQ inbox")
    waiting = waiting_for_you(page)
    await expect(waiting.get_by_role("link", name="Gloves and masks")).to_be_visible()
    await expect(waiting.get_by_role("link", name="A counter-proposal to accept or answer")).to_be_visible()

    # when the vendor follows the link at the end of its e-mail (made from MARKET_BASE_URL: the live server's here)
    email = await OutboxEmail.select(OutboxEmail.subject, OutboxEmail.body_text).where(
        OutboxEmail.to_address == sales).order_by(OutboxEmail.id, ascending=False).first()
    assert email["subject"].startswith("Counter-proposal")
    link = re.findall(r"https?://\S+", email["body_text"])[-1]
    await page.goto(on_server(link, live_server))

    # then it is on the RFQ's page, with the buyer's message, and accepts the proposed prices
    await expect(page).to_have_url(re.compile(rf"/vendor/rfqs/{rfq_id}$"))
    await expect(page.get_by_role("main")).to_contain_text("Can you meet 4.50 on the gloves?")
    await page.get_by_role("button", name="Accept these prices").click()
    await expect(page.get_by_role("status")).to_contain_text("You accepted the counter-proposal")
    await expect(page.get_by_role("heading", name=re.compile(r"revision 2 is current"))).to_be_visible()
    await expect(page.get_by_role("button", name="Accept these prices")).to_have_count(0)
    latest = await OfferLine.select(OfferLine.rfq_line, OfferLine.unit_price).where(
        (OfferLine.revision.offer == offer_id) & (OfferLine.revision.number == 2)).order_by(OfferLine.rfq_line)
    assert [(line["rfq_line"], from_minor(line["unit_price"])) for line in latest] == [
        (lines[0], Decimal("4.50")), (lines[1], Decimal("0.60"))]

    # and its inbox no longer shows anything waiting for it
    await follow_menu_link(page, "RFQ inbox")
    await expect(waiting_for_you(page)).to_contain_text("Nothing waits for you")
    await expect(waiting_for_you(page).get_by_role("link", name="Gloves and masks")).to_have_count(0)
    await page.context.close()
