"""The layout in Chromium: every role's main pages fit a phone (390 px) with their tables scrolling in their own box,
the catalog's facets are a narrow side column on a wide screen, a checkbox or radio sits on its label's line,
textareas are full width and at least four lines tall, and secondary buttons do not look destructive."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Page

from app.accounts.services import find_company_id
from app.demo import load_demo_data
from app.demo.rfqs import demo_principal
from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.browser import DEMO_PASSWORD, log_in, resize
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.curation import a_listing as a_pending_listing
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import make_rfq

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# The elements that stick out of the viewport, named for the failure message.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .filter(e => !e.parentElement.closest("[data-overflowing]") && e.setAttribute("data-overflowing", "") === undefined)
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`)"""

# A label's checkbox or radio, and the first line box of the label's own text.
LABEL_LINE = """label => {
    const box = label.querySelector("input").getBoundingClientRect();
    const text = [...label.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(text);
    const line = range.getClientRects()[0];
    return [{top: box.top, bottom: box.bottom, left: box.left, right: box.right},
            {top: line.top, bottom: line.bottom, left: line.left}];
}"""

# A button's background and text colours; the destructive red is --bad in static/app.css.
COLOURS = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color, getComputedStyle(b).borderColor]"
RED = "rgb(180, 35, 24)"


@dataclass
class Market:
    buyer: str
    vendor: str
    operator: str
    product: int
    rfq: int
    order: int = 0


async def a_market(live_server: str) -> Market:
    """A buyer, a vendor and an operator, with a product on offer, an RFQ, an order and a listing to curate."""
    operator_company = await make_company("operator", name="Marketplace Operations")
    buyer = await make_company("buyer", name="Acme Clinics and Hospitals of Northern Europe")
    vendor = await make_company("vendor", name="Globex Medical Supplies International")
    market = Market(
        buyer=await make_user(buyer.id, "buyer_admin"),
        vendor=await make_user(vendor.id, "vendor_admin"),
        operator=await make_user(operator_company.id, "operator"),
        product=await a_product("Nitrile examination gloves, powder free, size M, box of 100",
                                category=await a_category("Gloves")),
        rfq=0,
    )
    listing = await a_listing(vendor.id, market.product, "GX-GLV-NITRILE-M-100", "10.00", stock=100)
    await a_pending_listing(vendor.id, "GX-GEL-500", "Hand sanitising gel, 500 ml pump bottle")
    await an_address(buyer.id, "delivery", is_default=True)
    market.rfq, _ = await make_rfq(buyer.id, [vendor.id])
    # an order, placed through the API as an integrator would
    async with httpx.AsyncClient(base_url=live_server) as api:
        token = await api.post("/api/v1/auth/token", json={"email": market.buyer, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        assert (await api.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 3})).status_code == 201
        cart = (await api.get("/api/v1/cart")).json()
        lines = [{key: line[key] for key in ("quantity", "unit_price", "net")} | {"line_id": line["id"]}
                 for line in cart["lines"]]
        placed = await api.post("/api/v1/cart/checkout", json={"po_number": "PO-LAYOUT-1", "expected_lines": lines})
        assert placed.status_code == 201, placed.text
    market.order = (await PurchaseOrder.select(PurchaseOrder.id).first())["id"]
    return market


async def assert_fits(page: Page, path: str) -> None:
    response = await page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    width = await page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        pytest.fail(f"{path} is {width} px wide at {PHONE['width']} px: {await page.evaluate(OVERFLOWING)}")


async def assert_on_its_labels_line(page: Page, label_text: str) -> None:
    """The checkbox or radio inside the label named `label_text` is on the line of the label's (first line of) text,
    before it."""
    label = page.locator("label", has_text=label_text).first
    box, text = await label.evaluate(LABEL_LINE)
    assert box["top"] < text["bottom"] and text["top"] < box["bottom"], (label_text, box, text)
    assert box["right"] <= text["left"] and box["right"] - box["left"] < 40, (label_text, box, text)


async def test_every_main_page_of_each_role_fits_a_phone(chromium, live_server):
    # given a little of everything, so tables have rows
    market = await a_market(live_server)
    pages = {
        market.buyer: ["/dashboard", "/catalog", f"/catalog/products/{market.product}", "/rfqs",
                       f"/rfqs/{market.rfq}", "/rfqs/new", "/cart", "/orders", f"/orders/{market.order}",
                       "/requisition-lists", "/contracts", "/team"],
        market.vendor: ["/dashboard", "/vendor/listings", "/vendor/rfqs", f"/vendor/rfqs/{market.rfq}",
                        "/vendor/orders", f"/vendor/orders/{market.order}", "/vendor/imports"],
        market.operator: ["/dashboard", "/operator/curation", "/operator/orders", f"/operator/orders/{market.order}",
                          "/operator/outbox"],
    }
    for email, paths in pages.items():
        # when each role opens its pages on a 390 px wide screen
        page = await log_in(chromium, live_server, email, PASSWORD)
        await page.set_viewport_size(PHONE)
        for path in paths:
            # then no page is wider than the screen
            await assert_fits(page, path)
        if email == market.buyer:
            # and the lines table of the new RFQ scrolls in its own box, so every line stays reachable
            await page.goto("/rfqs/new")
            table = page.locator("form table").first
            assert await table.evaluate("t => getComputedStyle(t).overflowX") in {"auto", "scroll"}
            await page.get_by_label("Line 1 notes").fill("reachable")
            await assert_on_its_labels_line(page, "Reverse auction")
            await page.get_by_label("Reverse auction").check()  # its settings show only then
            await assert_on_its_labels_line(page, "Auction: show vendors the best price")
        await page.context.close()


async def test_a_wide_screen_gives_results_the_room_and_controls_sit_by_their_labels(chromium, live_server):
    # given a buyer with a product on offer
    market = await a_market(live_server)
    page = await log_in(chromium, live_server, market.buyer, PASSWORD)
    await page.set_viewport_size(DESKTOP)

    # when it searches the catalog on a 1366 px wide screen
    await page.goto("/catalog")
    facets = await page.get_by_role("complementary", name="Filters").bounding_box()
    results = await page.get_by_role("region", name="Results").bounding_box()

    # then the facets are a narrow column beside the results
    assert facets and results
    assert facets["width"] < DESKTOP["width"] / 3, facets
    assert results["x"] > facets["x"] + facets["width"] - 1 and abs(results["y"] - facets["y"]) < 5
    # and "In stock only" sits on its checkbox's line
    await assert_on_its_labels_line(page, "In stock only")

    # and on a phone the facets stack above the results
    await resize(page, PHONE)
    facets = await page.get_by_role("complementary", name="Filters").bounding_box()
    results = await page.get_by_role("region", name="Results").bounding_box()
    assert facets and results and results["y"] >= facets["y"] + facets["height"] - 1

    # when it opens the new-RFQ form on the wide screen
    await page.set_viewport_size(DESKTOP)
    await page.goto("/rfqs/new")
    # then radios and checkboxes sit on their labels' lines
    await page.get_by_label("Reverse auction").check()
    for label in ("Only the vendors I invite", "Sealed offers", "Auction: show vendors the best price"):
        await assert_on_its_labels_line(page, label)
    # and the description is a full-width box at least four lines tall
    description = page.locator("#rfq-description")
    box = await description.bounding_box()
    form = await page.locator("form.card").bounding_box()
    line = await description.evaluate("t => parseFloat(getComputedStyle(t).lineHeight)")
    assert box and form and box["height"] >= 4 * line, (box, line)
    assert box["width"] > 0.9 * (form["width"] - 64), (box, form)

    # and on its RFQ, a secondary button looks neutral while the irreversible ones wear the destructive red
    await page.goto(f"/rfqs/{market.rfq}")
    attach = await page.get_by_role("button", name="Attach", exact=True).evaluate(COLOURS)
    assert RED not in attach, attach
    for irreversible in ("Close bidding now", "Cancel this RFQ"):
        assert (await page.get_by_role("button", name=irreversible).evaluate(COLOURS))[0] == RED, irreversible
    await page.context.close()


async def test_the_pages_of_ordering_spending_invoicing_and_analytics_fit_a_phone(chromium, live_server):
    # given the demo data: budgets, approvals, invoices, savings, scorecards, a sales representative of Acme
    await load_demo_data()
    acme = await find_company_id("buyer", "Acme Hospital Group")
    globex = await find_company_id("vendor", "Globex Medical Supplies")
    buyer = (await demo_principal("buyer@acme.example")).user_id
    pages = {
        "admin@acme.example": ["/spending", "/invoices", "/analytics/savings", f"/vendors/{globex}",
                               "/team/sales-reps"],
        "approver@acme.example": ["/approvals"],
        "sales@globex.example": ["/invoices", "/vendor/scorecard"],
        "rep@globex.example": ["/on-behalf", f"/on-behalf/{buyer}/cart"],
        "operator@market.example": [f"/companies/{acme}/credit", "/operator/analytics", "/operator/scorecards",
                                    "/invoices", "/on-behalf"],
    }
    for email, paths in pages.items():
        # when each role opens them on a 390 px wide screen
        page = await log_in(chromium, live_server, email, DEMO_PASSWORD)
        await page.set_viewport_size(PHONE)
        for path in paths:
            # then no page is wider than the screen
            await assert_fits(page, path)
        await page.context.close()
