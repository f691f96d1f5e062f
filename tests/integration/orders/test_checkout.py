"""Checkout and fulfilment through the API: one purchase order per vendor at the captured prices, stock reserved,
contract quantities consumed and split, changes since the buyer looked refused with each change, idempotent retries,
and the whole life of an order: confirm, ship in parts, receive, cancel and give back."""

from __future__ import annotations

import pytest

from app.catalog.tables import Listing
from app.contracts.tables import ContractLine, ContractLineMark, ContractPrice
from app.notifications.tables import OutboxEmail
from app.orders.tables import OrderGroup, PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import make_company, make_user
from tests.support.orders import check_out, confirmed_lines


@pytest.fixture
async def shop(world):
    """Two vendors' listings of two products, and the buyer's default delivery address."""
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel", category=category)
    rival = await make_company("vendor", name="Rival Supplies")
    rival_sales = await make_user(rival.id, "vendor_sales")
    address = await an_address(world.buyer.id, "delivery", is_default=True)
    return {
        "gloves": gloves, "gel": gel, "rival": rival, "rival_sales": rival_sales, "address": address,
        "a_gloves": await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100),
        "b_gel": await a_listing(rival.id, gel, "B-GEL", "3.00", stock=50),
    }


async def test_a_cart_of_two_vendors_becomes_two_purchase_orders_at_the_captured_prices(world, api, shop):
    # given a cart with a line of each vendor
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 4})
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["b_gel"], "quantity": 10})
    # when the buyer checks out
    response = await check_out(buyer, "PO-7", note="Dock 3")
    # then one group with one order per vendor, each at its net, and the cart is empty
    assert response.status_code == 201, response.text
    group = response.json()
    assert group["po_number"] == "PO-7" and group["status"] == "placed"
    assert [(o["vendor_id"], o["net"], o["currency"], o["line_count"]) for o in group["orders"]] == [
        (world.vendor.id, "40.00", "EUR", 1), (shop["rival"].id, "30.00", "EUR", 1)]
    assert (await buyer.get("/api/v1/cart")).json()["lines"] == []
    # and the stock is reserved
    stock = {row["id"]: row["stock"] for row in await Listing.select(Listing.id, Listing.stock)}
    assert (stock[shop["a_gloves"]], stock[shop["b_gel"]]) == (96, 40)
    # and each vendor was told, and sees only its own order
    subjects = [row["subject"] for row in await OutboxEmail.select(OutboxEmail.subject)]
    assert sum(s.startswith("New purchase order") for s in subjects) >= 2
    rival = await api(shop["rival_sales"])
    listed = (await rival.get("/api/v1/orders")).json()
    assert [o["vendor_id"] for o in listed["items"]] == [shop["rival"].id] and listed["total"] == 1
    mine = next(o for o in group["orders"] if o["vendor_id"] == world.vendor.id)
    assert (await rival.get(f"/api/v1/orders/{mine['id']}")).status_code == 404
    detail = (await buyer.get(f"/api/v1/orders/{mine['id']}")).json()
    assert detail["lines"][0]["unit_price"] == "10.0000" and detail["lines"][0]["price_source"] == "base_price"
    assert "Lagerstraße 12" in detail["delivery_address"] and detail["note"] == "Dock 3"


async def test_a_changed_price_refuses_the_checkout_with_the_change_and_writes_nothing(world, api, shop):
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 4})
    seen = await confirmed_lines(buyer)
    # when the price changes after the buyer looked
    await Listing.update({Listing.base_price: 12_0000}).where(Listing.id == shop["a_gloves"])
    response = await buyer.post("/api/v1/cart/checkout", json={"po_number": "PO-8", "expected_lines": seen})
    # then 409 with the change, and no order
    assert response.status_code == 409, response.text
    assert [e["change"] for e in response.json()["extra"]] == ["price"]
    assert "12.00 EUR" in response.json()["extra"][0]["message"]
    assert await PurchaseOrder.count() == 0
    # and confirming the new figures goes through
    assert (await check_out(buyer, "PO-8")).status_code == 201


async def test_a_retried_checkout_with_one_key_makes_one_group_and_another_body_is_refused(world, api, shop):
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 2})
    body = {"po_number": "PO-9", "expected_lines": await confirmed_lines(buyer)}
    first = await buyer.post("/api/v1/cart/checkout", json=body, headers={"Idempotency-Key": "k-1"})
    again = await buyer.post("/api/v1/cart/checkout", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert first.json() == again.json() and await OrderGroup.count() == 1
    other = await buyer.post("/api/v1/cart/checkout", json={**body, "po_number": "PO-10"},
                             headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]


async def test_a_po_number_is_used_once_per_company(world, api, shop):
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 2})
    assert (await check_out(buyer, "PO-11")).status_code == 201
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 2})
    taken = await check_out(buyer, "PO-11")
    assert taken.status_code == 409 and "already used by order O-" in taken.json()["detail"]


async def test_a_contract_line_covers_what_it_has_left_and_the_rest_takes_the_next_price(world, api, shop):
    # given a contract of 100 gloves at 8.00 awarded to the vendor, which has 200 in stock
    await Listing.update({Listing.stock: 200}).where(Listing.id == shop["a_gloves"])
    rfq_id, (line_id,) = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 100, shop["gloves"])])
    offer_id = await offer(api, world.vendor_admin, rfq_id, {line_id: "8.00"})
    assert (await award(api, world.buyer_admin, rfq_id, {line_id: offer_id})).status_code == 200
    contract_line = await ContractLine.select(ContractLine.id, ContractLine.listing).first()
    if contract_line["listing"] is None:  # the vendor links its listing to the line
        await ContractLine.update({ContractLine.listing: shop["a_gloves"]}).where(
            ContractLine.id == contract_line["id"])
        await ContractPrice.update({ContractPrice.listing: shop["a_gloves"]}).where(
            ContractPrice.contract_line == contract_line["id"])
    assert await ContractPrice.count().where(ContractPrice.listing == shop["a_gloves"]) >= 1
    buyer = await api(world.buyer_admin)
    # when the buyer orders 90, then 20
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 90})
    assert (await check_out(buyer, "PO-C1")).status_code == 201
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 20})
    cart = (await buyer.get("/api/v1/cart")).json()
    # then the second cart shows 10 at the contract price and 10 at the list price
    parts = cart["lines"][0]["parts"]
    assert [(p["quantity"], p["unit_price"], p["price_source"]) for p in parts] == [
        (10, "8.0000", "contract"), (10, "10.0000", "base_price")]
    assert cart["lines"][0]["net"] == "180.00"
    response = await check_out(buyer, "PO-C2")
    assert response.status_code == 201, response.text
    order_id = response.json()["orders"][0]["id"]
    lines = (await buyer.get(f"/api/v1/orders/{order_id}")).json()["lines"]
    assert [(line["quantity"], line["unit_price"], line["contract_quantity"]) for line in lines] == [
        (10, "8.0000", 10), (10, "10.0000", 0)]
    # and the contract is used up, its marks written once each
    assert (await ContractLine.select(ContractLine.consumed_qty).first())["consumed_qty"] == 100
    assert sorted(r["mark"] for r in await ContractLineMark.select(ContractLineMark.mark)) == [80, 100]
    # and when the vendor rejects the second order, its 10 contract units and 20 stock come back
    vendor = await api(world.vendor_admin)
    rejected = await vendor.post(f"/api/v1/orders/{order_id}/reject", json={"reason": "Discontinued"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (await ContractLine.select(ContractLine.consumed_qty).first())["consumed_qty"] == 90
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["a_gloves"]).first())["stock"] == 110


async def test_an_order_is_confirmed_shipped_in_two_parts_and_received(world, api, shop):
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 10})
    order_id = (await check_out(buyer, "PO-L")).json()["orders"][0]["id"]
    vendor = await api(world.vendor_admin)
    line_id = (await vendor.get(f"/api/v1/orders/{order_id}")).json()["lines"][0]["id"]
    # a buyer cannot confirm, a vendor cannot receive, and nothing ships before confirmation
    assert (await buyer.post(f"/api/v1/orders/{order_id}/confirm", json={"expected_ship_date": "2099-01-01"})
            ).status_code == 403
    early = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                              json={"lines": [{"line_id": line_id, "quantity": 4}]})
    assert early.status_code == 409 and "not confirmed" in early.json()["detail"]
    confirmed = await vendor.post(f"/api/v1/orders/{order_id}/confirm", json={"expected_ship_date": "2099-01-01"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed", confirmed.text
    # when it ships 4, then 6
    first = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                              json={"lines": [{"line_id": line_id, "quantity": 4}], "carrier": "DHL",
                                    "tracking_number": "JD0001"})
    assert first.status_code == 201 and first.json()["status"] == "partially_shipped", first.text
    too_many = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                                 json={"lines": [{"line_id": line_id, "quantity": 7}]})
    assert too_many.status_code == 400 and "more than the 10 ordered" in too_many.json()["detail"]
    second = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                               json={"lines": [{"line_id": line_id, "quantity": 6}]})
    assert second.json()["status"] == "shipped"
    # then the buyer receives 4, then 6: delivered
    part = await buyer.post(f"/api/v1/orders/{order_id}/receipts",
                            json={"lines": [{"line_id": line_id, "quantity": 4}]})
    assert part.status_code == 201 and part.json()["status"] == "shipped", part.text
    done = await buyer.post(f"/api/v1/orders/{order_id}/receipts",
                            json={"lines": [{"line_id": line_id, "quantity": 6}]})
    order = done.json()
    assert order["status"] == "delivered"
    assert [e["kind"] for e in order["events"]] == ["placed", "confirmed", "shipment 1", "shipment 2", "receipt",
                                                    "delivered"]
    assert [s["tracking_number"] for s in order["shipments"]] == ["JD0001", ""]
    group = (await buyer.get("/api/v1/orders", params={"po_number": "PO-L"})).json()["items"][0]
    assert group["status"] == "delivered"


async def test_cancelling_before_and_after_confirmation(world, api, shop):
    buyer = await api(world.purchaser)
    vendor = await api(world.vendor_admin)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 5})
    placed = (await check_out(buyer, "PO-X1")).json()["orders"][0]["id"]
    cancelled = await buyer.post(f"/api/v1/orders/{placed}/cancel", json={"reason": "Ordered twice"})
    assert cancelled.json()["status"] == "cancelled"
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["a_gloves"]).first())["stock"] == 100
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 5})
    order = (await check_out(buyer, "PO-X2")).json()["orders"][0]["id"]
    await vendor.post(f"/api/v1/orders/{order}/confirm", json={"expected_ship_date": "2099-01-01"})
    asked = await buyer.post(f"/api/v1/orders/{order}/cancel", json={})
    assert asked.json()["status"] == "cancellation_requested"
    wrong_side = await buyer.post(f"/api/v1/orders/{order}/cancellation", json={"answer": "accept"})
    assert wrong_side.status_code == 409
    refused = await vendor.post(f"/api/v1/orders/{order}/cancellation", json={"answer": "refuse", "note": "Packed"})
    assert refused.json()["status"] == "confirmed"


async def test_orders_stay_within_their_tenancy(world, api, shop):
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 1})
    order = (await check_out(buyer, "PO-T")).json()["orders"][0]["id"]
    missing = await buyer.get("/api/v1/orders/999999")
    for email in (world.other_buyer_admin, shop["rival_sales"]):
        client = await api(email)
        answer = await client.get(f"/api/v1/orders/{order}")
        assert (answer.status_code, answer.json()) == (missing.status_code, missing.json())
        assert missing.json() == {"detail": "No such order."} and missing.status_code == 404
        assert (await client.get("/api/v1/orders")).json()["total"] == 0
    # a colleague purchaser sees only its own orders; the admin sees the company's; the operator all
    colleague = await api(await make_user(world.buyer.id, "purchaser"))
    assert (await colleague.get(f"/api/v1/orders/{order}")).status_code == 404
    assert (await (await api(world.buyer_admin)).get(f"/api/v1/orders/{order}")).status_code == 200
    operator = await api(world.operator)
    assert (await operator.get(f"/api/v1/orders/{order}")).status_code == 200
    assert (await operator.post(f"/api/v1/orders/{order}/cancel", json={})).status_code == 403
