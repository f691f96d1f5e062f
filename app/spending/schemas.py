"""What the spending API takes and returns (money as decimal strings, ISO 4217 currencies, ISO dates)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.spending.rules import Period

Amount = Annotated[Decimal, msgspec.Meta(description="A decimal amount, 0 or more, up to 4 decimal places",
                                         examples=["10000.00"])]
Currency = Annotated[str, msgspec.Meta(min_length=3, max_length=3, examples=["EUR"])]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
RoleName = Annotated[str, msgspec.Meta(max_length=30, examples=["approver", "buyer_admin", "purchaser"])]


class CostCenterIn(msgspec.Struct, forbid_unknown_fields=True):
    """A cost center of your company, and the users who may order on it."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=30, examples=["CC-100"])]
    name: Name
    user_ids: Annotated[list[Id], msgspec.Meta(max_length=1000)] = []


class CostCenterOut(msgspec.Struct):
    id: int
    code: str
    name: str
    active: bool
    user_ids: list[int]


class BudgetIn(msgspec.Struct, forbid_unknown_fields=True):
    """An amount a cost center may spend in one period; `starts_on` may be any day of it (its first day is kept)."""

    cost_center_id: Id
    period: Period
    starts_on: date
    currency: Currency
    amount: Amount
    hard: Annotated[bool, msgspec.Meta(description="true: an order over it is refused; false: it needs approval")]


class BudgetPatch(msgspec.Struct, forbid_unknown_fields=True):
    amount: Amount | msgspec.UnsetType = msgspec.UNSET
    hard: bool | msgspec.UnsetType = msgspec.UNSET


class BudgetOut(msgspec.Struct):
    """A budget with what its period's orders hold: reserved (waiting for approval), spent, and what is left."""

    id: int
    cost_center_id: int
    cost_center: str
    period: Period
    starts_on: date
    ends_before: date
    currency: str
    amount: Decimal
    hard: bool
    reserved: Decimal
    spent: Decimal
    left: Decimal


class ApprovalRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    """An approval rule: every condition given must hold; then one of its approvers (the named users or any user of
    the role) must approve. Levels are approved in order: level 1 first."""

    name: Name
    level: Annotated[int, msgspec.Meta(ge=1, le=9)] = 1
    min_total: Amount | None = None
    currency: Currency | None = None
    category_id: Id | None = None
    vendor_id: Id | None = None
    cost_center_id: Id | None = None
    requester_role: RoleName | None = None
    approver_role: RoleName | None = None
    approver_user_ids: Annotated[list[Id], msgspec.Meta(max_length=100)] = []


class ApprovalRulePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    level: Annotated[int, msgspec.Meta(ge=1, le=9)] | msgspec.UnsetType = msgspec.UNSET
    min_total: Amount | msgspec.UnsetType | None = msgspec.UNSET
    currency: Currency | msgspec.UnsetType | None = msgspec.UNSET
    category_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    vendor_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    cost_center_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    requester_role: RoleName | msgspec.UnsetType | None = msgspec.UNSET
    approver_role: RoleName | msgspec.UnsetType | None = msgspec.UNSET
    approver_user_ids: Annotated[list[Id], msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET


class ApprovalRuleOut(msgspec.Struct):
    id: int
    name: str
    level: int
    min_total: Decimal | None
    currency: str | None
    category_id: int | None
    vendor_id: int | None
    cost_center_id: int | None
    requester_role: str | None
    approver_role: str | None
    approver_user_ids: list[int]
    updated_at: datetime


class UserLimitIn(msgspec.Struct, forbid_unknown_fields=True):
    """A buyer user's limits in one currency (empty: none): above per_order, or past per_month in a calendar month,
    its orders need an approver; approval_limit caps the orders it may approve."""

    currency: Currency
    per_order: Amount | None = None
    per_month: Amount | None = None
    approval_limit: Amount | None = None


class UserLimitOut(msgspec.Struct):
    user_id: int
    currency: str
    per_order: Decimal | None
    per_month: Decimal | None
    approval_limit: Decimal | None
