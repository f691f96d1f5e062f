"""Approval rules, cost centers and budgets through the API: an order matching a rule waits for its approvals and
its vendor knows nothing of it until the last one; refusals, withdrawals and expiry cancel it and give back what it
took; nobody approves their own order; levels in order; hard budgets refuse, soft ones ask; the sweep reminds and
expires once; two approvers at once place an order once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.auth import load_principal
from app.catalog.tables import Listing
from app.clock import utcnow
from app.contracts.tables import ContractLine, ContractPrice
from app.errors import Conflict, DomainError
from app.notifications.tables import OutboxEmail
from app.orders import approvals
from app.orders.approval_schemas import ApprovalDecisionIn
from app.orders.tables import OrderGroup, PurchaseOrder
from app.spending.tables import ApprovalRequest, SpendingAudit
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import make_user
from tests.support.orders import check_out
from tests.support.parties import user_id


@pytest.fixture
async def shop(world, api):
    """The vendor's gloves at 10.00 (100 in stock), the buyer's address, and a rule: ≥ 100 EUR needs an approver."""
    gloves = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    await an_address(world.buyer.id, "delivery", is_default=True)
    admin = await api(world.buyer_admin)
    rule = await admin.post("/api/v1/approval-rules", json={
        "name": "100 EUR", "level": 1, "min_total": "100", "currency": "EUR", "approver_role": "approver"})
    assert rule.status_code == 201, rule.text
    return {"listing": await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100), "admin": admin,
            "rule": rule.json()}


async def order(client, listing: int, quantity: int, po: str, **body):  # type: ignore[no-untyped-def]
    await client.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": quantity})
    return await check_out(client, po, **body)


async def vendor_subjects() -> list[str]:
    return [row["subject"] for row in await OutboxEmail.select(OutboxEmail.subject)
            if row["subject"].startswith("New purchase order")]


async def test_an_order_matching_a_rule_waits_unseen_by_its_vendor_until_approved(world, api, shop):
    buyer = await api(world.purchaser)
    vendor = await api(world.vendor_admin)
    # when the purchaser orders 10 gloves (100 EUR)
    response = await order(buyer, shop["listing"], 10, "PO-A1")
    # then the order waits for approval, its stock is held, and the vendor neither hears nor sees anything of it
    assert response.status_code == 201, response.text
    group = response.json()
    order_id = group["orders"][0]["id"]
    assert group["status"] == "pending_approval" and group["orders"][0]["status"] == "pending_approval"
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["listing"]).first())["stock"] == 90
    assert await vendor_subjects() == []
    told = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.subject)
    assert {row["to_address"] for row in told if "waits for your approval" in row["subject"]} == {world.approver}
    assert (await vendor.get("/api/v1/orders")).json()["total"] == 0
    assert (await vendor.get(f"/api/v1/orders/{order_id}")).status_code == 404
    assert (await vendor.post(f"/api/v1/orders/{order_id}/confirm",
                              json={"expected_ship_date": str(utcnow().date())})).status_code == 404
    # and the purchaser cannot approve it, the approver finds it in its inbox
    assert (await buyer.post(f"/api/v1/orders/{order_id}/approve", json={})).status_code == 403
    approver = await api(world.approver)
    inbox = (await approver.get("/api/v1/approvals")).json()
    assert [item["order_id"] for item in inbox] == [order_id] and inbox[0]["net"] == {"EUR": "100.0000"}
    assert (await buyer.get("/api/v1/approvals")).json() == []
    # when the approver approves
    approved = await approver.post(f"/api/v1/orders/{order_id}/approve", json={"comment": "fine"})
    # then the order is placed, the vendor is told and sees it, and the decision is audited
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "placed"
    assert len(await vendor_subjects()) == 1
    assert (await vendor.get("/api/v1/orders")).json()["total"] == 1
    assert await SpendingAudit.count().where(SpendingAudit.kind == "approval.approved") == 1
    assert (await approver.get("/api/v1/approvals")).json() == []
    # and a second approval finds it over
    assert (await approver.post(f"/api/v1/orders/{order_id}/approve", json={})).status_code == 409


async def test_levels_are_given_in_order_and_an_approvers_limit_holds(world, api, shop):
    admin = shop["admin"]
    assert (await admin.post("/api/v1/approval-rules", json={
        "name": "500 EUR", "level": 2, "min_total": "500", "currency": "EUR",
        "approver_role": "buyer_admin"})).status_code == 201
    approver = await api(world.approver)
    assert (await admin.put(f"/api/v1/spending-limits/{await user_id(world.approver)}", json={
        "currency": "EUR", "approval_limit": "400"})).status_code == 200
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 50, "PO-L1")).json()["orders"][0]["id"]
    # the admin cannot give level 2 before level 1, and the approver's limit (400) is below the order's 500
    assert (await admin.post(f"/api/v1/orders/{order_id}/approve", json={})).status_code == 403
    refused = await approver.post(f"/api/v1/orders/{order_id}/approve", json={})
    assert refused.status_code == 403 and "approval limit" in refused.json()["detail"]
    # with a higher limit the approver gives level 1, the order still waits; the admin gives level 2: placed
    await admin.put(f"/api/v1/spending-limits/{await user_id(world.approver)}", json={"currency": "EUR"})
    first = await approver.post(f"/api/v1/orders/{order_id}/approve", json={})
    assert first.status_code == 200 and first.json()["status"] == "pending_approval"
    second = await admin.post(f"/api/v1/orders/{order_id}/approve", json={})
    assert second.status_code == 200 and second.json()["status"] == "placed"
    assert await SpendingAudit.count().where(SpendingAudit.kind == "user_limit.changed") == 2


async def test_nobody_approves_their_own_order(world, api, shop):
    admin = shop["admin"]
    order_id = (await order(admin, shop["listing"], 10, "PO-O1")).json()["orders"][0]["id"]
    own = await admin.post(f"/api/v1/orders/{order_id}/approve", json={})
    assert own.status_code == 403 and own.json()["detail"] == "Nobody approves their own order."


async def test_a_refusal_needs_a_comment_and_cancels_the_order_giving_its_stock_back(world, api, shop):
    buyer = await api(world.purchaser)
    approver = await api(world.approver)
    order_id = (await order(buyer, shop["listing"], 10, "PO-R1")).json()["orders"][0]["id"]
    assert (await approver.post(f"/api/v1/orders/{order_id}/reject-approval", json={})).status_code == 400
    refused = await approver.post(f"/api/v1/orders/{order_id}/reject-approval", json={"comment": "Too many"})
    assert refused.status_code == 200 and refused.json()["status"] == "cancelled"
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["listing"]).first())["stock"] == 100
    assert await vendor_subjects() == []
    assert (await ApprovalRequest.select(ApprovalRequest.status).first())["status"] == "rejected"


async def test_the_requester_withdraws_and_the_generic_cancel_is_pointed_there(world, api, shop):
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 10, "PO-W1")).json()["orders"][0]["id"]
    cancel = await buyer.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "no"})
    assert cancel.status_code == 409 and "withdraw" in cancel.json()["detail"]
    approver = await api(world.approver)
    assert (await approver.post(f"/api/v1/orders/{order_id}/withdraw", json={})).status_code == 403
    withdrawn = await buyer.post(f"/api/v1/orders/{order_id}/withdraw", json={"comment": "changed my mind"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"
    assert (await approver.post(f"/api/v1/orders/{order_id}/approve", json={})).status_code == 409
    assert await vendor_subjects() == []


async def test_another_company_hears_404(world, api, shop):
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 10, "PO-T1")).json()["orders"][0]["id"]
    stranger = await api(world.other_buyer_admin)
    for path in ("approve", "reject-approval", "withdraw"):
        assert (await stranger.post(f"/api/v1/orders/{order_id}/{path}", json={"comment": "x"})).status_code == 404
    assert (await stranger.get("/api/v1/approvals")).json() == []
    assert (await stranger.get("/api/v1/approval-rules")).json() == []


async def test_cost_centers_are_defaulted_required_and_budgets_hold(world, api, shop):
    admin = shop["admin"]
    purchaser_id = await user_id(world.purchaser)
    await admin.delete(f"/api/v1/approval-rules/{shop['rule']['id']}")
    first = (await admin.post("/api/v1/cost-centers", json={"code": "CC-1", "name": "Plant",
                                                             "user_ids": [purchaser_id]})).json()
    assert (await admin.post("/api/v1/cost-centers", json={"code": "CC-1", "name": "Again"})).status_code == 409
    budget = await admin.post("/api/v1/budgets", json={
        "cost_center_id": first["id"], "period": "month", "starts_on": str(utcnow().date()), "currency": "EUR",
        "amount": "150", "hard": True})
    assert budget.status_code == 201, budget.text
    buyer = await api(world.purchaser)
    # the only cost center is the default: 100 fits, then 60 more would exceed 150 by 10
    placed = await order(buyer, shop["listing"], 10, "PO-B1")
    assert placed.status_code == 201 and placed.json()["status"] == "placed"
    over = await order(buyer, shop["listing"], 6, "PO-B2")
    assert over.status_code == 409 and "by 10" in over.json()["detail"]
    figures = (await admin.get("/api/v1/budgets")).json()[0]
    assert (figures["spent"], figures["reserved"], figures["left"]) == ("100.0000", "0.0000", "50.0000")
    # with two cost centers the buyer must choose, and only its own
    second = (await admin.post("/api/v1/cost-centers", json={"code": "CC-2", "name": "Lab",
                                                              "user_ids": [purchaser_id]})).json()
    unchosen = await check_out(buyer, "PO-B3")
    assert unchosen.status_code == 400 and "cost_center_id" in unchosen.json()["detail"]
    assert (await check_out(buyer, "PO-B3", cost_center_id=second["id"])).status_code == 201
    # a soft budget asks for approval instead; cancelling an order gives its amount back
    await admin.patch(f"/api/v1/budgets/{budget.json()['id']}", json={"hard": False})
    await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["listing"], "quantity": 6})
    soft = await check_out(buyer, "PO-B4", cost_center_id=first["id"])
    assert soft.status_code == 201 and soft.json()["status"] == "pending_approval"
    figures = (await admin.get("/api/v1/budgets")).json()[0]
    assert (figures["spent"], figures["reserved"]) == ("100.0000", "60.0000")
    await buyer.post(f"/api/v1/orders/{soft.json()['orders'][0]['id']}/withdraw", json={})
    await buyer.post(f"/api/v1/orders/{placed.json()['orders'][0]['id']}/cancel", json={"reason": "no"})
    figures = (await admin.get("/api/v1/budgets")).json()[0]
    assert (figures["spent"], figures["reserved"], figures["left"]) == ("0.0000", "0.0000", "150.0000")
    assert await SpendingAudit.count().where(SpendingAudit.kind == "budget.changed") == 1


async def test_every_budget_of_the_cost_center_holds_at_checkout(world, api, shop):
    # given one cost center with a roomy monthly budget and a tight yearly one, both hard
    admin = shop["admin"]
    await admin.delete(f"/api/v1/approval-rules/{shop['rule']['id']}")
    center = (await admin.post("/api/v1/cost-centers", json={
        "code": "CC-9", "name": "Plant", "user_ids": [await user_id(world.purchaser)]})).json()
    today = utcnow().date()
    for period, starts_on, amount in (("month", today.replace(day=1), "1000"), ("year", today.replace(month=1, day=1),
                                                                                "150")):
        made = await admin.post("/api/v1/budgets", json={
            "cost_center_id": center["id"], "period": period, "starts_on": str(starts_on), "currency": "EUR",
            "amount": amount, "hard": True})
        assert made.status_code == 201, made.text
    buyer = await api(world.purchaser)
    # when 100 EUR is ordered, then 60 more
    placed = await order(buyer, shop["listing"], 10, "PO-Y1")
    over = await order(buyer, shop["listing"], 6, "PO-Y2")
    # then the first fits both; the second fits the month but not the year, which refuses it by what it is over
    assert placed.status_code == 201 and placed.json()["status"] == "placed"
    assert over.status_code == 409 and "by 10" in over.json()["detail"]
    figures = {row["period"]: (row["spent"], row["left"]) for row in (await admin.get("/api/v1/budgets")).json()}
    assert figures == {"month": ("100.0000", "900.0000"), "year": ("100.0000", "50.0000")}


async def test_a_purchaser_cannot_write_the_controls(world, api, shop):
    buyer = await api(world.purchaser)
    assert (await buyer.post("/api/v1/cost-centers", json={"code": "X", "name": "X"})).status_code == 403
    assert (await buyer.post("/api/v1/approval-rules", json={"name": "x", "approver_role": "approver"})
            ).status_code == 403
    assert (await buyer.delete(f"/api/v1/approval-rules/{shop['rule']['id']}")).status_code == 403
    bad = await shop["admin"].post("/api/v1/approval-rules", json={"name": "x", "min_total": "5"})
    assert bad.status_code == 400


async def test_the_sweep_reminds_once_and_expires_once(world, api, shop):
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 10, "PO-S1")).json()["orders"][0]["id"]
    later = utcnow() + timedelta(days=3)
    assert await approvals.sweep(later) == (1, 0)
    assert await approvals.sweep(later) == (0, 0)
    assert any(s.startswith("Reminder") for s in [r["subject"] for r in await OutboxEmail.select(OutboxEmail.subject)])
    much_later = utcnow() + timedelta(days=15)
    assert await approvals.sweep(much_later) == (0, 1)
    assert await approvals.sweep(much_later) == (0, 0)
    assert (await PurchaseOrder.select(PurchaseOrder.status).where(PurchaseOrder.id == order_id).first()
            )["status"] == "cancelled"
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["listing"]).first())["stock"] == 100


async def test_two_approvers_giving_the_last_approval_at_once_place_the_order_once(world, api, shop):
    second_approver = await make_user(world.buyer.id, "approver")
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 10, "PO-X1")).json()["orders"][0]["id"]
    one, two = [await load_principal(await user_id(email)) for email in (world.approver, second_approver)]
    results = await asyncio.gather(approvals.approve(one, order_id, ApprovalDecisionIn()),  # type: ignore[arg-type]
                                   approvals.approve(two, order_id, ApprovalDecisionIn()),  # type: ignore[arg-type]
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "OrderOut"], results
    assert len(await vendor_subjects()) == 1
    assert (await OrderGroup.select(OrderGroup.status).first())["status"] == "placed"


async def test_an_approval_racing_a_withdrawal_ends_one_way(world, api, shop):
    buyer = await api(world.purchaser)
    order_id = (await order(buyer, shop["listing"], 10, "PO-X2")).json()["orders"][0]["id"]
    approver, requester = [await load_principal(await user_id(e)) for e in (world.approver, world.purchaser)]
    results = await asyncio.gather(approvals.approve(approver, order_id, ApprovalDecisionIn()),  # type: ignore[arg-type]
                                   approvals.withdraw(requester, order_id, ApprovalDecisionIn()),  # type: ignore[arg-type]
                                   return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 1 and isinstance(failed[0], Conflict | DomainError), results
    status = (await PurchaseOrder.select(PurchaseOrder.status).where(PurchaseOrder.id == order_id).first())["status"]
    assert status in ("placed", "cancelled")
    assert len(await vendor_subjects()) == (1 if status == "placed" else 0)


def test_the_sweeper_runs_the_approval_sweep() -> None:
    from app.orders import tasks  # lazy: importing an actor module needs the broker the fixtures set
    from app.worker import load_actors, periodic_actors  # lazy: as above

    load_actors()
    assert tasks.sweep_approvals in list(periodic_actors())


async def test_the_approvers_dashboard_counts_the_order_and_the_purchasers_does_not(world, api, shop):
    buyer = await api(world.purchaser)
    await order(buyer, shop["listing"], 10, "PO-D1")
    approver = await api(world.approver)
    kinds = [task["kind"] for task in (await approver.get("/api/v1/me/tasks")).json()["items"]]
    assert kinds.count("order_to_approve") == 1
    assert "order_to_approve" not in [t["kind"] for t in (await buyer.get("/api/v1/me/tasks")).json()["items"]]


async def test_a_waiting_order_on_a_contract_holds_its_price_and_tells_the_vendor_nothing(world, api, shop):
    # given a contract of 10 gloves at 8.00 awarded to the vendor
    gloves = (await Listing.select(Listing.product).where(Listing.id == shop["listing"]).first())["product"]
    rfq_id, (line_id,) = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 10, gloves)])
    offer_id = await offer(api, world.vendor_admin, rfq_id, {line_id: "12.00"})
    assert (await award(api, world.buyer_admin, rfq_id, {line_id: offer_id})).status_code == 200
    contract_line = await ContractLine.select(ContractLine.id, ContractLine.listing).first()
    if contract_line["listing"] is None:
        await ContractLine.update({ContractLine.listing: shop["listing"]}).where(
            ContractLine.id == contract_line["id"])
        await ContractPrice.update({ContractPrice.listing: shop["listing"]}).where(
            ContractPrice.contract_line == contract_line["id"])
    before = {row["subject"] for row in await OutboxEmail.select(OutboxEmail.subject)}
    # when the purchaser orders all 10 at the contract price (120 EUR: the rule holds it for approval)
    buyer = await api(world.purchaser)
    response = await order(buyer, shop["listing"], 10, "PO-K1")
    assert response.status_code == 201 and response.json()["status"] == "pending_approval", response.text
    # then the contract's 100 % mark reaches the buyer's side only, and the price stands at approval
    marks = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.subject)
    reached = {row["to_address"] for row in marks if "% of a line" in row["subject"]
               and row["subject"] not in before}
    assert reached and world.vendor_admin not in reached
    approver = await api(world.approver)
    placed = await approver.post(f"/api/v1/orders/{response.json()['orders'][0]['id']}/approve", json={})
    assert placed.json()["lines"][0]["unit_price"] == "12.0000" and placed.json()["status"] == "placed"


async def test_taking_an_order_back_to_edit_it_resets_its_approvals(world, api, shop):
    buyer = await api(world.purchaser)
    approver = await api(world.approver)
    admin = shop["admin"]
    assert (await admin.post("/api/v1/approval-rules", json={
        "name": "500 EUR", "level": 2, "min_total": "500", "currency": "EUR",
        "approver_role": "buyer_admin"})).status_code == 201
    first = (await order(buyer, shop["listing"], 50, "PO-E1")).json()["orders"][0]["id"]
    assert (await approver.post(f"/api/v1/orders/{first}/approve", json={})).status_code == 200
    # when the purchaser takes it back after the first level's approval: withdrawn, its 50 back in stock and cart
    edited = await buyer.post(f"/api/v1/orders/{first}/edit", json={})
    assert edited.status_code == 200 and edited.json()["added"] == 1, edited.text
    assert (await Listing.select(Listing.stock).where(Listing.id == shop["listing"]).first())["stock"] == 100
    # and orders 60 instead: the rules run again, and both levels wait, the approver's earlier one not kept
    await buyer.patch(f"/api/v1/cart/lines/{(await buyer.get('/api/v1/cart')).json()['lines'][0]['id']}",
                      json={"quantity": 60})
    again = await check_out(buyer, "PO-E2")
    assert again.status_code == 201 and again.json()["status"] == "pending_approval", again.text
    inbox = (await approver.get("/api/v1/approvals")).json()
    assert [[s["status"] for s in item["steps"]] for item in inbox] == [["pending", "pending"]]
