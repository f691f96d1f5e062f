"""The story of issue #14 in Chromium, every step in the pages: the buyer's admin sets a purchaser's per-order limit;
the purchaser's order over it waits; the approver approves it from its inbox; the vendor confirms, ships and invoices
it; the invoice falls overdue (the daily job); the buyer is stopped at checkout with the reason; the vendor records
the payment on the invoice's page; the buyer orders again and the order is placed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, ViewportSize, expect

from app.clock import utcnow
from app.invoicing.overdue import mark_overdue
from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.browser import BOTH_WIDTHS, follow_menu_link, log_in
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import PASSWORD, make_company, make_user

pytestmark = pytest.mark.browser


async def _order(page: Page, product: int, quantity: str, po_number: str) -> None:
    """The purchaser puts `quantity` gloves in its cart and checks out with `po_number`."""
    await page.goto(f"/catalog/products/{product}")
    await page.get_by_label("Quantity of GX-GLV", exact=True).fill(quantity)
    await page.get_by_role("button", name="Add to cart").first.click()
    await expect(page.get_by_role("status")).to_contain_text("now in your cart")
    await page.goto("/checkout")
    await page.get_by_label("Your PO number").fill(po_number)
    await page.get_by_role("button", name="Place order").click()


@BOTH_WIDTHS
async def test_an_order_over_the_limit_is_approved_shipped_invoiced_and_its_overdue_invoice_blocks_the_next(
        chromium, live_server, viewport: ViewportSize):
    # given a buyer company with its admin, a purchaser and an approver, and Globex selling gloves at 10.00 EUR
    buyer = await make_company("buyer", name="Acme Clinics")
    admin_email = await make_user(buyer.id, "buyer_admin")
    purchaser_email = await make_user(buyer.id, "purchaser")
    approver_email = await make_user(buyer.id, "approver")
    await an_address(buyer.id, "delivery", is_default=True)
    globex = await make_company("vendor", name="Globex")
    globex_sales = await make_user(globex.id, "vendor_admin")
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    await a_listing(globex.id, product, "GX-GLV", "10.00", stock=100)

    # when the admin sets the purchaser's limit per order to 100.00 EUR on the team page
    admin = await log_in(chromium, live_server, admin_email, PASSWORD, viewport)
    await follow_menu_link(admin, "Team")
    await admin.get_by_role("link", name="Spending limits of Purchaser").click()
    await admin.get_by_label("Per order").fill("100.00")
    await admin.get_by_role("button", name="Save the limits").click()
    await expect(admin.get_by_role("status")).to_contain_text("The spending limits are saved.")
    await admin.context.close()

    # and the purchaser orders 20 boxes (200.00 EUR)
    page = await log_in(chromium, live_server, purchaser_email, PASSWORD, viewport)
    await _order(page, product, "20", "PO-BIG")
    # then the order waits for approval, and Globex hears nothing of it yet
    await expect(page.get_by_role("status")).to_contain_text("waits for approval")
    assert [row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status)] == ["pending_approval"]

    # when the approver approves it from its inbox
    approver = await log_in(chromium, live_server, approver_email, PASSWORD, viewport)
    await follow_menu_link(approver, "Approvals")
    row = approver.get_by_role("row").filter(has_text="PO-BIG")
    await expect(row).to_contain_text("above the per-order limit")
    await row.get_by_role("button", name="Approve").click()
    await expect(approver.get_by_role("status")).to_contain_text("Approved.")
    await expect(approver.get_by_role("main")).to_contain_text("Nothing waits for your approval.")
    await approver.context.close()

    # then Globex confirms it, ships it and invoices it, dated 60 days ago (net 30: due 30 days ago)
    vendor = await log_in(chromium, live_server, globex_sales, PASSWORD, viewport)
    await follow_menu_link(vendor, "Orders")
    await vendor.get_by_role("main").locator("tbody tr").filter(has_text="PO-BIG").get_by_role("link").first.click()
    await vendor.get_by_label("Expected ship date").fill((utcnow().date() + timedelta(days=2)).isoformat())
    await vendor.get_by_role("button", name="Confirm order").click()
    await expect(vendor.get_by_role("status")).to_contain_text("The order is confirmed")
    await vendor.get_by_label("Carrier").fill("DHL")
    await vendor.get_by_role("button", name="Record shipment").click()
    await expect(vendor.get_by_role("status")).to_contain_text("The shipment is recorded")
    await vendor.get_by_role("link", name="Invoice the shipped goods").click()
    await vendor.get_by_label("Invoice number").fill("GX-77")
    await vendor.get_by_label("Issued on").fill((utcnow().date() - timedelta(days=60)).isoformat())
    await vendor.get_by_role("button", name="Issue the invoice").click()
    await expect(vendor.get_by_role("status")).to_contain_text("Invoice GX-77 is issued")

    # when the daily job marks the invoices past their due date overdue
    assert len(await mark_overdue()) == 1

    # then the purchaser's next order is refused at checkout, saying which invoice and how late
    await _order(page, product, "2", "PO-BLOCKED")
    await expect(page.get_by_role("main")).to_contain_text("GX-77 overdue by 30 days")
    assert await PurchaseOrder.count() == 1

    # when Globex records the payment (200.00 + 19 % tax) on the invoice's page
    await follow_menu_link(vendor, "Invoices")
    await vendor.get_by_role("link", name="GX-77").click()
    await expect(vendor.get_by_role("main")).to_contain_text("overdue")
    await vendor.get_by_label("Amount").fill("238.00")
    await vendor.get_by_role("button", name="Record the payment").click()
    await expect(vendor.get_by_role("status")).to_contain_text("The payment is recorded.")
    await vendor.context.close()

    # then the purchaser's checkout of its cart goes through, under its limit: placed at once
    await page.goto("/checkout")
    await page.get_by_label("Your PO number").fill("PO-PAID")
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("status")).to_contain_text("is placed with your PO number PO-PAID")
    assert sorted(row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status)) == ["placed", "shipped"]
    await page.context.close()
