"""The ordering story in Chromium: a purchaser adds two vendors' offers from the catalog's product pages, changes a
quantity in the cart (htmx, in place), checks out once, and finds one purchase order per vendor in its orders."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from app.orders.tables import OrderGroup, PurchaseOrder
from tests.support.accounts import an_address
from tests.support.browser import log_in
from tests.support.catalog import a_category, a_contract_price, a_listing, a_product
from tests.support.fixtures import PASSWORD, make_company, make_user

pytestmark = pytest.mark.browser


async def test_a_purchaser_orders_from_two_vendors_through_the_pages(chromium, live_server):
    # given a buyer with a default delivery address, and two vendors' offers of two products
    buyer = await make_company("buyer", name="Acme Clinics")
    purchaser = await make_user(buyer.id, "purchaser")
    await an_address(buyer.id, "delivery", is_default=True)
    first, second = await make_company("vendor", name="Globex"), await make_company("vendor", name="Initech")
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel", category=category)
    await a_listing(first.id, gloves, "GX-GLV", "10.00", stock=100)
    await a_listing(second.id, gel, "IN-GEL", "3.00", stock=100)

    # when the purchaser adds each from its product page
    page = await log_in(chromium, live_server, purchaser, PASSWORD)
    for product, sku, quantity in ((gloves, "GX-GLV", "4"), (gel, "IN-GEL", "10")):
        await page.goto(f"/catalog/products/{product}")
        await page.get_by_label(f"Quantity of {sku}", exact=True).fill(quantity)
        await page.get_by_role("button", name=re.compile(rf"Add to cart\W+{sku}")).click()
        await expect(page.get_by_role("status")).to_contain_text(f"{quantity} now in your cart")

    # and changes the gloves to 5 in the cart, which updates in place
    await page.get_by_role("link", name="Cart", exact=True).click()
    await page.evaluate("window.stillThisPage = true")  # gone if the browser loaded a whole new page
    await page.get_by_label("Quantity of GX-GLV").fill("5")
    await page.get_by_role("button", name="Update GX-GLV").click()
    await expect(page.locator("#cart")).to_contain_text("The quantity is changed.")
    await expect(page.locator("#cart")).to_contain_text("50.00 EUR")
    assert await page.evaluate("window.stillThisPage === true")

    # and checks out with its PO number
    await page.get_by_role("link", name="Check out").click()
    await expect(page.get_by_label("Delivery address")).to_contain_text("(default)")
    await page.get_by_label("Your PO number").fill("PO-WEB-1")
    await page.get_by_role("button", name="Place order").click()

    # then one checkout made one purchase order per vendor, which its orders list
    await expect(page.get_by_role("status")).to_contain_text("is placed with your PO number PO-WEB-1")
    assert await OrderGroup.count() == 1 and await PurchaseOrder.count() == 2
    await page.get_by_role("link", name="Orders", exact=True).click()
    rows = page.get_by_role("main").locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("Initech")
    await expect(rows.nth(1)).to_contain_text("Globex")
    await rows.nth(1).get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Order O-\d+-1"))
    await expect(page.get_by_role("main")).to_contain_text("50.00 EUR")
    await page.context.close()


async def test_a_pasted_quick_order_goes_to_two_vendors_at_contract_price_and_is_shipped_and_received(
    chromium, live_server
):
    # given a buyer with a contract price for gloves at Globex, and gel at Initech
    buyer = await make_company("buyer", name="Acme Clinics")
    purchaser = await make_user(buyer.id, "purchaser")
    await an_address(buyer.id, "delivery", is_default=True)
    globex, initech = await make_company("vendor", name="Globex"), await make_company("vendor", name="Initech")
    globex_sales = await make_user(globex.id, "vendor_sales")
    initech_sales = await make_user(initech.id, "vendor_sales")
    category = await a_category("Gloves")
    gloves = await a_listing(globex.id, await a_product("Nitrile gloves M", category=category), "GX-GLV", "10.00",
                             stock=1_000)
    await a_contract_price(buyer.id, gloves, "8.00", reference="C-2026-0042")
    await a_listing(initech.id, await a_product("Hand gel", category=category), "IN-GEL", "3.00", stock=1_000)

    # when the purchaser pastes two lines copied from Excel into the quick order page
    page = await log_in(chromium, live_server, purchaser, PASSWORD)
    await page.get_by_role("link", name="Cart", exact=True).click()
    await page.get_by_role("link", name="Quick order").click()
    await page.get_by_label("Articles and quantities").fill("Article\tQty\nGX-GLV\t100\nIN-GEL\t20\nNOPE-1\t5")
    await page.get_by_role("button", name="Add to cart", exact=True).click()

    # then each line says what became of it: the gloves at the contract price, the unknown article refused
    outcome = page.get_by_role("table")
    await expect(outcome).to_contain_text("8.00 EUR each, Contract price C-2026-0042")
    await expect(outcome).to_contain_text('No offer you can order has the SKU, GTIN or MPN "NOPE-1".')
    await expect(page.get_by_label("Articles and quantities")).to_have_value("NOPE-1\t5")

    # and one checkout places one purchase order per vendor
    await page.get_by_role("link", name="Go to your cart").click()
    await expect(page.locator("#cart")).to_contain_text("800.00 EUR")
    await page.get_by_role("link", name="Check out").click()
    await page.get_by_label("Your PO number").fill("PO-QUICK-1")
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("status")).to_contain_text("is placed with your PO number PO-QUICK-1")
    assert await PurchaseOrder.count() == 2

    # when each vendor confirms its order and ships it, Globex in two parts
    for email, parts in ((globex_sales, [60, 40]), (initech_sales, [20])):
        vendor = await log_in(chromium, live_server, email, PASSWORD)
        await vendor.get_by_role("link", name="Orders", exact=True).click()
        await vendor.get_by_role("main").locator("tbody tr").first.get_by_role("link").first.click()
        await vendor.get_by_label("Expected ship date").fill("2099-01-15")
        await vendor.get_by_role("button", name="Confirm order").click()
        await expect(vendor.get_by_role("status")).to_contain_text("The order is confirmed")
        for part in parts:
            await vendor.get_by_label("Quantity of line 1 to ship now").fill(str(part))
            await vendor.get_by_label("Carrier").fill("DHL")
            await vendor.get_by_label("Tracking number").fill(f"JD{part:06d}")
            await vendor.get_by_role("button", name="Record shipment").click()
            await expect(vendor.get_by_role("status")).to_contain_text("The shipment is recorded")
        await expect(vendor.get_by_role("main")).to_contain_text("Shipped")
        await vendor.context.close()

    # then the purchaser records receipt of each, and each order is delivered
    await page.get_by_role("link", name="Orders", exact=True).click()
    rows = page.get_by_role("main").locator("tbody tr")
    await expect(rows).to_have_count(2)
    for index in range(2):
        await page.get_by_role("link", name="Orders", exact=True).click()
        await rows.nth(index).get_by_role("link").first.click()
        await page.get_by_role("button", name="Record receipt").click()
        await expect(page.get_by_role("status")).to_contain_text("Everything is received: the order is delivered.")
    statuses = {row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status)}
    assert statuses == {"delivered"}
    await page.context.close()
