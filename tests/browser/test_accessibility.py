"""Every role's main pages, with the demo data, in Chromium: no serious or critical accessibility violation by
axe-core on a 1366 px screen or on a 390 px phone, where no page is wider than the screen, a wide table scrolls in
its own box and the navigation folds into a menu button."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from app.accounts.services import find_company_id
from app.catalog.tables import Listing
from app.contracts.tables import Contract
from app.demo import load_demo_data
from app.demo.rfqs import AWARDED, demo_principal
from app.offers.tables import Offer
from app.orders import cart
from app.orders.schemas import CartLineIn
from app.orders.tables import PurchaseOrder, RequisitionList
from app.rfq.tables import Rfq
from tests.support.accounts import an_address
from tests.support.browser import axe_violations, log_in, resize
from tests.support.catalog import a_listing, a_product
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import make_rfq

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
BUYER, VENDOR, OPERATOR = "buyer@acme.example", "sales@globex.example", "operator@market.example"
BUYER_ADMIN, APPROVER, SALES_REP = "admin@acme.example", "approver@acme.example", "rep@globex.example"

# What a phone screen gets wrong: a page wider than the screen (and what sticks out), a table too wide for its box
# that does not scroll in it.
PHONE_PROBLEMS = """() => {
    const problems = [], width = window.innerWidth;
    if (document.documentElement.scrollWidth > width + 1) {
        const out = [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 1).slice(-3)
            .map(e => `${e.tagName.toLowerCase()}.${e.className}`);
        problems.push(`is ${document.documentElement.scrollWidth} px wide: ${out.join(", ")} stick out`);
    }
    for (const table of document.querySelectorAll("table")) {
        const scrolls = ["auto", "scroll"].includes(getComputedStyle(table).overflowX);
        if (table.scrollWidth > table.clientWidth + 1 && !scrolls) {
            problems.push(`has a table ${table.scrollWidth} px wide in a ${table.clientWidth} px box, not scrolling`);
        }
    }
    return problems;
}"""


async def demo_pages() -> dict[str, list[str]]:
    """The demo data, an open RFQ inviting Globex and a cart line for Acme's buyer; each role's main pages."""
    await load_demo_data()
    acme = await find_company_id("buyer", "Acme Hospital Group")
    globex = await find_company_id("vendor", "Globex Medical Supplies")
    assert acme and globex
    open_rfq, _ = await make_rfq(acme, [globex])
    awarded = (await Rfq.select(Rfq.id).where(Rfq.title == AWARDED.title).first())["id"]
    contract = (await Contract.select(Contract.id).where(Contract.vendor == globex).first())["id"]
    gloves = await Listing.select(Listing.id, Listing.product).where(Listing.sku == "GX-GLV-M").first()
    order = (await PurchaseOrder.select(PurchaseOrder.id).where(
        (PurchaseOrder.buyer == acme) & (PurchaseOrder.vendor == globex)).first())["id"]
    pending = (await Listing.select(Listing.id).where(Listing.status == "pending").first())["id"]
    own_listing = (await Listing.select(Listing.id).where(Listing.vendor == globex).first())["id"]
    offer = (await Offer.select(Offer.id).where((Offer.rfq == awarded) & (Offer.vendor == globex)).first())["id"]
    requisition_list = (await RequisitionList.select(RequisitionList.id).where(
        RequisitionList.company == acme).first())["id"]
    await cart.add_line(await demo_principal(BUYER), CartLineIn(quantity=10, listing_id=gloves["id"]))
    return {
        BUYER: ["/dashboard", "/rfqs", f"/rfqs/{awarded}", "/rfqs/new", f"/rfqs/{awarded}/comparison",
                f"/rfqs/{open_rfq}", "/contracts", f"/contracts/{contract}", "/catalog", "/catalog?q=gloves",
                f"/catalog/products/{gloves['product']}", "/cart", "/cart/quick-order", "/checkout", "/orders",
                f"/orders/{order}", "/requisition-lists", f"/requisition-lists/{requisition_list}",
                f"/rfqs/{awarded}/offers/{offer}/negotiation", "/settings"],
        VENDOR: ["/dashboard", "/vendor/rfqs", f"/vendor/rfqs/{open_rfq}", f"/vendor/rfqs/{awarded}",
                 "/vendor/rfqs/history", "/vendor/listings", f"/vendor/listings/{own_listing}", "/vendor/listings/new",
                 "/vendor/imports", "/vendor/orders", f"/vendor/orders/{order}", "/contracts",
                 f"/contracts/{contract}", "/invoices", "/vendor/scorecard"],
        OPERATOR: ["/dashboard", "/operator/curation", f"/operator/curation/listings/{pending}",
                   "/operator/curation/segments", "/operator/curation/price-lists", "/operator/curation/events",
                   "/operator/orders", f"/operator/orders/{order}", "/operator/outbox", "/contracts",
                   f"/companies/{acme}/credit", "/operator/analytics", "/operator/scorecards", "/invoices",
                   "/on-behalf"],
        # the pages of ordering, spending, invoicing, analytics and scorecards (#14, #15)
        BUYER_ADMIN: ["/spending", "/invoices", "/analytics/savings", f"/vendors/{globex}", "/team/sales-reps"],
        APPROVER: ["/approvals"],
        SALES_REP: ["/on-behalf", f"/on-behalf/{(await demo_principal(BUYER)).user_id}/cart"],
    }


async def shown(locator: Locator, visible: bool = True) -> bool:
    """Whether `locator` becomes visible (or hidden) within two seconds: the menu follows a resize a moment later."""
    try:
        await (expect(locator).to_be_visible if visible else expect(locator).to_be_hidden)(timeout=2_000)
    except AssertionError:
        return False
    return True


async def navigation_problems(page: Page) -> list[str]:
    """Where the main navigation is not links on a wide screen and a menu to open on a phone."""
    menu = page.locator("header.top summary")
    dashboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    problems = []
    await page.set_viewport_size(DESKTOP)
    if not (await shown(menu, visible=False) and await shown(dashboard)):
        problems.append("the navigation is not spread out on a wide screen")
    await page.set_viewport_size(PHONE)
    if not (await shown(dashboard, visible=False) and await shown(menu)):
        problems.append("the navigation is not folded into a menu on a phone")
    elif await menu.click() or not await shown(dashboard):
        problems.append("the phone's menu does not open")
    return problems


async def page_problems(page: Page, path: str, axe_source: str) -> list[str]:
    """What axe-core finds serious on `path` on a wide screen and on a phone, and what does not fit the phone."""
    await page.set_viewport_size(DESKTOP)
    response = await page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    problems = await axe_violations(page, axe_source)
    await resize(page, PHONE)
    problems += [f"{path} at {PHONE['width']} px {problem}" for problem in await page.evaluate(PHONE_PROBLEMS)]
    return problems + [f"{line} (at {PHONE['width']} px)" for line in await axe_violations(page, axe_source)]


async def test_each_roles_main_pages_pass_axe_on_a_wide_screen_and_on_a_phone(chromium, live_server, axe_source):
    # given the demo data
    pages = await demo_pages()
    started = time.monotonic()
    # when a visitor opens the login page, on a wide screen and on a phone
    visitor = await chromium.new_context(base_url=live_server)
    await visitor.add_init_script(axe_source)  # in every page from the start: faster than a script tag each time
    problems = await page_problems(await visitor.new_page(), "/login", axe_source)
    await visitor.close()
    for email, paths in pages.items():
        page = await log_in(chromium, live_server, email)
        await page.context.add_init_script(axe_source)
        for path in paths:
            # and each role opens its main pages: axe-core finds nothing serious, and each page fits the phone
            problems += await page_problems(page, path, axe_source)
        # and the navigation is a menu to open on the phone, links on the wide screen
        problems += [f"{email}: {problem}" for problem in await navigation_problems(page)]
        await page.context.close()
    # then nothing is wrong
    assert not problems, "\n".join(problems)
    print(f"{1 + sum(map(len, pages.values()))} pages, at two widths, in {time.monotonic() - started:.1f} s")


async def test_axe_names_each_serious_violation_by_rule_element_and_help(chromium, axe_source):
    # given a page with a button without a name and a field without a label
    context = await chromium.new_context()
    page = await context.new_page()
    await page.set_content('<html lang="en"><title>Form</title><main><input id="q"><button></button></main></html>')
    # when axe-core checks it
    problems = await axe_violations(page, axe_source)
    await context.close()
    # then both are reported, by rule, element and help
    assert any("button-name (critical) at button: Buttons must have discernible text" in line for line in problems)
    assert any("label (critical) at #q: Form elements must have labels" in line for line in problems), problems


async def test_a_long_orders_paged_ship_and_receipt_forms_pass_axe_and_fit_a_phone(chromium, live_server, axe_source):
    # given a confirmed order of 30 lines (the ship form pages past 25), half of it shipped
    buyer_company = await make_company("buyer", name="Acme Hospital Group")
    vendor_company = await make_company("vendor", name="Globex Medical Supplies")
    buyer, vendor = await make_user(buyer_company.id, "buyer_admin"), await make_user(vendor_company.id, "vendor_admin")
    await an_address(buyer_company.id, "delivery", is_default=True)
    async with httpx.AsyncClient(base_url=live_server) as api:
        async def as_user(email: str) -> None:
            token = await api.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
            api.headers["Authorization"] = f"Bearer {token.json()['token']}"

        await as_user(buyer)
        for number in range(1, 31):
            listing = await a_listing(vendor_company.id, await a_product(f"Long order item {number:02}"),
                                      f"LONG-{number:02}", "2.00", stock=100)
            await api.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 4})
        cart = (await api.get("/api/v1/cart")).json()
        lines = [{key: line[key] for key in ("quantity", "unit_price", "net")} | {"line_id": line["id"]}
                 for line in cart["lines"]]
        placed = await api.post("/api/v1/cart/checkout", json={"po_number": "PO-LONG", "expected_lines": lines})
        order = placed.json()["orders"][0]["id"]
        await as_user(vendor)
        await api.post(f"/api/v1/orders/{order}/confirm", json={"expected_ship_date": "2099-01-01"})
        body = (await api.get(f"/api/v1/orders/{order}")).json()
        shipped = await api.post(f"/api/v1/orders/{order}/shipments", json={
            "lines": [{"line_id": line["id"], "quantity": 2} for line in body["lines"]]})
        assert shipped.status_code == 201, shipped.text
    problems = []
    for email, path in ((vendor, f"/vendor/orders/{order}"), (buyer, f"/orders/{order}")):
        page = await log_in(chromium, live_server, email, PASSWORD)
        # when each opens its form of the order, a page of lines with the filter and the pager
        problems += await page_problems(page, path, axe_source)
        await page.set_viewport_size(DESKTOP)
        await page.get_by_role("button", name="Next lines").first.click()
        await expect(page.get_by_text("Page 2 of 2").first).to_be_visible()
        # and on the next page of lines too
        problems += await axe_violations(page, axe_source)
        await page.context.close()
    # when the vendor ships more than is left of line 1 and of line 30 (on page 2), the browser's own check set aside
    page = await log_in(chromium, live_server, vendor, PASSWORD)
    await page.goto(f"/vendor/orders/{order}")
    await page.evaluate("document.querySelectorAll('form').forEach(form => form.noValidate = true)")
    await page.get_by_label("Quantity of line 1 to ship now").fill("9")
    last = page.locator('input[type="hidden"][name^="ship_"]').last
    field = await last.get_attribute("name")
    await last.evaluate("input => input.value = '9'")
    await page.get_by_role("button", name="Record shipment").click()
    # then the form opens on line 1's page, and the error summary's link to line 30 leads to it in the form's list,
    # whose button opens page 2 with the 9 typed
    link = page.locator(f'a[href="#{field}-error"]')
    await expect(link).to_be_visible()
    problems += [f"refused long form: {line}" for line in await axe_violations(page, axe_source)]
    await link.click()
    await expect(page.locator(f"#{field}-error")).to_be_in_viewport()
    await page.locator(f"#{field}-error").get_by_role("button", name="Go to page 2").click()
    await expect(page.get_by_text("Page 2 of 2").first).to_be_visible()
    await expect(page.get_by_label("Quantity of line 30 to ship now")).to_have_value("9")
    await page.context.close()
    # then axe-core finds nothing serious and the page fits the phone
    assert not problems, "\n".join(problems)
