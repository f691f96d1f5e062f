"""Which approvals an order needs, and what a budget or a user's limit leaves: the pure rules, no I/O.

`required_approvals` is the one rule evaluation: the order's facts and the company's rules, budgets and the buyer
user's limits in, the approvals it needs (in levels) or the reason it is refused out. Amounts are net of tax: B2B
buyers recover the tax, their budgets count what the goods cost.

Currencies (an order of several vendors may be in several; its amount in a currency is the sum of its vendor orders
in that currency):
- a rule's threshold and a user's per-order limit look at the order's whole total converted into their currency
  (`OrderFacts.totals`, at the exchange rate in force on the order's day, whose label the approval's reason keeps);
- a budget and a per-month limit add orders up over a period, and keep them per currency, unconverted: an order's
  amount in a currency no budget of its cost center is in cannot count in them, so a hard budget refuses it (the
  buyer admin adds a budget in that currency) and a soft one asks an approver; a per-month limit in another currency
  asks an approver too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.money import format_money

# A step the rules of the company did not write: the approvers' role that answers for budgets and limits.
APPROVER_ROLE = "approver"
LIMIT_LEVEL = 1


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def period_start(period: Period, day: date) -> date:
    """The first day of the month, quarter or year that `day` falls in."""
    if period is Period.MONTH:
        return day.replace(day=1)
    if period is Period.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def period_end(period: Period, start: date) -> date:
    """The first day after the period that begins on `start`."""
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the rules look at in one checkout."""

    amounts: Mapping[str, Decimal]  # net per currency
    category_ids: frozenset[int]
    vendor_ids: frozenset[int]
    cost_center_id: int | None
    requester_roles: frozenset[str]
    # The order's whole net converted into a currency a rule or limit names, and the rates used ("1 USD = 0.9213
    # EUR, 2026-11-30"), for the currencies the order is not (only) in; the others are read from `amounts`.
    totals: Mapping[str, Decimal] = field(default_factory=dict)
    rates: Mapping[str, str] = field(default_factory=dict)

    def total_in(self, currency: str) -> Decimal:
        """The order's whole net in `currency`: converted when the order has amounts in other currencies."""
        return self.totals.get(currency, self.amounts.get(currency, Decimal(0)))

    def converted_words(self, currency: str) -> str:
        """What an approval's reason adds when the total in `currency` was converted, else nothing:
        ` (108.0000 EUR at 1 USD = 0.9000 EUR, 2026-11-30)`."""
        if currency not in self.rates:
            return ""
        return f" ({format_money(self.total_in(currency), currency)} at {self.rates[currency]})"


@dataclass(frozen=True, slots=True)
class Rule:
    """An approval rule: every condition given must hold; it then asks one approval of its approvers."""

    id: int
    name: str
    level: int
    min_total: Decimal | None = None
    currency: str | None = None
    category_id: int | None = None
    vendor_id: int | None = None
    cost_center_id: int | None = None
    requester_role: str | None = None
    approver_user_ids: frozenset[int] = frozenset()
    approver_role: str | None = None


@dataclass(frozen=True, slots=True)
class BudgetLeft:
    """A budget of the order's cost center for the order's period, and what it already holds."""

    id: int
    currency: str
    amount: Decimal
    used: Decimal  # reserved + spent, this order not included
    hard: bool
    label: str = ""  # how a refusal names it: "the monthly budget from 2026-12-01"


@dataclass(frozen=True, slots=True)
class UserLimits:
    """The buyer user's own limits (None: no limit) and what it ordered this month, in `currency`."""

    currency: str
    per_order: Decimal | None
    per_month: Decimal | None
    ordered_this_month: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Approval:
    """One approval the order needs: any one of the named users or of the role's users gives it."""

    level: int
    reason: str
    rule_id: int | None = None
    approver_user_ids: frozenset[int] = frozenset()
    approver_role: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    approvals: tuple[Approval, ...] = ()
    refusal: str | None = None  # a hard budget would be exceeded: the checkout is refused with this
    over_budget: tuple[int, ...] = field(default=())
    # Currencies of the order that no budget of its cost center is in, while a hard one is in another: refused.
    unbudgeted: tuple[str, ...] = ()


def rule_matches(rule: Rule, facts: OrderFacts) -> bool:
    """Every condition the rule gives holds for the order (a rule without conditions matches every order)."""
    if rule.min_total is not None and (rule.currency is None or facts.total_in(rule.currency) < rule.min_total):
        return False
    if rule.category_id is not None and rule.category_id not in facts.category_ids:
        return False
    if rule.vendor_id is not None and rule.vendor_id not in facts.vendor_ids:
        return False
    if rule.cost_center_id is not None and rule.cost_center_id != facts.cost_center_id:
        return False
    return rule.requester_role is None or rule.requester_role in facts.requester_roles


def required_approvals(facts: OrderFacts, rules: Iterable[Rule], budgets: Sequence[BudgetLeft] = (),
                       limits: UserLimits | None = None) -> Decision:
    """The approvals the order needs, lowest level first, or the refusal a hard budget makes.

    - each matching rule asks one approval at its level;
    - a soft budget the order would take past its amount asks one of the `approver` role (level 1);
    - a hard budget it would take past its amount refuses the checkout (`refusal` says by how much);
    - an order above the buyer user's per-order limit, or taking its month past its per-month limit, asks one of the
      `approver` role (level 1).
    """
    over_hard = []
    approvals = [
        Approval(rule.level, f"rule “{rule.name}”" + (facts.converted_words(rule.currency) if rule.currency and
                                                       rule.min_total is not None else ""),
                 rule.id, rule.approver_user_ids, rule.approver_role)
        for rule in rules if rule_matches(rule, facts)
    ]
    over = []
    budgeted = {budget.currency for budget in budgets}
    unbudgeted = tuple(sorted(c for c, amount in facts.amounts.items() if amount and budgets and c not in budgeted))
    if unbudgeted and any(budget.hard for budget in budgets):
        return Decision(unbudgeted=unbudgeted)
    for currency in unbudgeted:
        approvals.append(Approval(LIMIT_LEVEL, f"{format_money(facts.amounts[currency], currency)} outside the cost "
                                               f"center's budgets (in {', '.join(sorted(budgeted))})",
                                  approver_role=APPROVER_ROLE))
    for budget in budgets:
        amount = facts.amounts.get(budget.currency, Decimal(0))
        if amount and budget.used + amount > budget.amount:
            over.append(budget.id)
            excess = budget.used + amount - budget.amount
            if budget.hard:
                over_hard.append(f"{budget.label or 'a budget'}: this order of {format_money(amount, budget.currency)} "
                                 f"would exceed it by {format_money(excess, budget.currency)} "
                                 f"({format_money(budget.amount - budget.used, budget.currency)} left of "
                                 f"{format_money(budget.amount, budget.currency)})")
            else:
                approvals.append(Approval(LIMIT_LEVEL, f"over {budget.label or 'budget'} by "
                                                       f"{format_money(excess, budget.currency)}",
                                          approver_role=APPROVER_ROLE))
    if over_hard:
        return Decision(refusal="; ".join(over_hard), over_budget=tuple(over))
    if limits is not None:
        amount = facts.amounts.get(limits.currency, Decimal(0))
        if limits.per_order is not None and facts.total_in(limits.currency) > limits.per_order:
            approvals.append(Approval(LIMIT_LEVEL, "above the per-order limit of "
                                                   f"{format_money(limits.per_order, limits.currency)}"
                                                   + facts.converted_words(limits.currency),
                                      approver_role=APPROVER_ROLE))
        if limits.per_month is not None and amount and limits.ordered_this_month + amount > limits.per_month:
            approvals.append(Approval(LIMIT_LEVEL, "past the per-month limit of "
                                                   f"{format_money(limits.per_month, limits.currency)}",
                                      approver_role=APPROVER_ROLE))
        elsewhere = sorted(c for c, value in facts.amounts.items() if value and c != limits.currency)
        if limits.per_month is not None and elsewhere:
            approvals.append(Approval(LIMIT_LEVEL, f"in {', '.join(elsewhere)}: the per-month limit of "
                                                   f"{format_money(limits.per_month, limits.currency)} counts "
                                                   f"{limits.currency} "
                                                   "orders only", approver_role=APPROVER_ROLE))
    approvals.sort(key=lambda approval: (approval.level, approval.rule_id is None, approval.rule_id or 0,
                                         approval.reason))
    return Decision(approvals=tuple(approvals), over_budget=tuple(over))


def may_approve(*, approver_id: int, approver_roles: frozenset[str], requester_id: int | None, step: Approval,
                amounts: Mapping[str, Decimal], approval_limit: tuple[str, Decimal] | None) -> str | None:
    """None if this user may give this approval, else why not (nobody approves their own order; an approver's own
    limit, if set, caps the orders it may approve: the order's amount in the limit's currency)."""
    if requester_id is not None and approver_id == requester_id:
        return "Nobody approves their own order."
    if approver_id not in step.approver_user_ids and (step.approver_role is None
                                                      or step.approver_role not in approver_roles):
        return "This approval is not yours to give."
    if approval_limit is not None:
        currency, limit = approval_limit
        if amounts.get(currency, Decimal(0)) > limit:
            return f"This order is above your approval limit of {format_money(limit, currency)}."
    return None
