"""What a buyer admin's spending forms offer to choose from (cost centers, categories, vendors, colleagues, roles),
loaded once per page, and the words a rule is described in: names, never database ids."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.roles import BUYER_ROLES, CompanyKind
from app.accounts.schemas import UserOut
from app.accounts.services import list_users
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.tables import Category
from app.errors import NotFound
from app.money import format_money
from app.spending.schemas import ApprovalRuleOut
from app.spending.tables import CostCenter

ROLE_NAMES = tuple(sorted(role.value for role in BUYER_ROLES))


def role_label(role: str) -> str:
    return role.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class Choices:
    """The options of the spending forms, each (id, label), in the order a reader looks for them."""

    cost_centers: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    vendors: tuple[Choice, ...]
    users: tuple[Choice, ...]
    roles: tuple[str, ...] = ROLE_NAMES

    def label(self, kind: str, item_id: int | None) -> str:
        """The name of `item_id` among this kind's choices; one since removed is said as such."""
        return next((c.label for c in getattr(self, kind) if c.id == item_id), f"(removed {kind.rstrip('s')})")

    def conditions(self, rule: ApprovalRuleOut, locale: str) -> list[str]:
        """When the rule applies, in words: "total at or above 10,000.00 EUR", "vendor Globex Medical Supplies"."""
        said = []
        if rule.min_total is not None and rule.currency is not None:
            said.append(f"total at or above {format_money(rule.min_total, rule.currency, locale)}")
        if rule.category_id is not None:
            said.append(f"category {self.label('categories', rule.category_id)}")
        if rule.vendor_id is not None:
            said.append(f"vendor {self.label('vendors', rule.vendor_id)}")
        if rule.cost_center_id is not None:
            said.append(f"cost center {self.label('cost_centers', rule.cost_center_id)}")
        if rule.requester_role is not None:
            said.append(f"requested by a {role_label(rule.requester_role)}")
        return said or ["every order"]

    def approvers(self, rule: ApprovalRuleOut) -> list[str]:
        """Who approves, in words: "any approver", "Anna Approver"."""
        said = [f"any {role_label(rule.approver_role)}"] if rule.approver_role else []
        return said + [self.label("users", user_id) for user_id in rule.approver_user_ids]


async def choices_for(principal: Principal) -> Choices:
    """The caller's company's cost centers and users, the catalog's categories and the market's vendors."""
    centers = await CostCenter.select(CostCenter.id, CostCenter.code, CostCenter.name).where(
        CostCenter.company == principal.company_id).order_by(CostCenter.code)
    categories = await Category.select(Category.id, Category.name).order_by(Category.name).order_by(Category.id)
    vendors = await Company.select(Company.id, Company.name).where(
        Company.kind == CompanyKind.VENDOR.value).order_by(Company.name)
    users = await list_users(principal, principal.company_id)
    return Choices(
        cost_centers=tuple(Choice(row["id"], f"{row['code']} {row['name']}") for row in centers),
        categories=tuple(Choice(row["id"], row["name"]) for row in categories),
        vendors=tuple(Choice(row["id"], row["name"]) for row in vendors),
        users=tuple(Choice(user.id, f"{user.name} ({', '.join(role_label(r) for r in user.roles)})")
                    for user in users if user.active),
    )


async def colleague_of(principal: Principal, user_id: int) -> UserOut:
    """A user of the caller's company, or the 404 of a missing user."""
    found = next((user for user in await list_users(principal, principal.company_id) if user.id == user_id), None)
    if found is None:
        raise NotFound("No such user.")
    return found
