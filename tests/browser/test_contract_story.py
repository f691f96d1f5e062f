"""The contract story in Chromium: an RFQ with a catalog line and a free-text line, two vendors answer,
the buyer awards line by line, opens the contract, and the catalog shows the contract price at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from app.catalog.tables import Listing
from app.contracts.tables import Contract
from app.demo import load_demo_data
from tests.support.browser import answer, invite_vendor, log_in

pytestmark = pytest.mark.browser


async def test_an_award_becomes_a_contract_whose_price_the_buyer_sees_in_the_catalog(chromium, live_server):
    # given the demo companies and catalog: Globex lists the nitrile gloves (GX-GLV-M) at 6.90
    await load_demo_data()
    gloves = (await Listing.select(Listing.product).where(Listing.sku == "GX-GLV-M").first())["product"]
    title = "Gloves contract 2027"

    # when the buyer posts an RFQ for the catalog gloves and free-text paper, inviting Globex and Initech
    buyer = await log_in(chromium, live_server, "admin@acme.example")
    await buyer.goto("/rfqs/new")
    await buyer.get_by_label("Title").fill(title)
    deadline = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    await buyer.get_by_label("Deadline (UTC)").fill(deadline)
    await buyer.get_by_label("Line 1 description").fill("Nitrile gloves M")
    await buyer.get_by_label("Line 1 catalog product id").fill(str(gloves))
    await buyer.get_by_label("Line 1 quantity").fill("500")
    await buyer.get_by_label("Line 2 description").fill("Copy paper A4, 500 sheets")
    await buyer.get_by_label("Line 2 quantity").fill("100")
    await invite_vendor(buyer, "Globex Medical Supplies")
    await invite_vendor(buyer, "Initech Office")
    await buyer.get_by_role("button", name="Save draft").click()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text(title)
    await buyer.get_by_role("button", name="Publish…").click()  # a summary asks first: publishing cannot be undone
    await buyer.get_by_role("button", name="Yes, publish and tell the vendors").click()
    await expect(buyer.get_by_text("Published: the vendors have been told.")).to_be_visible()
    rfq_url = buyer.url

    # and both vendors answer; Globex is cheaper on gloves, Initech on paper
    await answer(chromium, live_server, "sales@globex.example", title, ["5.50", "4.40"])
    await answer(chromium, live_server, "sales@initech.example", title, ["6.20", "3.90"])

    # and the buyer closes bidding and awards line by line
    await buyer.goto(rfq_url)
    await buyer.get_by_role("button", name="Close bidding now…").click()
    await buyer.get_by_role("button", name="Yes, close bidding now").click()
    await buyer.goto(rfq_url.rstrip("/") + "/comparison")
    selects = buyer.locator("select[name^='line_']")
    for index, vendor in ((0, "Globex"), (1, "Initech")):
        value = await selects.nth(index).locator("option", has_text=vendor).get_attribute("value")
        await selects.nth(index).select_option(value=value)
    await buyer.get_by_role("button", name="Award…").click()
    await buyer.get_by_role("button", name="Yes, award").click()
    await expect(buyer.get_by_role("status")).to_contain_text("awarded")

    # then each vendor has a contract, and the buyer opens Globex's from the Contracts page
    # (the demo data's own awarded RFQ has contracts too: count this RFQ's)
    globex = await Contract.select(Contract.id, Contract.number).where(
        (Contract.vendor.name == "Globex Medical Supplies") & (Contract.rfq.title == title)).first()
    assert await Contract.count().where(Contract.rfq.title == title) == 2
    await buyer.get_by_role("link", name="Contracts", exact=True).click()
    await buyer.get_by_role("link", name=globex["number"]).click()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Contract {globex['number']}")
    lines = await buyer.locator("table").first.inner_text()
    assert "GX-GLV-M" in lines and "5.5" in lines
    await expect(buyer.get_by_role("link", name=re.compile(title))).to_be_visible()

    # and the buyer's catalog shows the contract price for the gloves, with the contract as the reason
    await buyer.goto("/catalog")
    await buyer.get_by_label("Search", exact=True).fill("Nitrile gloves")
    await buyer.get_by_label("Search", exact=True).press("Enter")
    results = buyer.locator("main")
    await expect(results).to_contain_text(f"Contract price {globex['number']}")
    await expect(results).to_contain_text("5.5")

    # and Initech, whose line was free text, is asked to link it in its portal
    initech = await log_in(chromium, live_server, "sales@initech.example")
    await initech.get_by_role("link", name="Contracts", exact=True).click()
    # (the demo's savings history holds Initech contracts too: open this RFQ's)
    initech_contract = await Contract.select(Contract.number).where(
        (Contract.vendor.name == "Initech Office") & (Contract.rfq.title == title)).first()
    await initech.get_by_role("link", name=initech_contract["number"]).click()
    await expect(initech.locator("main")).to_contain_text("Waiting for the vendor")
    await expect(initech.get_by_role("button", name="Link line 2")).to_be_visible()
