"""The pages of #14's buyer controls in Chromium, on a phone (390 px) and a laptop: the admin's forms for approval
rules, budgets and a colleague's limits, a form shown again with its errors, the approver's inbox grid and the
vendor's invoice form fit the screen (tables scroll in their own box) and pass axe-core (no serious or critical
violation)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from tests.support.accounts import an_address
from tests.support.browser import DESKTOP, PHONE, axe_violations, log_in
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.parties import user_id

pytestmark = pytest.mark.browser


async def _api(live_server: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live_server)
    token = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return client


async def _checkout(client: httpx.AsyncClient, po_number: str) -> dict[str, Any]:
    cart = (await client.get("/api/v1/cart")).json()
    lines = [{key: line[key] for key in ("quantity", "unit_price", "net")} | {"line_id": line["id"]}
             for line in cart["lines"]]
    placed = await client.post("/api/v1/cart/checkout", json={"po_number": po_number, "expected_lines": lines})
    assert placed.status_code == 201, placed.text
    return placed.json()


async def _problems(page: Page, path: str, axe_source: str) -> list[str]:
    """What is wrong with the page at both widths: wider than the phone, or axe-core's serious violations."""
    problems = []
    for size in (PHONE, DESKTOP):
        await page.set_viewport_size(size)
        response = await page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        width = await page.evaluate("document.documentElement.scrollWidth")
        if size is PHONE and width > PHONE["width"]:
            problems.append(f"{path} is {width} px wide at {PHONE['width']} px")
        problems += [f"{line} (at {size['width']} px)" for line in await axe_violations(page, axe_source)]
    return problems


async def test_the_buyer_control_pages_fit_a_phone_and_pass_axe(chromium, live_server, axe_source):
    # given a buyer with a cost center, a budget, a rule on every order, and an order waiting for its approver
    buyer = await make_company("buyer", name="Acme Clinics and Hospitals of Northern Europe")
    admin_email, approver_email = await make_user(buyer.id, "buyer_admin"), await make_user(buyer.id, "approver")
    purchaser_email = await make_user(buyer.id, "purchaser")
    vendor = await make_company("vendor", name="Globex Medical Supplies International")
    vendor_email = await make_user(vendor.id, "vendor_admin")
    product = await a_product("Nitrile examination gloves, powder free, size M, box of 100",
                              category=await a_category("Gloves"))
    listing = await a_listing(vendor.id, product, "GX-GLV-NITRILE-M-100", "10.00", stock=100)
    await an_address(buyer.id, "delivery", is_default=True)
    admin, purchaser = await _api(live_server, admin_email), await _api(live_server, purchaser_email)
    vendor_api = await _api(live_server, vendor_email)
    try:
        center = (await admin.post("/api/v1/cost-centers", json={
            "code": "WARDS-NORTH", "name": "Wards and nursing, northern buildings"})).json()["id"]
        budget = (await admin.post("/api/v1/budgets", json={
            "cost_center_id": center, "period": "quarter", "starts_on": "2026-12-01", "currency": "EUR",
            "amount": "50000.00", "hard": True})).json()["id"]
        rule = (await admin.post("/api/v1/approval-rules", json={
            "name": "Every order of the northern wards, whatever its total", "approver_role": "approver"}
                                  )).json()["id"]
        await purchaser.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 3})
        await _checkout(purchaser, "PO-WAITING-1")
        # an order placed before the rule would hold it: shipped, for the vendor's invoice form
        await admin.delete(f"/api/v1/approval-rules/{rule}")
        await purchaser.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 2})
        shipped = (await _checkout(purchaser, "PO-SHIPPED-1"))["orders"][0]["id"]
        line = (await vendor_api.post(f"/api/v1/orders/{shipped}/confirm",
                                      json={"expected_ship_date": "2099-01-15"})).json()["lines"][0]["id"]
        await vendor_api.post(f"/api/v1/orders/{shipped}/shipments", json={"lines": [{"line_id": line, "quantity": 2}]})
        rule = (await admin.post("/api/v1/approval-rules", json={
            "name": "Every order of the northern wards, whatever its total", "approver_role": "approver"})).json()["id"]
    finally:
        for client in (admin, purchaser, vendor_api):
            await client.aclose()
    purchaser_id = await user_id(purchaser_email)

    problems: list[str] = []
    # when the admin opens each of its control pages, and a form refused with its errors
    page = await log_in(chromium, live_server, admin_email, PASSWORD)
    for path in ("/spending", "/spending/rules/new", f"/spending/rules/{rule}/edit", "/spending/budgets/new",
                 f"/spending/budgets/{budget}/edit", f"/team/{purchaser_id}/spending-limits",
                 f"/spending/budgets/{budget}"):
        problems += await _problems(page, path, axe_source)
    await page.goto(f"/team/{purchaser_id}/spending-limits")
    await page.get_by_label("Per order").fill("lots")
    await page.get_by_role("button", name="Save the limits").click()
    assert await page.locator("#per_order-error").is_visible()
    problems += [f"refused limits form: {line}" for line in await axe_violations(page, axe_source)]
    await page.goto("/spending")
    await page.get_by_role("button", name="Delete the rule Every order of the northern wards").click()
    problems += [f"delete confirmation: {line}" for line in await axe_violations(page, axe_source)]
    await page.context.close()
    # and the approver its inbox, the vendor its invoice form
    approver = await log_in(chromium, live_server, approver_email, PASSWORD)
    problems += await _problems(approver, "/approvals", axe_source)
    problems += await _problems(approver, "/approvals?show=all", axe_source)
    await approver.context.close()
    seller = await log_in(chromium, live_server, vendor_email, PASSWORD)
    problems += await _problems(seller, f"/invoices/new?order={shipped}", axe_source)
    await seller.context.close()
    # then none sticks out of the phone's screen or fails axe
    assert not problems, "\n".join(problems)
