"""What waits for a vendor, in Chromium: a buyer publishes an RFQ inviting it; the vendor's dashboard lists the RFQ
to answer with its deadline, the header counts one unread notification, and opening the notification leads to
the RFQ's page and marks it read."""

from __future__ import annotations

import re

import msgspec
import pytest
from playwright.async_api import expect

from app.rfq import drafting, transitions
from app.rfq.schemas import RfqIn
from tests.support.browser import log_in
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import principal
from tests.support.rfq import body

pytestmark = pytest.mark.browser


async def test_a_vendor_follows_its_notification_to_the_rfq_waiting_for_it(chromium, live_server):
    # given a buyer that publishes an RFQ inviting the vendor (an e-mail event to the vendor's user)
    buyer, vendor = await make_company("buyer", name="Acme Clinics"), await make_company("vendor", name="Globex")
    purchaser, sales = await make_user(buyer.id, "purchaser"), await make_user(vendor.id, "vendor_sales")
    author = await principal(purchaser)
    draft = await drafting.create_rfq(author, msgspec.convert(body([vendor.id], title="Gloves 2027"), RfqIn))
    await transitions.publish(author, draft.id)

    # when the vendor signs in
    page = await log_in(chromium, live_server, sales, PASSWORD)

    # then its dashboard lists the RFQ to answer, with its deadline
    tasks = page.get_by_role("region", name="What waits for you")
    await expect(tasks.get_by_role("link", name="Answer the request for quotation")).to_have_attribute(
        "href", f"/vendor/rfqs/{draft.id}")
    await expect(tasks).to_contain_text("Gloves 2027")
    await expect(tasks).to_contain_text("Bidding closes:")
    # and the header counts one unread notification
    header = page.get_by_role("banner")
    await expect(header.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))).to_be_visible()

    # when it opens its notifications and follows the one about the RFQ
    await header.get_by_role("link", name=re.compile("^Notifications")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    await page.get_by_role("main").get_by_role("button", name=re.compile("Gloves 2027")).click()

    # then it is on the RFQ's page, and nothing is unread any more
    await expect(page).to_have_url(re.compile(rf"/vendor/rfqs/{draft.id}$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Gloves 2027")
    await expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    await page.context.close()
