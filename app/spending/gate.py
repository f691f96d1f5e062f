"""Checkout's spending step, inside the checkout's transaction: which cost center the order is charged to, whether a
hard budget refuses it, and which approvals it needs; then the charge and the approval request are written.

Everything is judged for the buyer user the order is FOR (`buyer_user_id`), never for whoever places it, so an
order placed on a buyer's behalf meets exactly the buyer's cost centers, limits, budgets and rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from app import db
from app.accounts.tables import MemberRole
from app.errors import Conflict, FieldErrors
from app.exchange_rates.conversion import convert
from app.exchange_rates.services import rates_for
from app.money import format_money, from_minor
from app.settings import get_settings
from app.spending import approvals, store
from app.spending.rules import (
    Approval,
    BudgetLeft,
    OrderFacts,
    Period,
    Rule,
    UserLimits,
    required_approvals,
    rule_matches,
)
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
    """A hard budget of the order's cost center would be exceeded (409, saying by how much), or cannot count the
    order's amount in a currency none of its budgets is in."""


class NoExchangeRate(Conflict):
    """A rule or limit in one currency must judge an order in another, and no rate between them is kept yet."""


async def check(order: OrderSpend) -> Gate:
    """Choose the cost center, lock its budgets for the order's day, and evaluate the rules; a hard budget that the
    order would exceed refuses it (409). Call inside the checkout's transaction, before its orders are written."""
    cost_center_id = await _cost_center(order)
    budgets: list[BudgetLeft] = []
    if cost_center_id is not None:
        rows = await store.budgets_on(cost_center_id, order.day, lock=True)
        held_each = await store.held_each(  # one round trip for every budget the order counts against
            [(cost_center_id, Period(row["period"]), row["starts_on"], row["currency"]) for row in rows])
        for row, held in zip(rows, held_each, strict=True):
            budgets.append(BudgetLeft(row["id"], row["currency"], from_minor(row["amount"]),  # type: ignore[arg-type]
                                      held.reserved + held.spent, bool(row["hard"]), _budget_label(row)))
    roles = frozenset(row["role"] for row in await MemberRole.select(MemberRole.role).where(
        MemberRole.membership.user == order.buyer_user_id))
    facts = OrderFacts(amounts=order.amounts, category_ids=order.category_ids, vendor_ids=order.vendor_ids,
                       cost_center_id=cost_center_id, requester_roles=roles)
    rules, limits = await rules_of(order.company_id), await _limits(order)
    facts = await _converted(facts, rules, limits, order.day)
    decision = required_approvals(facts, rules, budgets, limits)
    if decision.unbudgeted:
        held_in = sorted({budget.currency for budget in budgets})
        amounts = ", ".join(format_money(order.amounts[c], c) for c in decision.unbudgeted)
        raise BudgetExceeded(
            f"This order's {amounts} cannot count in its cost center's budgets for this period: they are in "
            f"{', '.join(held_in)}, and budgets add orders up in their own currency, unconverted. Ask your admin to "
            f"add a {' and a '.join(decision.unbudgeted)} budget for the cost center, or order from vendors that "
            f"sell in {' or '.join(held_in)}.")
    if decision.refusal is not None:
        raise BudgetExceeded(f"This order would exceed a hard budget of its cost center: {decision.refusal}. "
                             "Order less, or ask your admin to raise the budget.")
    return Gate(cost_center_id, decision.approvals)


def _budget_label(row: dict[str, object]) -> str:
    """How a refusal or an approval's reason names a budget: its period, as the budget pages show it."""
    adjective = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}[str(row["period"])]
    return f"the {adjective} budget from {row['starts_on']}"


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


async def _converted(facts: OrderFacts, rules: list[Rule], limits: UserLimits | None, day: date) -> OrderFacts:
    """The facts with the order's whole total in each currency that a rule's threshold (of a rule whose other
    conditions hold) or the per-order limit names, converted at the rate in force on the order's day; a missing rate
    refuses the checkout (409) with what to do."""
    named = {rule.currency for rule in rules if rule.min_total is not None and rule.currency
             and rule_matches(replace(rule, min_total=None), facts)}
    if limits is not None and limits.per_order is not None:
        named.add(limits.currency)
    totals: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for currency in sorted(named):
        others = sorted(c for c, amount in facts.amounts.items() if amount and c != currency)
        if not others:
            continue
        rates = await rates_for(currency, others, day)
        if missing := [c for c in others if c not in rates]:
            raise NoExchangeRate(
                f"This order is in {', '.join(missing)}, and an approval rule or spending limit of your company is "
                f"in {currency}: there is no {missing[0]} to {currency} exchange rate dated {day.isoformat()} or "
                "earlier to compare them. Ask the marketplace's operators to add one (Exchange rates), then check "
                "out again.")
        totals[currency] = facts.amounts.get(currency, Decimal(0)) + sum(
            (convert(facts.amounts[c], rates[c].rate) for c in others), Decimal(0))
        labels[currency] = "; ".join(rates[c].label() for c in others)
    return replace(facts, totals=totals, rates=labels) if totals else facts


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
