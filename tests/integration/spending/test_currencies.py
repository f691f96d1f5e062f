"""An order in one currency against rules, budgets and a credit limit in another (#14): a rule's threshold (and a
per-order limit) reads the order's total converted at the rate in force on the day, and the approval's reason keeps
the rate; without a rate the checkout is refused saying what to do. Budgets and the credit exposure add orders up
in their own currency, unconverted: an amount none of them is in is refused with a 409 that says what to do."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.clock import utcnow
from app.exchange_rates.conversion import rate_to_stored
from app.exchange_rates.tables import ExchangeRate
from app.orders.tables import PurchaseOrder
from app.spending.tables import ApprovalStep
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.orders import check_out
from tests.support.parties import user_id


@pytest.fixture
async def dollars(world, api):
    """Gloves sold in USD at 10.00 net by the world's vendor, and the buyer's address."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    return await a_listing(world.vendor.id, product, "US-GLOVE", "10.00", stock=1000, currency="USD")


async def order(client, listing: int, quantity: int, po: str, **body):  # type: ignore[no-untyped-def]
    await client.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": quantity})
    return await check_out(client, po, **body)


async def a_rate(base: str, quote: str, rate: str, days_ago: int = 1) -> None:
    await ExchangeRate.insert(ExchangeRate(base=base, quote=quote, rate=rate_to_stored(Decimal(rate)),
                                           valid_on=utcnow().date() - timedelta(days=days_ago), source="test",
                                           created_at=utcnow()))


async def test_a_rule_in_eur_judges_an_order_in_usd_at_the_rate_in_force_and_keeps_it(world, api, dollars):
    admin = await api(world.buyer_admin)
    assert (await admin.post("/api/v1/approval-rules", json={
        "name": "100 EUR", "level": 1, "min_total": "100", "currency": "EUR",
        "approver_role": "approver"})).status_code == 201
    buyer = await api(world.purchaser)
    # given no USD to EUR rate: the order cannot be compared with the rule, and the buyer is told what to do
    refused = await order(buyer, dollars, 12, "PO-U0")
    assert refused.status_code == 409, refused.text
    assert "no USD to EUR exchange rate" in refused.json()["detail"] and "Exchange rates" in refused.json()["detail"]
    assert await PurchaseOrder.count() == 0
    # given an old rate and the one in force (0.9000 since yesterday)
    await a_rate("USD", "EUR", "2.0", days_ago=30)
    await a_rate("USD", "EUR", "0.9")
    # when 120.00 USD (108.00 EUR) is ordered, it waits for approval, and the step says the rate used
    pending = await check_out(buyer, "PO-U1")
    assert pending.status_code == 201 and pending.json()["status"] == "pending_approval", pending.text
    [step] = await ApprovalStep.select(ApprovalStep.reason)
    day = (utcnow().date() - timedelta(days=1)).isoformat()
    assert step["reason"] == f"rule “100 EUR” (108.00 EUR at 1 USD = 0.9000 EUR, {day})"
    # and 100.00 USD (90.00 EUR) is under the rule: placed
    placed = await order(buyer, dollars, 10, "PO-U2")
    assert placed.status_code == 201 and placed.json()["status"] == "placed", placed.text


async def test_a_per_order_limit_in_eur_reads_a_usd_order_converted(world, api, dollars):
    admin = await api(world.buyer_admin)
    assert (await admin.put(f"/api/v1/spending-limits/{await user_id(world.purchaser)}", json={
        "currency": "EUR", "per_order": "50"})).status_code == 200
    await a_rate("USD", "EUR", "0.9")
    buyer = await api(world.purchaser)
    # 50.00 USD is 45.00 EUR: within the limit; 60.00 USD is 54.00 EUR: above it
    assert (await order(buyer, dollars, 5, "PO-L1")).json()["status"] == "placed"
    over = await order(buyer, dollars, 6, "PO-L2")
    assert over.status_code == 201 and over.json()["status"] == "pending_approval", over.text
    [step] = await ApprovalStep.select(ApprovalStep.reason)
    assert step["reason"].startswith("above the per-order limit of 50.00 EUR (54.00 EUR at 1 USD = 0.9000 EUR")


async def test_a_hard_budget_in_eur_refuses_a_usd_order_until_a_usd_budget_exists(world, api, dollars):
    admin = await api(world.buyer_admin)
    center = (await admin.post("/api/v1/cost-centers", json={
        "code": "CC-1", "name": "Plant", "user_ids": [await user_id(world.purchaser)]})).json()
    budget = {"cost_center_id": center["id"], "period": "month", "starts_on": str(utcnow().date()), "amount": "1000",
              "hard": True}
    assert (await admin.post("/api/v1/budgets", json={**budget, "currency": "EUR"})).status_code == 201
    buyer = await api(world.purchaser)
    # when the purchaser orders 30.00 USD against the cost center's EUR budget
    refused = await order(buyer, dollars, 3, "PO-B1")
    # then refused, saying why and what to do (a budget would silently miss it otherwise)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "30.00 USD" in detail and "they are in EUR" in detail and "add a USD budget" in detail, detail
    # when the admin adds a USD budget, the order counts in it
    assert (await admin.post("/api/v1/budgets", json={**budget, "currency": "USD"})).status_code == 201
    placed = await check_out(buyer, "PO-B1")
    assert placed.status_code == 201, placed.text
    figures = {row["currency"]: row for row in (await admin.get("/api/v1/budgets")).json()}
    assert (figures["USD"]["spent"], figures["EUR"]["spent"]) == ("30.0000", "0.0000")


async def test_a_credit_limit_in_eur_refuses_an_order_on_account_in_usd_saying_what_to_do(world, api, dollars):
    operator = await api(world.operator)
    assert (await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                               json={"currency": "EUR", "limit": "10000"})).status_code == 200
    await a_rate("USD", "EUR", "0.9")  # a rate does not make the exposure convertible: it is kept per currency
    buyer = await api(world.purchaser)
    refused = await order(buyer, dollars, 1, "PO-C1")
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "credit limit is in EUR" in detail and "in USD cannot count against it" in detail, detail
    assert "prepaid" in detail
    # prepaid terms with this vendor take the order off account: it passes
    await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms",
                       json={"terms": "prepaid", "vendor_id": world.vendor.id})
    assert (await check_out(buyer, "PO-C1")).status_code == 201


async def test_an_approvers_limit_in_eur_caps_an_order_in_usd_converted(world, api, dollars):
    admin = await api(world.buyer_admin)
    assert (await admin.post("/api/v1/approval-rules", json={
        "name": "any", "level": 1, "approver_role": "approver"})).status_code == 201
    assert (await admin.put(f"/api/v1/spending-limits/{await user_id(world.approver)}", json={
        "currency": "EUR", "approval_limit": "100"})).status_code == 200
    buyer, approver = await api(world.purchaser), await api(world.approver)
    big = (await order(buyer, dollars, 12, "PO-A1")).json()["orders"][0]["id"]  # 120.00 USD
    small = (await order(buyer, dollars, 10, "PO-A2")).json()["orders"][0]["id"]  # 100.00 USD
    # given no rate, the approver cannot be told the order is within its limit: 409, saying what is missing
    unknown = await approver.post(f"/api/v1/orders/{big}/approve", json={})
    assert unknown.status_code == 409 and "no USD to EUR exchange rate" in unknown.json()["detail"], unknown.text
    assert (await approver.get("/api/v1/approvals")).json() == []
    # with 0.9000: 108.00 EUR is above the 100 EUR limit, 90.00 EUR within it
    await a_rate("USD", "EUR", "0.9")
    assert [item["order_id"] for item in (await approver.get("/api/v1/approvals")).json()] == [small]
    above = await approver.post(f"/api/v1/orders/{big}/approve", json={})
    assert above.status_code == 403 and "approval limit of 100" in above.json()["detail"], above.text
    within = await approver.post(f"/api/v1/orders/{small}/approve", json={})
    assert within.status_code == 200 and within.json()["status"] == "placed", within.text
