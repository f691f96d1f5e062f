"""Tables of buyer spending controls: cost centers and their users, budgets, users' limits, approval rules, the
approvals an order waits for, and the audit of every change and decision.

What a budget holds is not stored: it is read from the orders charged to its cost center (`order_charge` joined to
the purchase orders' amounts and statuses), under the budget row's lock, so no counter can drift from the orders.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Category
from app.money import money_column
from app.orders.tables import OrderGroup
from app.rfq.tables import Rfq
from app.spending.rules import Period


class CostCenter(Table, tablename="cost_center"):
    """A buyer company's cost center; (company, code) is unique by an index of the migration."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=30, null=False)
    name = Varchar(length=120, null=False)
    active = Boolean(default=True)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s %s", columns=[cls.code, cls.name])


class CostCenterMember(Table, tablename="cost_center_member"):
    """A user who may order on the cost center; (cost_center, user) is unique."""

    cost_center = ForeignKey(CostCenter, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)


class Budget(Table, tablename="budget"):
    """An amount a cost center may spend in one period; (cost_center, period, starts_on, currency) is unique."""

    cost_center = ForeignKey(CostCenter, null=False, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=10, choices=Period, null=False)
    starts_on = Date(null=False, help_text="First day of the month, quarter or year")
    currency = Varchar(length=3, null=False)
    amount = money_column(null=False)
    hard = Boolean(default=True, help_text="Hard: an order that would exceed it is refused; soft: it needs approval")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class UserLimit(Table, tablename="user_spending_limit"):
    """One buyer user's limits, in one currency (empty: no limit)."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(BaseUser, null=False, unique=True, on_delete=OnDelete.cascade)
    currency = Varchar(length=3, null=False)
    per_order = money_column(null=True, default=None)
    per_month = money_column(null=True, default=None)
    approval_limit = money_column(null=True, default=None, help_text="The most this user may approve")
    updated_at = Timestamptz()


class ApprovalRule(Table, tablename="approval_rule"):
    """A rule of a buyer company: when an order matches every condition given, one of its approvers must approve."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120, null=False)
    level = Integer(null=False, default=1)
    min_total = money_column(null=True, default=None)
    currency = Varchar(length=3, null=True, default=None)
    category = ForeignKey(Category, null=True, on_delete=OnDelete.restrict)
    vendor = ForeignKey(Company, null=True, on_delete=OnDelete.restrict)
    cost_center = ForeignKey(CostCenter, null=True, on_delete=OnDelete.restrict)
    requester_role = Varchar(length=30, null=True, default=None)
    approver_role = Varchar(length=30, null=True, default=None)
    approver_user_ids = JSON(default=[], help_text="The users who may approve, beside the approver role")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OrderCharge(Table, tablename="order_charge"):
    """Whom and what an order group is charged to: the buyer user it is for, its cost center, the day it counts on."""

    group = ForeignKey(OrderGroup, null=False, unique=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    cost_center = ForeignKey(CostCenter, null=True, on_delete=OnDelete.restrict, index=True)
    counts_on = Date(null=False, help_text="The day of checkout: the budget period it falls in")


class RfqCostCenter(Table, tablename="rfq_cost_center"):
    """The cost center an RFQ buys for (one of its buyer company's, checked by app/rfq/cost_centers.py); an RFQ
    without one has no row. Its awards' savings group by it (app/analytics/facts.py)."""

    rfq = ForeignKey(Rfq, null=False, unique=True, on_delete=OnDelete.cascade)
    cost_center = ForeignKey(CostCenter, null=False, on_delete=OnDelete.restrict, index=True)


class ApprovalRequest(Table, tablename="approval_request"):
    """An order group waiting for approvals; its steps are the approvals it needs."""

    group = ForeignKey(OrderGroup, null=False, unique=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    requester = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    status = Varchar(length=20, null=False, default="pending", index=True,
                     help_text="pending, approved, rejected, withdrawn, expired")
    submitted_at = Timestamptz()
    reminded_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=False)
    decided_at = Timestamptz(null=True, default=None)


class ApprovalStep(Table, tablename="approval_step"):
    """One approval a request needs (levels in order), and the decision on it."""

    request = ForeignKey(ApprovalRequest, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    level = Integer(null=False)
    reason = Varchar(length=300, null=False)
    rule = ForeignKey(ApprovalRule, null=True, on_delete=OnDelete.set_null)
    approver_role = Varchar(length=30, null=True, default=None)
    approver_user_ids = JSON(default=[])
    status = Varchar(length=20, null=False, default="pending", help_text="pending, approved, rejected")
    decided_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    comment = Text(default="")


class SpendingAudit(Table, tablename="spending_audit"):
    """Who changed a rule, budget or limit, or decided an approval, when, and the values before and after.
    Written by the services only; the back office shows it read-only."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    kind = Varchar(length=40, null=False, help_text="rule.created, budget.changed, approval.approved, …")
    subject = Varchar(length=40, null=False, help_text="approval_rule, budget, user_limit, approval_request")
    subject_id = Integer(null=False)
    before = JSON(default={})
    after = JSON(default={})
    at = Timestamptz(index=True)


__all__ = [
    "ApprovalRequest", "ApprovalRule", "ApprovalStep", "Budget", "CostCenter", "CostCenterMember", "OrderCharge",
    "RfqCostCenter", "SpendingAudit", "UserLimit",
]
