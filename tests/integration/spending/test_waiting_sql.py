""""Waiting for my approval" is one rule written twice: in Python (`step_for` / `may_approve`, which every decision
runs) and in SQL (`approvals.waiting_condition`, which the inbox grid and `waiting_for` page with). On random requests
(statuses, levels, steps naming users and roles, requesters and placers, orders in two currencies, approval limits in
either, a rate or none) both give every user of the company the same answer, on both backends."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from app.auth import Principal, load_principal
from app.clock import utcnow
from app.errors import Conflict, Forbidden
from app.exchange_rates.conversion import rate_to_stored
from app.exchange_rates.tables import ExchangeRate
from app.grids import GridState
from app.orders import approval_grid, approvals
from app.orders.tables import OrderGroup, PurchaseOrder
from app.spending import approvals as requests
from app.spending.tables import ApprovalRequest, ApprovalStep, UserLimit
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import make_user
from tests.support.orders import check_out
from tests.support.parties import user_id

GROUPS = 5
ROUNDS = 30
ROLES = ("approver", "buyer_admin", "purchaser", None)


async def python_says(principal: Principal, group_ids: list[int]) -> set[int]:
    """The groups `step_for` lets this user decide now (what `waiting_for` read in Python before)."""
    limit = await requests.approval_limit(principal.user_id)
    roles = frozenset(r.value for r in principal.roles)
    mine = set()
    for group_id in group_ids:
        request = await requests.request_of(group_id)
        rows = await PurchaseOrder.select(PurchaseOrder.currency, PurchaseOrder.net, PurchaseOrder.status).where(
            PurchaseOrder.group == group_id)
        placed_by = (await OrderGroup.select(OrderGroup.placed_by).where(OrderGroup.id == group_id).first())[
            "placed_by"]
        if request is None or not any(row["status"] == "pending_approval" for row in rows):
            continue
        amounts: dict[str, Decimal] = {}
        for row in rows:
            amounts[row["currency"]] = amounts.get(row["currency"], Decimal(0)) + Decimal(row["net"]) / 10_000
        try:
            rates = await requests.limit_rates(limit, amounts, utcnow().date())
            requests.step_for(request, user_id=principal.user_id, roles=roles, placed_by=placed_by,
                              amounts=requests.in_limit_currency(amounts, limit, rates), limit=limit)
        except (Forbidden, Conflict):
            continue
        mine.add(group_id)
    return mine


async def sql_says(principal: Principal) -> tuple[set[int], set[int]]:
    """The groups `waiting_for` answers, and those the inbox grid shows as "waiting for my approval"."""
    listed = {item.order_id for item in await approvals.waiting_for(principal)}
    page = await approval_grid.approval_grid(principal, (await approval_grid.approval_spec_for(principal)).read({}))
    shown = {row.order_id for row in page.items}
    assert all(row.may_decide for row in page.items)
    groups = {row["id"]: row["group"] for row in await PurchaseOrder.select(PurchaseOrder.id, PurchaseOrder.group)}
    return {groups[i] for i in listed}, {groups[i] for i in shown}


async def test_waiting_for_me_in_sql_agrees_with_the_python_rule_on_random_requests(world, api):
    # given five real order groups of the buyer, and five users of it with different roles
    await an_address(world.buyer.id, "delivery", is_default=True)
    gloves = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=1000)
    buyer = await api(world.purchaser)
    for n in range(GROUPS):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 1})
        assert (await check_out(buyer, f"PO-R{n}")).status_code == 201
    group_ids = [row["id"] for row in await OrderGroup.select(OrderGroup.id).order_by(OrderGroup.id)]
    emails = [world.buyer_admin, world.purchaser, world.approver, await make_user(world.buyer.id, "approver"),
              await make_user(world.buyer.id, "buyer_admin")]
    principals = [await load_principal(await user_id(email)) for email in emails]
    users = [p.user_id for p in principals]  # type: ignore[union-attr]
    draw = random.Random(14)
    now = utcnow()
    answers = []
    for _ in range(ROUNDS):
        # given random requests, steps, orders, limits and rates
        await ApprovalStep.delete(force=True)
        await ApprovalRequest.delete(force=True)
        await UserLimit.delete(force=True)
        await ExchangeRate.delete(force=True)
        if draw.random() < 0.6:
            await ExchangeRate.insert(ExchangeRate(base="USD", quote="EUR", rate=rate_to_stored(Decimal("0.9")),
                                                   valid_on=now.date() - timedelta(days=1), source="test",
                                                   created_at=now))
        for group_id in group_ids:
            await OrderGroup.update({OrderGroup.placed_by: draw.choice(users)}).where(OrderGroup.id == group_id)
            await PurchaseOrder.update({
                PurchaseOrder.currency: draw.choice(("EUR", "EUR", "USD")),
                PurchaseOrder.net: draw.choice((0, 50_0000, 100_0000, 200_0000)),
                PurchaseOrder.status: draw.choice(("pending_approval", "pending_approval", "placed")),
            }).where(PurchaseOrder.group == group_id)
            if draw.random() < 0.15:
                continue  # no request at all
            request_id = (await ApprovalRequest.insert(ApprovalRequest(
                group=group_id, company=world.buyer.id, requester=draw.choice([*users, None]),
                status=draw.choice(("pending", "pending", "pending", "approved", "rejected")), submitted_at=now,
                expires_at=now + timedelta(days=14))).returning(ApprovalRequest.id))[0]["id"]
            await ApprovalStep.insert(*[ApprovalStep(
                request=request_id, position=position, level=draw.randint(1, 3), reason="random",
                approver_role=draw.choice(ROLES), approver_user_ids=draw.sample(users, draw.randint(0, 2)),
                status=draw.choice(("pending", "pending", "approved", "rejected"))) for position in range(
                    1, draw.randint(2, 5))])
        for user in users:
            if draw.random() < 0.5:
                await UserLimit.insert(UserLimit(company=world.buyer.id, user=user,
                                                 currency=draw.choice(("EUR", "USD")),
                                                 approval_limit=draw.choice((90_0000, 100_0000, 150_0000, 300_0000)),
                                                 updated_at=now))
        # then every user hears the same answer from the SQL as from the Python rule
        for principal in principals:
            expected = await python_says(principal, group_ids)  # type: ignore[arg-type]
            listed, shown = await sql_says(principal)  # type: ignore[arg-type]
            assert listed == expected and shown == expected, (principal.user_id, expected, listed, shown)  # type: ignore[union-attr]
            answers.append(len(expected))
    # and the random data asked both questions: many users had requests waiting for them, many had none
    assert sum(1 for n in answers if n) > ROUNDS and sum(1 for n in answers if not n) > ROUNDS


def test_grid_state_reads_mine_by_default() -> None:
    spec = approval_grid.approval_spec([])
    assert isinstance(spec.read({}), GridState) and spec.read({}).filter("show") == approval_grid.MINE
