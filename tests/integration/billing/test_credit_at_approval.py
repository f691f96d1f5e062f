"""The last approval places an order on account: it passes the credit check again, in its own transaction with the
credit row locked. What changed since the checkout (other orders, a lowered limit, an invoice now long overdue) can
refuse it (409, with the limit, the exposure and the amount over), and the order keeps waiting; a company the operator
lets exceed passes, and the billing audit says so."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.billing.tables import BillingAudit, Invoice
from app.clock import utcnow
from app.orders.tables import PurchaseOrder
from app.spending.tables import ApprovalStep
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.orders import check_out
from tests.support.parties import user_id


@pytest.fixture
async def waiting(world, api):
    """Gloves at 10.00 net (11.90 gross), a rule (>= 100 EUR needs an approver), a credit limit of 200.00 EUR, and
    an order of 10 (119.00 gross) waiting for approval."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)
    admin = await api(world.buyer_admin)
    assert (await admin.post("/api/v1/approval-rules", json={
        "name": "100 EUR", "level": 1, "min_total": "100", "currency": "EUR",
        "approver_role": "approver"})).status_code == 201
    operator = await api(world.operator)
    assert (await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                               json={"currency": "EUR", "limit": "200.00"})).status_code == 200
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 10})
    response = await check_out(buyer, "PO-WAIT")
    assert response.status_code == 201 and response.json()["status"] == "pending_approval", response.text
    return {"order_id": response.json()["orders"][0]["id"], "listing": listing, "buyer": buyer,
            "operator": operator, "approver": await api(world.approver)}


async def status_of(order_id: int) -> str:
    return (await PurchaseOrder.select(PurchaseOrder.status).where(PurchaseOrder.id == order_id).first())["status"]


async def test_an_approval_that_would_take_exposure_past_the_limit_is_refused_and_the_order_waits(world, waiting):
    # given another order placed meanwhile (5 x 11.90 = 59.50, under the rule) and the limit lowered to 150.00
    buyer, operator, approver = waiting["buyer"], waiting["operator"], waiting["approver"]
    await buyer.post("/api/v1/cart/lines", json={"listing_id": waiting["listing"], "quantity": 5})
    placed = await check_out(buyer, "PO-OTHER")
    assert placed.status_code == 201 and placed.json()["status"] == "placed", placed.text
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit", json={"currency": "EUR", "limit": "150.00"})
    # when the approver gives the last approval
    response = await approver.post(f"/api/v1/orders/{waiting['order_id']}/approve", json={"comment": "ok"})
    # then it is refused with the checkout's 409: the limit, the exposure besides this order and the amount over
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "119.00 EUR" in detail and "150.00 EUR" in detail and "59.50 EUR" in detail, detail
    assert "28.50 EUR over" in detail, detail
    assert set(response.json()) == {"detail"}
    # and nothing of the decision stands: the order and its step still wait, no audit of an excess
    assert await status_of(waiting["order_id"]) == "pending_approval"
    assert [row["status"] for row in await ApprovalStep.select(ApprovalStep.status)] == ["pending"]
    assert await BillingAudit.count().where(BillingAudit.kind == "credit_exceeded") == 0
    # when the limit is raised back, the same approval places it
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit", json={"currency": "EUR", "limit": "200.00"})
    again = await approver.post(f"/api/v1/orders/{waiting['order_id']}/approve", json={"comment": "ok"})
    assert again.status_code == 200 and again.json()["status"] == "placed", again.text


async def test_a_company_allowed_to_exceed_passes_at_approval_and_the_audit_names_the_approver(world, waiting):
    # given the limit lowered below what the waiting order alone holds, and the operator letting the company exceed
    operator, approver = waiting["operator"], waiting["approver"]
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                       json={"currency": "EUR", "limit": "100.00", "may_exceed": True})
    # when the approver approves
    response = await approver.post(f"/api/v1/orders/{waiting['order_id']}/approve", json={})
    # then the order is placed, and the excess is in the billing audit, by the approver, with before and after
    assert response.status_code == 200 and response.json()["status"] == "placed", response.text
    entries = await BillingAudit.select().where(BillingAudit.kind == "credit_exceeded")
    assert len(entries) == 1
    assert entries[0]["actor"] == await user_id(world.approver)
    assert json.loads(entries[0]["before"]) == {"exposure": "0.00 EUR"}
    assert json.loads(entries[0]["after"]) == {"exposure": "119.00 EUR", "limit": "100.00 EUR"}


async def test_an_invoice_long_overdue_blocks_the_approval_until_it_is_paid(world, waiting):
    # given an invoice 20 days past due since the checkout (the setting blocks beyond 14)
    due = utcnow().date() - timedelta(days=20)
    await Invoice.insert(Invoice(number="INV-9", vendor=world.vendor.id, buyer=world.buyer.id, status="overdue",
                                 currency="EUR", net=10_0000, tax=1_9000, gross=11_9000, paid=0, terms_days=30,
                                 issued_on=due - timedelta(days=30), due_on=due))
    # when the approver approves, then it is refused and the order waits
    response = await waiting["approver"].post(f"/api/v1/orders/{waiting['order_id']}/approve", json={})
    assert response.status_code == 409 and "INV-9 overdue by 20 days" in response.json()["detail"], response.text
    assert await status_of(waiting["order_id"]) == "pending_approval"
    # once it is paid, the approval places the order
    await Invoice.update({Invoice.paid: 11_9000, Invoice.status: "paid"}).where(Invoice.number == "INV-9")
    response = await waiting["approver"].post(f"/api/v1/orders/{waiting['order_id']}/approve", json={})
    assert response.status_code == 200 and response.json()["status"] == "placed", response.text


async def test_a_prepaid_order_is_not_checked_at_approval(world, waiting):
    # given the company made prepaid after the checkout recorded net 30 on the order, and a zero limit: the order
    # still holds the terms in force when it was checked out, so it is on account and the zero limit refuses it
    operator, approver = waiting["operator"], waiting["approver"]
    await operator.put(f"/api/v1/companies/{world.buyer.id}/credit", json={"currency": "EUR", "limit": "0"})
    refused = await approver.post(f"/api/v1/orders/{waiting['order_id']}/approve", json={})
    assert refused.status_code == 409 and "prepaid only" in refused.json()["detail"], refused.text
    # when the order's own terms are prepaid (as a prepaid checkout records them), the approval places it
    await PurchaseOrder.update({PurchaseOrder.payment_terms_days: 0}).where(PurchaseOrder.id == waiting["order_id"])
    response = await approver.post(f"/api/v1/orders/{waiting['order_id']}/approve", json={})
    assert response.status_code == 200 and response.json()["status"] == "placed", response.text
