"""The billing story in Chromium: a buyer with an invoice long overdue is stopped at checkout with the reason; the
vendor records the payment on the invoice's page; the buyer checks out again and the order is placed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect

from app.billing.tables import Invoice
from app.clock import utcnow
from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.browser import log_in
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import PASSWORD, make_company, make_user

pytestmark = pytest.mark.browser


async def test_an_overdue_invoice_blocks_checkout_until_the_vendor_records_its_payment(chromium, live_server):
    # given a purchaser whose company owes Globex 119.00 EUR, 20 days past due, and gloves in its cart
    buyer = await make_company("buyer", name="Acme Clinics")
    purchaser = await make_user(buyer.id, "purchaser")
    await an_address(buyer.id, "delivery", is_default=True)
    globex = await make_company("vendor", name="Globex")
    globex_sales = await make_user(globex.id, "vendor_sales")
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    await a_listing(globex.id, product, "GX-GLV", "10.00", stock=100)
    due = utcnow().date() - timedelta(days=20)
    await Invoice.insert(Invoice(number="GX-77", vendor=globex.id, buyer=buyer.id, status="overdue", currency="EUR",
                                 net=100_0000, tax=19_0000, gross=119_0000, paid=0, terms_days=30,
                                 issued_on=due - timedelta(days=30), due_on=due))
    page = await log_in(chromium, live_server, purchaser, PASSWORD)

    # when the purchaser checks out
    await page.goto(f"/catalog/products/{product}")
    await page.get_by_label("Quantity of GX-GLV", exact=True).fill("2")
    await page.get_by_role("button", name="Add to cart").first.click()
    await page.goto("/checkout")
    await page.get_by_label("Your PO number").fill("PO-BLOCKED")
    await page.get_by_role("button", name="Place order").click()
    # then it is refused, saying which invoice and how late
    await expect(page.get_by_role("main")).to_contain_text("GX-77 overdue by 20 days")
    assert await PurchaseOrder.count() == 0

    # when the vendor records the payment on the invoice's page
    vendor = await log_in(chromium, live_server, globex_sales, PASSWORD)
    await vendor.get_by_role("link", name="Invoices", exact=True).click()
    await vendor.get_by_role("link", name="GX-77").click()
    await vendor.get_by_label("Amount").fill("119.00")
    await vendor.get_by_role("button", name="Record the payment").click()
    await expect(vendor.get_by_role("status")).to_contain_text("The payment is recorded.")

    # then the purchaser's checkout goes through
    await page.goto("/checkout")
    await page.get_by_label("Your PO number").fill("PO-PAID")
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("status")).to_contain_text("is placed with your PO number PO-PAID")
    assert await PurchaseOrder.count() == 1
    await page.context.close()
    await vendor.context.close()
