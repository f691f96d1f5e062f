"""The spending and approval pages: the admin sets controls through the forms, the approver decides from its inbox,
the order's page says its prices stand while it waits, and the budgets export is an XLSX."""

from __future__ import annotations

from app.orders.tables import PurchaseOrder
from app.spending.tables import OrderCharge
from tests.integration.orders.test_buyer_pages import place
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token
from tests.support.orders import check_out
from tests.support.parties import user_id


async def test_the_controls_are_set_on_the_page_and_an_approver_decides_from_its_inbox(world, api, browser):
    # given the admin adds a cost center, a budget and a rule through the page's forms
    admin = await browser(world.buyer_admin)
    page = await admin.get("/spending")
    assert page.status_code == 200
    token = csrf_token(page.text)
    assert (await admin.post("/spending/cost-centers", data={"_csrf_token": token, "code": "CC-9", "name": "Plant"})
            ).status_code == 303
    cost_center = (await (await api(world.buyer_admin)).get("/api/v1/cost-centers")).json()[0]["id"]
    made = await admin.post("/spending/budgets", data={
        "_csrf_token": token, "cost_center_id": str(cost_center), "period": "quarter", "starts_on": "2026-12-06",
        "currency": "EUR", "amount": "1000", "hard": "yes"})
    assert made.status_code == 303, made.text
    refused = await admin.post("/spending/rules", data={"_csrf_token": token, "name": "x", "min_total": "5",
                                                        "approver_role": "approver"})
    assert refused.status_code == 400 and "currency" in refused.text
    assert (await admin.post("/spending/rules", data={"_csrf_token": token, "name": "Everything", "level": "1",
                                                      "approver_role": "approver"})).status_code == 303
    page = await admin.get("/spending")
    assert "CC-9" in page.text and "Everything" in page.text and "2026" in page.text
    export = await admin.get("/spending/budgets/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # when a purchaser orders, its order page says it waits and its prices stand
    gloves = await a_product("Gloves", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "G-1", "10.00", stock=10)
    await an_address(world.buyer.id, "delivery", is_default=True)
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 1})
    order_id = (await check_out(buyer, "PO-P1")).json()["orders"][0]["id"]
    purchaser = await browser(world.purchaser)
    detail = await purchaser.get(f"/orders/{order_id}")
    assert "Waiting for approval" in detail.text and "prices captured at checkout stand" in detail.text
    assert f"/approvals/{order_id}/edit" in detail.text
    # then the approver finds it in its inbox and approves it there
    approver = await browser(world.approver)
    inbox = await approver.get("/approvals")
    assert f"/approvals/{order_id}/approve" in inbox.text
    done = await approver.post(f"/approvals/{order_id}/approve", data={"_csrf_token": csrf_token(inbox.text)})
    assert done.status_code == 303
    assert (await PurchaseOrder.select(PurchaseOrder.status).first())["status"] == "placed"
    budget_page = await admin.get((await admin.get("/spending")).text.split('href="/spending/budgets/')[1]
                                  .join(["/spending/budgets/", ""]).split('"')[0])
    assert budget_page.status_code == 200


async def test_the_checkout_page_asks_which_of_two_cost_centers_to_charge(world, api, browser):
    # given a purchaser on two cost centers, with gloves in its cart
    admin = await api(world.buyer_admin)
    purchaser_id = await user_id(world.purchaser)
    centers = [(await admin.post("/api/v1/cost-centers", json={"code": code, "name": code, "user_ids": [purchaser_id]}
                                 )).json()["id"] for code in ("CC-A", "CC-B")]
    gloves = await a_product("Gloves", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "G-2", "10.00", stock=10)
    await an_address(world.buyer.id, "delivery", is_default=True)
    await (await api(world.purchaser)).post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 1})
    client = await browser(world.purchaser)
    # when it checks out on the page without choosing, then the page asks beside the field
    refused = await place(client, "PO-CC1")
    assert refused.status_code == 400 and "Cost center: choose one of" in refused.text
    assert 'name="cost_center_id"' in refused.text
    # and choosing one places the order, charged there
    placed = await place(client, "PO-CC1", cost_center_id=str(centers[1]))
    assert placed.status_code == 303, placed.text
    assert (await OrderCharge.select(OrderCharge.cost_center).first())["cost_center"] == centers[1]
