"""Races on both backends between the last approvals of pending orders and new checkouts, all against one company's
credit limit (#14): the approvals re-check the credit with the credit row locked, the checkouts check it with the same
row locked, so together they never take the company past its limit; every refusal is the 409 that says the limit,
the exposure and the amount over; a refused approval leaves its order waiting exactly as it was."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.auth import Principal, load_principal
from app.billing.credit import CreditRefused, exposure_of
from app.billing.tables import CreditLimit
from app.errors import Conflict
from app.notifications.tables import OutboxEmail
from app.orders import approvals, cart
from app.orders.approval_schemas import ApprovalDecisionIn
from app.orders.order_schemas import OrderOut
from app.orders.schemas import CartLineIn
from app.orders.tables import PurchaseOrder
from app.spending.tables import ApprovalRequest, ApprovalStep, SpendingAudit
from tests.integration.orders.test_checkout_races import check_out_as_seen
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import make_user
from tests.support.orders import check_out
from tests.support.parties import user_id

PENDING = 6  # orders of 10 x 10.00 net (119.00 gross) waiting for their one approval
CHECKOUTS = 40  # purchasers with one 10.00 net (11.90 gross) item each: under the rule, no approval needed


@pytest.fixture
async def waiting(world, api):
    """A rule (>= 100 EUR waits for an approver), a credit limit of 1,000.00 EUR, PENDING orders waiting for their
    last approval (714.00 EUR held), and CHECKOUTS purchasers with one item in their carts."""
    gloves = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=10_000)
    await an_address(world.buyer.id, "delivery", is_default=True)
    admin = await api(world.buyer_admin)
    rule = await admin.post("/api/v1/approval-rules", json={
        "name": "100 EUR", "level": 1, "min_total": "100", "currency": "EUR", "approver_role": "approver"})
    assert rule.status_code == 201, rule.text
    await CreditLimit.insert(CreditLimit(company=world.buyer.id, currency="EUR", amount=1000_0000))
    buyer = await api(world.purchaser)
    pending = []
    for n in range(PENDING):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 10})
        placed = await check_out(buyer, f"PO-W{n}")
        assert placed.status_code == 201 and placed.json()["status"] == "pending_approval", placed.text
        pending.append(placed.json()["orders"][0]["id"])
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("714.00")
    emails = await asyncio.gather(*[make_user(world.buyer.id, "purchaser") for _ in range(CHECKOUTS)])
    purchasers = [await load_principal(await user_id(email)) for email in emails]
    for principal in purchasers:
        await cart.add_line(principal, CartLineIn(quantity=1, listing_id=listing))  # type: ignore[union-attr,arg-type]
    approver = await load_principal(await user_id(world.approver))
    return {"pending": pending, "purchasers": purchasers, "approver": approver}


def approve(approver: Principal, order_id: int):  # type: ignore[no-untyped-def]
    return approvals.approve(approver, order_id, ApprovalDecisionIn(comment="fine"))  # type: ignore[arg-type]


def checkouts(purchasers: list[Principal]) -> list:  # type: ignore[type-arg]
    return [check_out_as_seen(p, 1000 + i) for i, p in enumerate(purchasers)]


async def statuses(order_ids: list[int]) -> dict[int, str]:
    rows = await PurchaseOrder.select(PurchaseOrder.id, PurchaseOrder.status)
    return {row["id"]: row["status"] for row in rows if row["id"] in order_ids}


async def vendor_told() -> int:
    return sum(1 for row in await OutboxEmail.select(OutboxEmail.subject)
               if row["subject"].startswith("New purchase order"))


async def test_last_approvals_racing_checkouts_never_pass_the_credit_limit(world, waiting):
    # given 714.00 EUR held by the pending orders: room for 24 more checkouts of 11.90 (285.60)
    # when every pending order is approved at the same moment as forty checkouts
    results = await asyncio.gather(*[approve(waiting["approver"], o) for o in waiting["pending"]],
                                   *checkouts(waiting["purchasers"]), return_exceptions=True)
    approved, checked_out = results[:PENDING], results[PENDING:]
    # then every approval went through (the pending orders held their credit since their checkout) and is placed
    assert all(isinstance(r, OrderOut) for r in approved), approved
    assert set((await statuses(waiting["pending"])).values()) == {"placed"}
    # and exactly 24 checkouts were placed, the others refused for credit with the limit, exposure and amount over
    refused = [r for r in checked_out if isinstance(r, BaseException)]
    assert all(isinstance(r, CreditRefused) for r in refused), [r for r in refused if not isinstance(r, Conflict)][:3]
    assert len(checked_out) - len(refused) == 24
    assert all("credit limit of 1,000.00 EUR" in str(r) and "999.60 EUR is already ordered or owed" in str(r)
               and "11.50 EUR over" in str(r) for r in refused), str(refused[0])
    # and the limit held: 714.00 + 285.60; every placed vendor order was told once
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("999.60")
    assert await PurchaseOrder.count() == PENDING + 24
    assert await vendor_told() == PENDING + 24


async def test_approvals_refused_past_a_lowered_limit_leave_their_orders_waiting_while_a_rejection_frees_room(
        world, waiting):
    # given the operator lowered the limit under what the pending orders hold (714.00 > 713.99)
    await CreditLimit.update({CreditLimit.amount: 713_9900}).where(CreditLimit.company == world.buyer.id)
    rejected, *others = waiting["pending"]
    # when one pending order is rejected at the same moment as the others are approved and forty checkouts come
    results = await asyncio.gather(
        approvals.reject(waiting["approver"], rejected, ApprovalDecisionIn(comment="too many")),  # type: ignore[arg-type]
        *[approve(waiting["approver"], o) for o in others], *checkouts(waiting["purchasers"]),
        return_exceptions=True)
    rejection, approved, checked_out = results[0], results[1:PENDING], results[PENDING:]
    # then the rejection went through and gave back 119.00
    assert isinstance(rejection, OrderOut), rejection
    # and every refusal (an approval before the rejection, a checkout past the limit) is the credit 409 with figures
    refusals = [r for r in approved + checked_out if isinstance(r, BaseException)]
    assert all(isinstance(r, CreditRefused) and "713.99 EUR" in str(r) and "EUR over" in str(r) for r in refusals), \
        [r for r in refusals if not isinstance(r, CreditRefused)][:3] or refusals[:1]
    # and the limit held once the rejection freed room (595.00 + at most nine checkouts of 11.90)
    placed_checkouts = [r for r in checked_out if not isinstance(r, BaseException)]
    assert len(placed_checkouts) <= 9
    exposure = (await exposure_of(world.buyer.id, "EUR")).total
    assert exposure <= Decimal("713.99")
    assert exposure == Decimal("595.00") + Decimal("11.90") * len(placed_checkouts)
    # and nothing is half-done: an approved order is placed; a refused one still waits, its request still pending,
    # no decision of it recorded and its vendor told nothing
    now = await statuses(others)
    requests = {row["group"]: row for row in await ApprovalRequest.select(ApprovalRequest.group,
                                                                         ApprovalRequest.status)}
    groups = {row["id"]: row["group"] for row in await PurchaseOrder.select(PurchaseOrder.id, PurchaseOrder.group)}
    steps = {row["request.group"]: row["status"] for row in await ApprovalStep.select(ApprovalStep.request.group,
                                                                                       ApprovalStep.status)}
    audited = [row["kind"] for row in await SpendingAudit.select(SpendingAudit.kind)]
    for order_id, result in zip(others, approved, strict=True):
        if isinstance(result, BaseException):
            assert now[order_id] == "pending_approval"
            assert requests[groups[order_id]]["status"] == "pending" and steps[groups[order_id]] == "pending"
        else:
            assert now[order_id] == "placed"
            assert requests[groups[order_id]]["status"] == "approved" and steps[groups[order_id]] == "approved"
    placed_approvals = sum(1 for r in approved if not isinstance(r, BaseException))
    assert audited.count("approval.approved") == placed_approvals and audited.count("approval.rejected") == 1
    assert (await statuses([rejected]))[rejected] == "cancelled"
    assert await vendor_told() == placed_approvals + len(placed_checkouts)
