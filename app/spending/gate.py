"""Checkout's spending step, inside the checkout's transaction: which cost center the order is charged to, whether a
hard budget refuses it, and which approvals it needs; then the charge and the approval request are written.

Everything is judged for the buyer user the order is FOR (`buyer_user_id`), never for whoever places it, so an
order placed on a buyer's behalf meets exactly the buyer's cost centers, limits, budgets and rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from app import db
from app.accounts.tables import MemberRole
from app.errors import Conflict, FieldErrors
from app.money import from_minor
from app.settings import get_settings
from app.spending import approvals, store
from app.spending.rules import Approval, BudgetLeft, OrderFacts, Period, Rule, UserLimits, required_approvals
from app.spending.tables import ApprovalRequest, ApprovalRule, ApprovalStep, OrderCharge, UserLimit

_LIMITS = 'SELECT currency, per_order, per_month FROM user_spending_limit WHERE "user" = {}'


@dataclass(frozen=True, slots=True)
class OrderSpend:
    """What checkout knows of the order it is about to write."""

    company_id: int
    buyer_user_id: int
    cost_center_id: int | None  # as asked (None: the user's only one, if it has exactly one)
    amounts: Mapping[str, Decimal]  # net per currency
    category_ids: frozenset[int]
    vendor_ids: frozenset[int]
    day: date


@dataclass(frozen=True, slots=True)
class Gate:
    """The outcome of the spending step: the cost center charged and the approvals the order waits for."""

    cost_center_id: int | None
    approvals: tuple[Approval, ...]

    @property
    def needs_approval(self) -> bool:
        return bool(self.approvals)


class BudgetExceeded(Conflict):
    """A hard budget of the order's cost center would be exceeded (409, saying by how much)."""


async def check(order: OrderSpend) -> Gate:
    """Choose the cost center, lock its budgets for the order's day, and evaluate the rules; a hard budget that the
    order would exceed refuses it (409). Call inside the checkout's transaction, before its orders are written."""
    cost_center_id = await _cost_center(order)
    budgets: list[BudgetLeft] = []
    if cost_center_id is not None:
        for row in await store.budgets_on(cost_center_id, order.day, lock=True):
            held = await store.held(cost_center_id, Period(row["period"]), row["starts_on"], row["currency"])
            budgets.append(BudgetLeft(row["id"], row["currency"], from_minor(row["amount"]),  # type: ignore[arg-type]
                                      held.reserved + held.spent, bool(row["hard"])))
    roles = frozenset(row["role"] for row in await MemberRole.select(MemberRole.role).where(
        MemberRole.membership.user == order.buyer_user_id))
    facts = OrderFacts(amounts=order.amounts, category_ids=order.category_ids, vendor_ids=order.vendor_ids,
                       cost_center_id=cost_center_id, requester_roles=roles)
    decision = required_approvals(facts, await rules_of(order.company_id), budgets, await _limits(order))
    if decision.refusal is not None:
        raise BudgetExceeded(f"This order would exceed a hard budget of its cost center: {decision.refusal}. "
                             "Order less, or ask your admin to raise the budget.")
    return Gate(cost_center_id, decision.approvals)


async def record(gate: Gate, order: OrderSpend, group_id: int, now: datetime) -> None:
    """Charge the written order group to its user and cost center and, if it needs approvals, open its request."""
    await OrderCharge.insert(OrderCharge(group=group_id, company=order.company_id, user=order.buyer_user_id,
                                         cost_center=gate.cost_center_id, counts_on=order.day))
    if not gate.needs_approval:
        return
    days = get_settings().approval_expiry_days
    inserted = await ApprovalRequest.insert(ApprovalRequest(
        group=group_id, company=order.company_id, requester=order.buyer_user_id, status="pending",
        submitted_at=now, expires_at=now + timedelta(days=days),
    )).returning(ApprovalRequest.id)
    request_id = inserted[0]["id"]
    await ApprovalStep.insert(*[
        ApprovalStep(request=request_id, position=position, level=approval.level, reason=approval.reason[:300],
                     rule=approval.rule_id, approver_role=approval.approver_role,
                     approver_user_ids=sorted(approval.approver_user_ids), status="pending")
        for position, approval in enumerate(gate.approvals, start=1)
    ])
    request = await approvals.request_of(group_id)
    if request is not None:  # the first level's approvers hear of it (the next level's when it opens)
        number = f"O-{group_id}"
        await approvals.tell_approvers(request, None, f"Order {number} waits for your approval",
                                       f"Order {number} waits for your approval: "
                                       + "; ".join(a.reason for a in gate.approvals) + ". Open your approvals:")


async def rules_of(company_id: int) -> list[Rule]:
    rows = await ApprovalRule.select().where(ApprovalRule.company == company_id).output(load_json=True)
    return [rule_of(row) for row in rows]


def rule_of(row: Mapping[str, object]) -> Rule:
    return Rule(
        id=row["id"], name=row["name"], level=row["level"],  # type: ignore[arg-type]
        min_total=from_minor(row["min_total"]), currency=row["currency"],  # type: ignore[arg-type]
        category_id=row["category"], vendor_id=row["vendor"], cost_center_id=row["cost_center"],  # type: ignore[arg-type]
        requester_role=row["requester_role"], approver_role=row["approver_role"],  # type: ignore[arg-type]
        approver_user_ids=frozenset(row["approver_user_ids"] or ()),  # type: ignore[arg-type]
    )


async def _cost_center(order: OrderSpend) -> int | None:
    mine = await store.user_cost_centers(order.buyer_user_id, order.company_id)
    ids = [row["id"] for row in mine]
    if order.cost_center_id is not None:
        if order.cost_center_id not in ids:
            raise FieldErrors("cost_center_id: not one of the buyer's cost centers.", {
                "cost_center_id": "Cost center: choose one of " + _codes(mine) if mine else
                "Cost center: the buyer has none; leave it empty."})
        return order.cost_center_id
    if len(ids) > 1:
        raise FieldErrors("cost_center_id: choose the cost center to charge.", {
            "cost_center_id": "Cost center: choose one of " + _codes(mine)})
    return ids[0] if ids else None  # type: ignore[return-value]


def _codes(rows: list[dict[str, object]]) -> str:
    return ", ".join(f"{row['code']} ({row['id']})" for row in rows) + "."


async def _limits(order: OrderSpend) -> UserLimits | None:
    # Locked (PostgreSQL; SQLite's immediate transaction holds the write lock): two orders of one user at once see
    # each other's month, so neither slips past the per-month limit without its approval.
    rows = await UserLimit.raw(_LIMITS + ("" if db.is_sqlite() else " FOR UPDATE"), order.buyer_user_id)
    row = rows[0] if rows else None
    if row is None or (row["per_order"] is None and row["per_month"] is None):
        return None
    month = await store.month_ordered(order.buyer_user_id, order.day, row["currency"])
    return UserLimits(row["currency"], from_minor(row["per_order"]), from_minor(row["per_month"]), month)
