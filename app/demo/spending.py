"""Demo spending controls at Acme, made through the real services as its admin would: two cost centers, a hard
quarterly budget part spent and a soft monthly one, the two approval rules of the issue (≥ 10,000 EUR an approver;
≥ 50,000 EUR a buyer admin too), a purchaser's per-order limit, and an order of 11,100 EUR waiting for
approver@acme.example. Runs after the demo orders (which the rules would otherwise hold). Idempotent."""

from __future__ import annotations

from decimal import Decimal

from app.clock import utcnow
from app.demo.orders import DemoOrder, ensure_demo_order
from app.demo.rfqs import demo_principal
from app.spending import services
from app.spending.rules import Period, period_start
from app.spending.schemas import ApprovalRuleIn, BudgetIn, CostCenterIn, UserLimitIn
from app.spending.tables import ApprovalRule, Budget, CostCenter

RULES = (
    ApprovalRuleIn(name="10,000 EUR and more: an approver", level=1, min_total=Decimal(10_000), currency="EUR",
           approver_role="approver"),
    ApprovalRuleIn(name="50,000 EUR and more: a buyer admin too", level=2, min_total=Decimal(50_000), currency="EUR",
           approver_role="buyer_admin"),
)
SPENT = DemoOrder("ACME-2027-0100", "buyer@acme.example", (("IN-PEN-50", 20),), {},
                  note="Pens for the wards' stations.")
WAITING = DemoOrder("ACME-2027-0101", "buyer@acme.example", (("IN-A4-80", 3000),), {},
                    note="A year of copier paper for every ward: waits for an approver.")


async def load_demo_spending() -> None:
    admin = await demo_principal("admin@acme.example")
    buyer = await demo_principal("buyer@acme.example")
    approver = await demo_principal("approver@acme.example")
    if await CostCenter.exists().where((CostCenter.company == admin.company_id) & (CostCenter.code == "WARDS")):
        return
    wards = await services.create_cost_center(admin, CostCenterIn(
        code="WARDS", name="Wards and nursing", user_ids=[buyer.user_id, admin.user_id]))
    lab = await services.create_cost_center(admin, CostCenterIn(code="LAB", name="Laboratory",
                                                                user_ids=[admin.user_id]))
    today = utcnow().date()
    if not await Budget.exists().where(Budget.cost_center == wards.id):
        await services.create_budget(admin, BudgetIn(
            cost_center_id=wards.id, period=Period.QUARTER, starts_on=period_start(Period.QUARTER, today),
            currency="EUR", amount=Decimal(50_000), hard=True))
        await services.create_budget(admin, BudgetIn(
            cost_center_id=lab.id, period=Period.MONTH, starts_on=period_start(Period.MONTH, today),
            currency="EUR", amount=Decimal(5_000), hard=False))
    for rule in RULES:
        if not await ApprovalRule.exists().where((ApprovalRule.company == admin.company_id)
                                                 & (ApprovalRule.name == rule.name)):
            await services.create_rule(admin, rule)
    await services.set_user_limit(admin, buyer.user_id, UserLimitIn(currency="EUR", per_order=Decimal(25_000)))
    await services.set_user_limit(admin, approver.user_id, UserLimitIn(currency="EUR",
                                                                        approval_limit=Decimal(40_000)))
    await ensure_demo_order(SPENT)  # the wards' only cost center is the buyer's: charged there, placed
    await ensure_demo_order(WAITING)  # 11,100 EUR: pending approval by approver@acme.example
