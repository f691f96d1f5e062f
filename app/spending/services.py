"""Cost centers, budgets, approval rules and user limits of a buyer company: read by its users, written by its
admins, every change audited (who, when, before, after) in the change's own transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from app import db, grids
from app.accounts.roles import BUYER_ROLES, CompanyKind
from app.accounts.tables import Company, Membership
from app.auth import Principal
from app.catalog.tables import Category
from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import MoneyError, from_minor, parse_currency, to_minor
from app.spending import audit, store
from app.spending.rules import Period, period_end, period_start
from app.spending.schemas import (
    ApprovalRuleIn,
    ApprovalRuleOut,
    ApprovalRulePatch,
    BudgetIn,
    BudgetOut,
    BudgetPatch,
    CostCenterIn,
    CostCenterOut,
    UserLimitIn,
    UserLimitOut,
)
from app.spending.tables import ApprovalRule, Budget, CostCenter, CostCenterMember, UserLimit

NO_SUCH_BUDGET = "No such budget."
NO_SUCH_RULE = "No such approval rule."
_ROLE_NAMES = sorted(role.value for role in BUYER_ROLES)


def _company(principal: Principal) -> int:
    """The buyer company whose controls the caller reads and (as its admin) writes; anyone else sees none."""
    if principal.company_kind is not CompanyKind.BUYER:
        raise NotFound("No such company.")
    return principal.company_id


def _minor(field: str, amount: Decimal | None) -> int | None:
    if amount is not None and (not amount.is_finite() or amount < 0):
        raise InvalidInput(f"{field}: give an amount of 0 or more.")
    try:
        return None if amount is None else to_minor(amount)
    except MoneyError as exc:
        raise InvalidInput(f"{field}: {exc}.") from None


def _currency(field: str, code: str | None) -> str | None:
    try:
        return None if code is None else parse_currency(code)
    except MoneyError as exc:
        raise InvalidInput(f"{field}: {exc}.") from None


async def _check_users(company_id: int, user_ids: list[int], field: str) -> None:
    found = {row["user"] for row in await Membership.select(Membership.user).where(
        (Membership.company == company_id) & Membership.user.is_in(user_ids or [0]))}
    if missing := sorted(set(user_ids) - found):
        raise InvalidInput(f"{field}: {', '.join(map(str, missing))} are not users of your company.")


# --- cost centers ------------------------------------------------------------------------------------


async def list_cost_centers(principal: Principal) -> list[CostCenterOut]:
    company_id = _company(principal)
    rows = await CostCenter.select().where(CostCenter.company == company_id).order_by(CostCenter.code)
    members = await CostCenterMember.select(CostCenterMember.cost_center, CostCenterMember.user).where(
        CostCenterMember.cost_center.is_in([row["id"] for row in rows] or [0]))
    users: dict[int, list[int]] = {}
    for member in members:
        users.setdefault(member["cost_center"], []).append(member["user"])
    return [CostCenterOut(id=row["id"], code=row["code"], name=row["name"], active=row["active"],
                          user_ids=sorted(users.get(row["id"], []))) for row in rows]


async def create_cost_center(principal: Principal, data: CostCenterIn) -> CostCenterOut:
    company_id = _company(principal)
    code, name = data.code.strip(), data.name.strip()
    if not code or not name:
        raise InvalidInput("code and name: give both, not blank.")
    await _check_users(company_id, data.user_ids, "user_ids")
    now = utcnow()
    try:
        async with db.transaction():
            row = await CostCenter.insert(CostCenter(company=company_id, code=code, name=name, active=True,
                                                     created_at=now)).returning(CostCenter.id)
            if data.user_ids:
                await CostCenterMember.insert(*[CostCenterMember(cost_center=row[0]["id"], user=user_id)
                                                for user_id in sorted(set(data.user_ids))])
            await audit.record(company_id=company_id, actor_id=principal.user_id, kind="cost_center.created",
                               subject="cost_center", subject_id=row[0]["id"], before=None,
                               after={"code": code, "name": name, "user_ids": sorted(set(data.user_ids))}, at=now)
    except db.UNIQUE_VIOLATIONS:
        raise Conflict(f"Your company already has a cost center {code}: choose another code.") from None
    return CostCenterOut(id=row[0]["id"], code=code, name=name, active=True, user_ids=sorted(set(data.user_ids)))


# --- budgets ---------------------------------------------------------------------------------------


async def list_budgets(principal: Principal, cost_center_id: int | None = None) -> list[BudgetOut]:
    """The company's budgets, newest period first, each with what its period's orders hold."""
    company_id = _company(principal)
    query = Budget.select(Budget.all_columns(), Budget.cost_center.code.as_alias("code")).where(
        Budget.cost_center.company == company_id)
    if cost_center_id is not None:
        query = query.where(Budget.cost_center == cost_center_id)
    rows = await query.order_by(Budget.starts_on, ascending=False).order_by(Budget.id)
    return await _budgets_out(rows)


BUDGET_GRID = GridSpec(
    path="/spending",
    columns=(GridColumn("cost_center", "Cost center"), GridColumn("period", "Period"), GridColumn("starts", "From"),
             GridColumn("amount", "Budget"), GridColumn("kind", "Kind"), GridColumn("spent", "Spent", False),
             GridColumn("reserved", "Reserved", False), GridColumn("left", "Left", False)),
    default_sort="starts", default_descending=True, search_label="Cost center code or name",
    filters=(GridFilter("period", "Period", tuple((p.value, p.value) for p in Period)),
             GridFilter("kind", "Kind", (("hard", "hard: refused over it"), ("soft", "soft: approval over it"))),
             GridFilter("from", "From on or after", kind="date")),
    export_name="budgets", sheet_title="Budgets",
)
_BUDGET_ORDER = {"cost_center": (Budget.cost_center.code,), "period": (Budget.period,), "starts": (Budget.starts_on,),
                 "amount": (Budget.currency, Budget.amount), "kind": (Budget.hard,)}


async def budget_grid(principal: Principal, state: GridState) -> GridPage:
    """The company's budgets as the grid's state selects, orders and pages them in SQL, each page's budgets with
    what their period's orders hold (spent, reserved and left are figures of the orders, so not sortable)."""
    company_id = _company(principal)
    query = Budget.select(Budget.all_columns(), Budget.cost_center.code.as_alias("code"))
    count = Budget.count()
    conditions = [Budget.cost_center.company == company_id,
                  grids.search((Budget.cost_center.code, Budget.cost_center.name), state.q)]
    if state.filter("period"):
        conditions.append(Budget.period == state.filter("period"))
    if state.filter("kind"):
        conditions.append(Budget.hard == (state.filter("kind") == "hard"))
    if state.filter("from"):
        conditions.append(Budget.starts_on >= date.fromisoformat(state.filter("from")))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _BUDGET_ORDER, Budget.id), state)
    return state.page_of(await _budgets_out(rows), await count)


async def get_budget(principal: Principal, budget_id: int) -> BudgetOut:
    return (await _budgets_out([await _budget_row(principal, budget_id)]))[0]


async def _budget_row(principal: Principal, budget_id: int) -> dict[str, Any]:
    row = await Budget.select(Budget.all_columns(), Budget.cost_center.code.as_alias("code")).where(
        (Budget.id == budget_id) & (Budget.cost_center.company == _company(principal))).first()
    if row is None:
        raise NotFound(NO_SUCH_BUDGET)
    return row


async def _budgets_out(rows: Sequence[Mapping[str, Any]]) -> list[BudgetOut]:
    """The budgets with what their periods' orders hold, read in one query for all of them."""
    helds = await store.held_each([(row["cost_center"], Period(row["period"]), _day(row["starts_on"]),
                                    row["currency"]) for row in rows])
    return [_budget_out(row, held) for row, held in zip(rows, helds, strict=True)]


def _budget_out(row: Mapping[str, Any], held: store.Held) -> BudgetOut:
    period = Period(row["period"])
    starts_on = _day(row["starts_on"])
    amount = from_minor(row["amount"])
    return BudgetOut(id=row["id"], cost_center_id=row["cost_center"], cost_center=row["code"], period=period,
                     starts_on=starts_on, ends_before=period_end(period, starts_on), currency=row["currency"],
                     amount=amount, hard=row["hard"], reserved=held.reserved, spent=held.spent,  # type: ignore[arg-type]
                     left=amount - held.reserved - held.spent)  # type: ignore[operator]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def create_budget(principal: Principal, data: BudgetIn) -> BudgetOut:
    company_id = _company(principal)
    if not await CostCenter.exists().where((CostCenter.id == data.cost_center_id)
                                           & (CostCenter.company == company_id)):
        raise InvalidInput("cost_center_id: not a cost center of your company.")
    currency = _currency("currency", data.currency)
    amount = _minor("amount", data.amount)
    starts_on = period_start(data.period, data.starts_on)
    now = utcnow()
    try:
        async with db.transaction():
            row = await Budget.insert(Budget(cost_center=data.cost_center_id, period=data.period.value,
                                             starts_on=starts_on, currency=currency, amount=amount, hard=data.hard,
                                             created_at=now, updated_at=now)).returning(Budget.id)
            await audit.record(company_id=company_id, actor_id=principal.user_id, kind="budget.created",
                               subject="budget", subject_id=row[0]["id"], before=None,
                               after={"cost_center_id": data.cost_center_id, "period": data.period,
                                      "starts_on": starts_on, "currency": currency, "amount": data.amount,
                                      "hard": data.hard}, at=now)
    except db.UNIQUE_VIOLATIONS:
        raise Conflict(f"This cost center already has a {data.period} budget in {currency} from {starts_on}: "
                       "change that one.") from None
    return await get_budget(principal, row[0]["id"])


async def update_budget(principal: Principal, budget_id: int, data: BudgetPatch) -> BudgetOut:
    """Change a budget's amount or kind; lowering it below what its orders hold is allowed (nothing new fits)."""
    now = utcnow()
    async with db.transaction():
        row = await _budget_row(principal, budget_id)
        changes: dict[Any, Any] = {Budget.updated_at: now}
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        if data.amount is not msgspec.UNSET:
            changes[Budget.amount] = _minor("amount", data.amount)
            before["amount"], after["amount"] = from_minor(row["amount"]), data.amount
        if data.hard is not msgspec.UNSET:
            changes[Budget.hard] = data.hard
            before["hard"], after["hard"] = row["hard"], data.hard
        await Budget.update(changes).where(Budget.id == budget_id)
        await audit.record(company_id=_company(principal), actor_id=principal.user_id, kind="budget.changed",
                           subject="budget", subject_id=budget_id, before=before, after=after, at=now)
    return await get_budget(principal, budget_id)


# --- approval rules --------------------------------------------------------------------------------


def _rule_out(row: Mapping[str, Any]) -> ApprovalRuleOut:
    return ApprovalRuleOut(id=row["id"], name=row["name"], level=row["level"], min_total=from_minor(row["min_total"]),
                   currency=row["currency"], category_id=row["category"], vendor_id=row["vendor"],
                   cost_center_id=row["cost_center"], requester_role=row["requester_role"],
                   approver_role=row["approver_role"], approver_user_ids=list(row["approver_user_ids"] or []),
                   updated_at=row["updated_at"])


async def list_rules(principal: Principal) -> list[ApprovalRuleOut]:
    rows = await ApprovalRule.select().where(ApprovalRule.company == _company(principal)).order_by(
        ApprovalRule.level).order_by(ApprovalRule.id).output(load_json=True)
    return [_rule_out(row) for row in rows]


async def _rule_values(company_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The rule's columns from its fields, checked: a clear 4xx for anything that cannot be."""
    if not values["name"].strip():
        raise InvalidInput("name: give the rule a name.")
    if (values["min_total"] is None) != (values["currency"] is None):
        raise InvalidInput("min_total and currency: give both (an amount is in a currency) or neither.")
    for field in ("requester_role", "approver_role"):
        if values[field] is not None and values[field] not in _ROLE_NAMES:
            raise InvalidInput(f"{field}: one of {', '.join(_ROLE_NAMES)}.")
    if values["approver_role"] is None and not values["approver_user_ids"]:
        raise InvalidInput("approver_role or approver_user_ids: name who approves.")
    await _check_users(company_id, values["approver_user_ids"], "approver_user_ids")
    if values["category_id"] is not None and not await Category.exists().where(Category.id == values["category_id"]):
        raise InvalidInput("category_id: no such category.")
    if values["vendor_id"] is not None and not await Company.exists().where(
            (Company.id == values["vendor_id"]) & (Company.kind == CompanyKind.VENDOR.value)):
        raise InvalidInput("vendor_id: no such vendor.")
    if values["cost_center_id"] is not None and not await CostCenter.exists().where(
            (CostCenter.id == values["cost_center_id"]) & (CostCenter.company == company_id)):
        raise InvalidInput("cost_center_id: not a cost center of your company.")
    return {
        "name": values["name"].strip(), "level": values["level"], "min_total": _minor("min_total", values["min_total"]),
        "currency": _currency("currency", values["currency"]), "category": values["category_id"],
        "vendor": values["vendor_id"], "cost_center": values["cost_center_id"],
        "requester_role": values["requester_role"], "approver_role": values["approver_role"],
        "approver_user_ids": sorted(set(values["approver_user_ids"])),
    }


async def create_rule(principal: Principal, data: ApprovalRuleIn) -> ApprovalRuleOut:
    company_id = _company(principal)
    columns = await _rule_values(company_id, msgspec.structs.asdict(data))
    now = utcnow()
    async with db.transaction():
        row = await ApprovalRule.insert(ApprovalRule(company=company_id, created_at=now, updated_at=now,
                                                     **columns)).returning(ApprovalRule.id)
        await audit.record(company_id=company_id, actor_id=principal.user_id, kind="rule.created",
                           subject="approval_rule", subject_id=row[0]["id"], before=None, after=columns, at=now)
    return await _rule(company_id, row[0]["id"])


async def get_rule(principal: Principal, rule_id: int) -> ApprovalRuleOut:
    """One of the caller's company's rules, or the 404 of a missing one."""
    return await _rule(_company(principal), rule_id)


async def _rule(company_id: int, rule_id: int) -> ApprovalRuleOut:
    row = await ApprovalRule.select().where((ApprovalRule.id == rule_id) & (ApprovalRule.company == company_id)
                                            ).output(load_json=True).first()
    if row is None:
        raise NotFound(NO_SUCH_RULE)
    return _rule_out(row)


async def update_rule(principal: Principal, rule_id: int, data: ApprovalRulePatch) -> ApprovalRuleOut:
    company_id = _company(principal)
    current = await _rule(company_id, rule_id)
    merged = {**msgspec.structs.asdict(current),
              **{key: value for key, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}}
    columns = await _rule_values(company_id, merged)
    now = utcnow()
    async with db.transaction():
        before = await ApprovalRule.select(*ApprovalRule._meta.columns).where(ApprovalRule.id == rule_id).output(
            load_json=True).first()
        await ApprovalRule.update({**{getattr(ApprovalRule, key): value for key, value in columns.items()},
                                   ApprovalRule.updated_at: now}).where(ApprovalRule.id == rule_id)
        await audit.record(company_id=company_id, actor_id=principal.user_id, kind="rule.changed",
                           subject="approval_rule", subject_id=rule_id,
                           before={key: before[key] for key in columns} if before else None, after=columns, at=now)
    return await _rule(company_id, rule_id)


async def delete_rule(principal: Principal, rule_id: int) -> None:
    """Delete a rule: orders already waiting keep the approvals it asked (their steps keep its reason)."""
    company_id = _company(principal)
    current = await _rule(company_id, rule_id)
    now = utcnow()
    async with db.transaction():
        await ApprovalRule.delete().where((ApprovalRule.id == rule_id) & (ApprovalRule.company == company_id))
        await audit.record(company_id=company_id, actor_id=principal.user_id, kind="rule.deleted",
                           subject="approval_rule", subject_id=rule_id, before=msgspec.structs.asdict(current),
                           after=None, at=now)


# --- user limits -------------------------------------------------------------------------------------


async def _member(company_id: int, user_id: int) -> None:
    if not await Membership.exists().where((Membership.company == company_id) & (Membership.user == user_id)):
        raise NotFound("No such user.")


async def get_user_limit(principal: Principal, user_id: int) -> UserLimitOut:
    company_id = _company(principal)
    await _member(company_id, user_id)
    row = await UserLimit.select().where(UserLimit.user == user_id).first()
    if row is None:
        return UserLimitOut(user_id=user_id, currency=principal.currency, per_order=None, per_month=None,
                            approval_limit=None)
    return UserLimitOut(user_id=user_id, currency=row["currency"], per_order=from_minor(row["per_order"]),
                        per_month=from_minor(row["per_month"]), approval_limit=from_minor(row["approval_limit"]))


async def set_user_limit(principal: Principal, user_id: int, data: UserLimitIn) -> UserLimitOut:
    company_id = _company(principal)
    await _member(company_id, user_id)
    columns = {"currency": _currency("currency", data.currency), "per_order": _minor("per_order", data.per_order),
               "per_month": _minor("per_month", data.per_month),
               "approval_limit": _minor("approval_limit", data.approval_limit)}
    now = utcnow()
    async with db.transaction():
        before = await get_user_limit(principal, user_id)
        if await UserLimit.exists().where(UserLimit.user == user_id):
            await UserLimit.update({**{getattr(UserLimit, k): v for k, v in columns.items()},
                                    UserLimit.updated_at: now}).where(UserLimit.user == user_id)
        else:
            await UserLimit.insert(UserLimit(company=company_id, user=user_id, updated_at=now, **columns))
        await audit.record(company_id=company_id, actor_id=principal.user_id, kind="user_limit.changed",
                           subject="user_limit", subject_id=user_id, before=msgspec.structs.asdict(before),
                           after=msgspec.structs.asdict(data), at=now)
    return await get_user_limit(principal, user_id)


def budget_orders_spec(budget_id: int) -> GridSpec:
    """The grid of the orders behind one budget's figures, on the budget's page."""
    return GridSpec(
        path=f"/spending/budgets/{budget_id}",
        columns=(GridColumn("number", "Order"), GridColumn("po_number", "Your PO number"), GridColumn("day", "Day"),
                 GridColumn("status", "Status"), GridColumn("figure", "In", sortable=False),
                 GridColumn("placed", "Placed"), GridColumn("net", "Net")),
        default_sort="day", search_label="Order or PO number",
        filters=(GridFilter("figure", "In", (("spent", "spent"), ("reserved", "reserved"),
                                              ("released", "released"))),),
        export_name=f"budget-{budget_id}-orders", sheet_title="Orders",
    )


async def budget_orders(principal: Principal, budget_id: int, state: GridState) -> tuple[BudgetOut, GridPage]:
    """A budget (or the 404 of a missing one) and the page of the orders behind its figures (its cost center's
    orders of its period, in its currency) that the grid's state selects."""
    budget = await get_budget(principal, budget_id)
    return budget, await budget_orders_page(budget, state)


async def budget_orders_page(budget: BudgetOut, state: GridState) -> GridPage:
    orders, total = await store.orders_behind(
        budget.cost_center_id, budget.period, budget.starts_on, budget.currency, q=state.q,
        figure=state.filter("figure"), sort=state.sort, descending=state.descending, limit=state.limit,
        offset=state.offset)
    return state.page_of(orders, total)
