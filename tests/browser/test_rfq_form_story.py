"""The new-RFQ form in Chromium, on a laptop's screen and on a phone's: a description over the limit the form states
is refused by the server, which answers with the form again, every typed value kept and the error beside the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from app.rfq.forms import RFQ_LIMITS
from app.rfq.tables import Rfq
from tests.support.browser import BOTH_WIDTHS, invite_vendor, log_in
from tests.support.fixtures import PASSWORD, make_company, make_user

pytestmark = pytest.mark.browser


def field(page, label: str):
    """The form's field whose label starts with `label` (the limits stated after it belong to the label too)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s|$)"))


@BOTH_WIDTHS
async def test_a_description_over_the_limit_comes_back_with_every_field_kept(chromium, live_server, viewport):
    # given a buyer on the new-RFQ form, which states the description's limit
    buyer = await make_company("buyer", name="Acme Clinics")
    await make_company("vendor", name="Initech Office")
    page = await log_in(chromium, live_server, await make_user(buyer.id, "buyer_admin"), PASSWORD, viewport)
    await page.goto("/rfqs/new")
    limit = RFQ_LIMITS["description"]
    await expect(page.get_by_text(re.compile(rf"up to {limit // 1000}\D?000 characters"))).to_be_visible()

    # when it fills in the form, vendor picked, and a client without the page's maxlength sends a description one
    # character too long
    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    typed = {
        "Title": "Printer paper 2027",
        "Deadline": deadline,  # its label names the time zone, which may be the buyer's own
        "Delivery address": "Hospital Road 1\nBerlin",
        "Line 1 description": "Copy paper A4, 80 g",
        "Line 1 quantity": "250",
        "Line 1 unit": "ream",
        "Line 1 target unit price": "3.10",
        "Line 1 notes": "FSC certified",
    }
    for label, value in typed.items():
        await field(page, label).fill(value)
    await page.get_by_label("Payment terms").select_option("net_60")
    await page.get_by_label("Reverse auction").check()
    await invite_vendor(page, "Initech Office")
    paragraph = "Paper for the wards' printers, delivered monthly.\n"
    description = (paragraph * (limit // len(paragraph) + 1))[: limit + 1]
    await field(page, "Description").evaluate("(el, v) => el.value = v", description)
    await page.get_by_role("button", name="Save draft").last.click()

    # then no draft is saved, and the form comes back saying why beside the description
    await expect(page.get_by_role("alert")).to_contain_text("The draft was not saved")
    described = field(page, "Description")
    await expect(described).to_have_attribute("aria-invalid", "true")
    error = page.locator("#rfq-description + .field-error")
    await expect(error).to_have_attribute("id", "description-error")
    await expect(error).to_contain_text(re.compile(rf"at most {limit // 1000}\D?000 characters"))
    await expect(described).to_have_attribute("aria-describedby", "description-error")
    assert await Rfq.count() == 0
    # and every value typed is still in its field, the long description whole, the vendor still invited
    await expect(described).to_have_value(description)
    for label, value in typed.items():
        await expect(field(page, label)).to_have_value(value)
    await expect(page.get_by_label("Payment terms")).to_have_value("net_60")
    await expect(page.get_by_label("Reverse auction")).to_be_checked()
    await expect(page.get_by_role("button", name="Remove Initech Office", exact=True)).to_be_visible()
    await page.context.close()
