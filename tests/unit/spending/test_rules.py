"""The one approval-rule evaluation, budget and limit arithmetic, and who may approve: pure, with properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.spending.rules import (
    APPROVER_ROLE,
    Approval,
    BudgetLeft,
    OrderFacts,
    Period,
    Rule,
    UserLimits,
    may_approve,
    period_end,
    period_start,
    required_approvals,
    rule_matches,
)

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def facts(eur: str | Decimal = "0", **kwargs: object) -> OrderFacts:
    base: dict[str, object] = {"amounts": {"EUR": Decimal(eur)}, "category_ids": frozenset({7}),
                               "vendor_ids": frozenset({3}), "cost_center_id": 5,
                               "requester_roles": frozenset({"purchaser"})}
    base.update(kwargs)
    return OrderFacts(**base)  # type: ignore[arg-type]


TEN_K = Rule(1, "10k", 1, Decimal(10_000), "EUR", approver_role="approver")
FIFTY_K = Rule(2, "50k", 2, Decimal(50_000), "EUR", approver_role="buyer_admin")


def test_the_demo_levels_ask_one_then_two_approvals() -> None:
    assert required_approvals(facts("9999.99"), [TEN_K, FIFTY_K]).approvals == ()
    assert [a.rule_id for a in required_approvals(facts("10000"), [FIFTY_K, TEN_K]).approvals] == [1]
    assert [a.rule_id for a in required_approvals(facts("50000"), [FIFTY_K, TEN_K]).approvals] == [1, 2]


def test_an_amount_in_another_currency_does_not_match_unless_converted() -> None:
    assert not rule_matches(TEN_K, facts(amounts={"USD": Decimal(99_999)}))
    # the gate converts the order's total into the rule's currency; the approval's reason keeps the rate used
    converted = facts(amounts={"USD": Decimal(12_000)}, totals={"EUR": Decimal(10_800)},
                      rates={"EUR": "1 USD = 0.9000 EUR, 2026-11-30"})
    assert rule_matches(TEN_K, converted)
    [approval] = required_approvals(converted, [TEN_K]).approvals
    assert approval.reason == "rule “10k” (10,800.00 EUR at 1 USD = 0.9000 EUR, 2026-11-30)"


@given(eur=amounts, converted=amounts, threshold=amounts)
def test_a_threshold_reads_the_whole_converted_total(eur: Decimal, converted: Decimal, threshold: Decimal) -> None:
    # an order of EUR and USD lines: the rule in EUR looks at the EUR part plus the USD part converted
    rule = Rule(9, "t", 1, threshold, "EUR", approver_role="approver")
    both = facts(amounts={"EUR": eur, "USD": Decimal(1)}, totals={"EUR": eur + converted}, rates={"EUR": "r"})
    assert rule_matches(rule, both) == (eur + converted >= threshold)


def test_each_condition_must_hold() -> None:
    rule = Rule(9, "tools from vendor 3", 1, category_id=7, vendor_id=3, cost_center_id=5, requester_role="purchaser")
    assert rule_matches(rule, facts())
    assert not rule_matches(rule, facts(category_ids=frozenset({8})))
    assert not rule_matches(rule, facts(vendor_ids=frozenset({4})))
    assert not rule_matches(rule, facts(cost_center_id=None))
    assert not rule_matches(rule, facts(requester_roles=frozenset({"buyer_admin"})))


@given(total=amounts, threshold=amounts)
def test_a_threshold_matches_exactly_at_or_above(total: Decimal, threshold: Decimal) -> None:
    rule = Rule(1, "t", 1, threshold, "EUR", approver_role="approver")
    assert rule_matches(rule, facts(total)) == (total >= threshold)


@given(total=amounts, rules=st.lists(st.tuples(amounts, st.integers(1, 4)), max_size=6))
def test_approvals_are_the_matching_rules_in_level_order(total: Decimal, rules: list[tuple[Decimal, int]]) -> None:
    written = [Rule(i, f"r{i}", level, threshold, "EUR", approver_role="approver")
               for i, (threshold, level) in enumerate(rules)]
    got = required_approvals(facts(total), written).approvals
    assert {a.rule_id for a in got} == {r.id for r in written if total >= r.min_total}  # type: ignore[operator]
    assert [a.level for a in got] == sorted(a.level for a in got)


@given(used=amounts, order=amounts, budget=amounts)
def test_a_hard_budget_refuses_exactly_when_exceeded(used: Decimal, order: Decimal, budget: Decimal) -> None:
    decision = required_approvals(facts(order), [], [BudgetLeft(1, "EUR", budget, used, hard=True)])
    exceeded = order > 0 and used + order > budget
    assert (decision.refusal is not None) == exceeded
    assert decision.approvals == () or not exceeded


@given(used=amounts, order=amounts, budget=amounts)
def test_a_soft_budget_asks_an_approver_instead(used: Decimal, order: Decimal, budget: Decimal) -> None:
    decision = required_approvals(facts(order), [], [BudgetLeft(1, "EUR", budget, used, hard=False)])
    assert decision.refusal is None
    assert bool(decision.approvals) == (order > 0 and used + order > budget)
    assert all(a.approver_role == APPROVER_ROLE for a in decision.approvals)


def test_an_amount_no_budget_is_in_is_refused_by_a_hard_budget_and_asks_an_approver_under_a_soft_one() -> None:
    # budgets add orders up in their own currency: an EUR order cannot count in a USD budget
    hard = required_approvals(facts("100"), [], [BudgetLeft(1, "USD", Decimal(1), Decimal(1), hard=True)])
    assert hard.refusal is None and hard.unbudgeted == ("EUR",) and hard.approvals == ()
    soft = required_approvals(facts("100"), [], [BudgetLeft(1, "USD", Decimal(1), Decimal(1), hard=False)])
    assert soft.unbudgeted == () and [a.reason for a in soft.approvals] == [
        "100.00 EUR outside the cost center's budgets (in USD)"]
    # a budget in the order's currency beside it is the one that counts; the other is untouched
    both = required_approvals(facts("100"), [], [BudgetLeft(1, "USD", Decimal(1), Decimal(1), hard=True),
                                                 BudgetLeft(2, "EUR", Decimal(500), Decimal(0), hard=True)])
    assert both.unbudgeted == () and both.refusal is None and both.approvals == ()


def test_a_per_month_limit_in_another_currency_asks_an_approver() -> None:
    limits = UserLimits("EUR", None, Decimal(1000), Decimal(0))
    reasons = [a.reason for a in required_approvals(facts(amounts={"USD": Decimal(5)}), [], limits=limits).approvals]
    assert reasons == ["in USD: the per-month limit of 1,000.00 EUR counts EUR orders only"]


def test_a_refusal_says_by_how_much() -> None:
    budget = BudgetLeft(4, "EUR", Decimal(1000), Decimal(800), hard=True, label="the monthly budget from 2026-12-01")
    decision = required_approvals(facts("300"), [], [budget])
    assert decision.refusal == ("the monthly budget from 2026-12-01: this order of 300.00 EUR would exceed it by "
                                "100.00 EUR (200.00 EUR left of 1,000.00 EUR)")


@given(order=amounts, per_order=amounts, month=amounts, per_month=amounts)
def test_user_limits_ask_for_approval(order: Decimal, per_order: Decimal, month: Decimal, per_month: Decimal) -> None:
    limits = UserLimits("EUR", per_order, per_month, month)
    reasons = [a.reason for a in required_approvals(facts(order), [], limits=limits).approvals]
    assert any("per-order" in r for r in reasons) == (order > per_order)
    assert any("per-month" in r for r in reasons) == (order > 0 and month + order > per_month)


def test_nobody_approves_their_own_order() -> None:
    step = Approval(1, "r", approver_role="approver")
    assert may_approve(approver_id=4, approver_roles=frozenset({"approver"}), requester_id=4, step=step,
                       amounts={}, approval_limit=None) == "Nobody approves their own order."
    assert may_approve(approver_id=5, approver_roles=frozenset({"approver"}), requester_id=4, step=step,
                       amounts={}, approval_limit=None) is None
    assert may_approve(approver_id=5, approver_roles=frozenset({"purchaser"}), requester_id=4, step=step,
                       amounts={}, approval_limit=None) is not None
    assert may_approve(approver_id=5, approver_roles=frozenset(), requester_id=4,
                       step=Approval(1, "r", approver_user_ids=frozenset({5})), amounts={}, approval_limit=None) is None


@given(order=amounts, limit=amounts)
def test_an_approvers_limit_caps_what_it_approves(order: Decimal, limit: Decimal) -> None:
    step = Approval(1, "r", approver_role="approver")
    why = may_approve(approver_id=5, approver_roles=frozenset({"approver"}), requester_id=4, step=step,
                      amounts={"EUR": order}, approval_limit=("EUR", limit))
    assert (why is None) == (order <= limit)


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), period=st.sampled_from(Period))
def test_periods_tile_the_calendar(day: date, period: Period) -> None:
    start = period_start(period, day)
    end = period_end(period, start)
    assert start <= day < end
    assert period_start(period, end) == end
    assert start.day == 1 and (period is not Period.YEAR or start.month == 1)
