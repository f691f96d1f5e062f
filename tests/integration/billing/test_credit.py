"""Payment terms and credit limits through the API: the operator sets them, the checkout records the terms on each
order and refuses an order on account past the limit (saying by how much), lets a company allowed to exceed through
(audited), and blocks orders on account while an invoice is long overdue."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from app.billing.credit import exposure_of
from app.billing.tables import BillingAudit, Invoice
from app.clock import utcnow
from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.orders import check_out


@pytest.fixture
async def gloves(world):
    """Gloves at 10.00 net (11.90 gross) from the world's vendor, and the buyer's delivery address."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    return await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)


async def test_the_operator_sets_terms_and_each_order_records_those_in_force(world, api, gloves):
    operator = await api(world.operator)
    # given net 60 for the company and net 14 with the world's vendor
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms", json={"terms": "net_60"})
    assert response.status_code == 200, response.text
    assert response.json()["terms"] == "net_60"
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms",
                                  json={"terms": 14, "vendor_id": world.vendor.id})
    assert response.json()["vendors"][0]["terms"] == "net_14"
    # when the purchaser orders from that vendor
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 2})
    assert (await check_out(buyer, "PO-T1")).status_code == 201
    # then the order carries the relationship's terms; without them, the company's apply
    assert (await PurchaseOrder.select(PurchaseOrder.payment_terms_days).first())["payment_terms_days"] == 14
    await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms",
                       json={"terms": None, "vendor_id": world.vendor.id})
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 1})
    assert (await check_out(buyer, "PO-T2")).status_code == 201
    days = [row["payment_terms_days"] for row in
            await PurchaseOrder.select(PurchaseOrder.payment_terms_days).order_by(PurchaseOrder.id)]
    assert days == [14, 60]
    # and every change is audited with before and after
    entries = await BillingAudit.select().where(BillingAudit.kind == "payment_terms").order_by(BillingAudit.id)
    assert [(json.loads(e["before"]) if e["before"] else None) for e in entries] == [
        None, None, {"terms": "net_14", "vendor_id": world.vendor.id}]
    assert entries[-1]["after"] == ""


@pytest.mark.parametrize("body", [{"terms": "net_400"}, {"terms": "soon"}, {"terms": None}, {"terms": -3},
                                  {"terms": 30, "vendor_id": 999999}])
async def test_terms_that_make_no_sense_are_refused_with_what_to_give(world, api, body):
    operator = await api(world.operator)
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms", json=body)
    assert response.status_code == 400, response.text
    assert "terms" in response.json()["detail"] or "vendor" in response.json()["detail"]


async def test_only_operators_set_terms_and_credit_and_only_admins_read_credit(world, api):
    for email in (world.buyer_admin, world.vendor_admin, world.purchaser):
        client = await api(email)
        assert (await client.put(f"/api/v1/companies/{world.buyer.id}/payment-terms",
                                 json={"terms": "prepaid"})).status_code == 403
        assert (await client.put(f"/api/v1/companies/{world.buyer.id}/credit",
                                 json={"currency": "EUR", "limit": "1"})).status_code == 403
    assert (await (await api(world.buyer_admin)).get(f"/api/v1/companies/{world.buyer.id}/credit")).status_code == 200
    assert (await (await api(world.purchaser)).get(f"/api/v1/companies/{world.buyer.id}/credit")).status_code == 403
    other = await api(world.other_buyer_admin)
    assert (await other.get(f"/api/v1/companies/{world.buyer.id}/credit")).status_code == 404
    assert (await other.get("/api/v1/companies/999999/credit")).status_code == 404
    operator = await api(world.operator)
    assert (await operator.put(f"/api/v1/companies/{world.vendor.id}/credit",
                               json={"currency": "EUR", "limit": "5"})).status_code == 400
    for bad in ({"currency": "XXX", "limit": "5"}, {"currency": "EUR", "limit": "-1"},
                {"currency": "EUR", "limit": "0.00001"}):
        assert (await operator.put(f"/api/v1/companies/{world.buyer.id}/credit", json=bad)).status_code == 400


async def test_an_order_past_the_limit_is_refused_with_the_limit_the_exposure_and_the_amount_over(world, api, gloves):
    operator = await api(world.operator)
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                                  json={"currency": "EUR", "limit": "100.00"})
    assert response.status_code == 200, response.text
    buyer = await api(world.purchaser)
    # given 59.50 already ordered (5 x 11.90 gross)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 5})
    assert (await check_out(buyer, "PO-1")).status_code == 201
    # when 4 more (47.60) would make 107.10
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 4})
    response = await check_out(buyer, "PO-2")
    # then refused, by 7.10, and nothing was written
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "100.00 EUR" in detail and "59.50 EUR" in detail and "7.10 EUR over" in detail, detail
    assert await PurchaseOrder.count() == 1
    credit = (await (await api(world.buyer_admin)).get(f"/api/v1/companies/{world.buyer.id}/credit")).json()
    assert (credit["limit"], credit["exposure"], credit["available"]) == ("100.0000", "59.5000", "40.5000")
    # and once the operator lets the company exceed, the order passes and the audit says so
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                       json={"currency": "EUR", "limit": "100.00", "may_exceed": True})
    assert (await check_out(buyer, "PO-2")).status_code == 201
    kinds = [row["kind"] for row in await BillingAudit.select(BillingAudit.kind).order_by(BillingAudit.id)]
    assert kinds == ["credit_limit", "credit_limit", "credit_exceeded"]


async def test_prepaid_orders_use_no_credit_and_a_zero_limit_means_prepaid_only(world, api, gloves):
    operator = await api(world.operator)
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit", json={"currency": "EUR", "limit": "0"})
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 1})
    response = await check_out(buyer, "PO-1")
    assert response.status_code == 409 and "prepaid only" in response.json()["detail"]
    await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms", json={"terms": "prepaid"})
    assert (await check_out(buyer, "PO-1")).status_code == 201


async def test_an_invoice_long_overdue_blocks_orders_on_account_until_paid(world, api, gloves):
    # given an invoice 20 days past due (the setting blocks beyond 14)
    due = utcnow().date() - timedelta(days=20)
    await Invoice.insert(Invoice(number="INV-9", vendor=world.vendor.id, buyer=world.buyer.id, status="overdue",
                                 currency="EUR", net=100_0000, tax=19_0000, gross=119_0000, paid=0, terms_days=30,
                                 issued_on=due - timedelta(days=30), due_on=due))
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": 1})
    response = await check_out(buyer, "PO-1")
    assert response.status_code == 409 and "INV-9 overdue by 20 days" in response.json()["detail"]
    credit = (await (await api(world.operator)).get(f"/api/v1/companies/{world.buyer.id}/credit")).json()
    assert [(i["number"], i["days_overdue"]) for i in credit["overdue_invoices"]] == [("INV-9", 20)]
    # when it is paid, the buyer can order again
    await Invoice.update({Invoice.paid: 119_0000, Invoice.status: "paid"}).where(Invoice.number == "INV-9")
    assert (await check_out(buyer, "PO-1")).status_code == 201


async def test_exposure_counts_live_orders_not_yet_invoiced_and_drops_when_one_is_cancelled(world, api, gloves):
    buyer = await api(world.purchaser)
    for number, quantity in ((1, 2), (2, 3)):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves, "quantity": quantity})
        assert (await check_out(buyer, f"PO-{number}")).status_code == 201
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("59.50")
    assert (await exposure_of(world.buyer.id, "USD")).total == 0  # other currencies are not mixed in
    first = (await PurchaseOrder.select(PurchaseOrder.id).order_by(PurchaseOrder.id).first())["id"]
    response = await buyer.post(f"/api/v1/orders/{first}/cancel", json={"reason": "Twice"})
    assert response.status_code == 200, response.text
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("35.70")
