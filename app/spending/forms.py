"""The buyer admin's spending forms read into the API's own schemas (so a page and an API call with the same values
get the same checks from the same services): amounts typed as the admin writes them, every problem beside its field
in the admin's words, every value typed kept for the form shown again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from app.errors import DomainError, FieldErrors, InvalidInput
from app.forms import errors_by_field, read
from app.money import MoneyError, amount_input, typed_amount
from app.spending.schemas import (
    ApprovalRuleIn,
    ApprovalRuleOut,
    ApprovalRulePatch,
    BudgetIn,
    BudgetOut,
    BudgetPatch,
    UserLimitIn,
    UserLimitOut,
)

T = TypeVar("T")

# The API's field -> the form's field and its label, for the schema's bounds and the services' refusals.
RULE_FIELDS = {
    "name": ("name", "Name"), "level": ("level", "Level"), "min_total": ("min_total", "Order total"),
    "currency": ("currency", "Currency"), "category_id": ("category_id", "Category"),
    "vendor_id": ("vendor_id", "Vendor"), "cost_center_id": ("cost_center_id", "Cost center"),
    "requester_role": ("requester_role", "Requested by"), "approver_role": ("approver_role", "Approving role"),
    "approver_user_ids": ("approver_user_ids", "Approving colleagues"),
}
BUDGET_FIELDS = {
    "cost_center_id": ("cost_center_id", "Cost center"), "period": ("period", "Period"),
    "starts_on": ("starts_on", "A day of the period"), "currency": ("currency", "Currency"),
    "amount": ("amount", "Amount"), "hard": ("hard", "Kind"),
}
LIMIT_FIELDS = {
    "currency": ("currency", "Currency"), "per_order": ("per_order", "Per order"),
    "per_month": ("per_month", "Per month"), "approval_limit": ("approval_limit", "May approve up to"),
}
RULE_NAMES = ("name", "level", "min_total", "currency", "category_id", "vendor_id", "cost_center_id",
               "requester_role", "approver_role")


@dataclass
class Typed:
    """What the admin typed, as typed (shown again on every error), and the ticked colleagues."""

    values: dict[str, str]
    ticked: tuple[str, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def typed_of(form: Mapping[str, Any], names: Sequence[str], ticked: Sequence[str] = ()) -> Typed:
    return Typed({name: str(form.get(name) or "").strip()[:500] for name in names}, tuple(ticked))


def _amounts(typed: Typed, names: Sequence[str], locale: str, fields: Mapping[str, tuple[str, str]]
             ) -> dict[str, str | None]:
    """Every money field as dot-decimal text (None when empty); all their problems at once, each beside its field."""
    read_amounts: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for name in names:
        try:
            read_amounts[name] = typed_amount(typed.get(name), locale) or None
        except MoneyError as exc:
            problems[fields[name][0]] = f"{fields[name][1]}: {exc}"
    if problems:
        raise FieldErrors(" ".join(problems.values()), problems)
    return read_amounts


def _whole(text: str) -> int | str | None:
    """A chosen id or a level: empty is none, digits a number; anything else stays text for the schema to refuse."""
    return None if not text else int(text) if text.isascii() and text.isdigit() and len(text) < 19 else text


def rule_in(typed: Typed, locale: str) -> ApprovalRuleIn:
    values: dict[str, Any] = {name: typed.get(name) or None for name in RULE_NAMES}
    values["name"] = typed.get("name")  # empty: the schema says it must not be
    values.update(_amounts(typed, ("min_total",), locale, RULE_FIELDS))
    for name in ("level", "category_id", "vendor_id", "cost_center_id"):
        values[name] = _whole(typed.get(name))
    if values["level"] is None:
        values["level"] = 1
    values["currency"] = (values["currency"] or "").upper() or None
    values["approver_user_ids"] = [_whole(raw) for raw in typed.ticked]
    return read(values, ApprovalRuleIn, fields=RULE_FIELDS)


def rule_patch(typed: Typed, locale: str) -> ApprovalRulePatch:
    """The edit form replaces every field of the rule: the same reading as a new rule's."""
    return ApprovalRulePatch(**msgspec.structs.asdict(rule_in(typed, locale)))


def rule_typed(rule: ApprovalRuleOut, locale: str) -> Typed:
    """A saved rule as its edit form shows it."""
    def text(value: object) -> str:
        return "" if value is None else str(value)

    return Typed({"name": rule.name, "level": str(rule.level), "min_total": amount_input(rule.min_total, locale),
                  "currency": text(rule.currency), "category_id": text(rule.category_id),
                  "vendor_id": text(rule.vendor_id), "cost_center_id": text(rule.cost_center_id),
                  "requester_role": text(rule.requester_role), "approver_role": text(rule.approver_role)},
                 tuple(str(user_id) for user_id in rule.approver_user_ids))


BUDGET_NAMES = ("cost_center_id", "period", "starts_on", "currency", "amount", "kind")


def budget_in(typed: Typed, locale: str) -> BudgetIn:
    values: dict[str, Any] = {"cost_center_id": _whole(typed.get("cost_center_id")),
                              "period": typed.get("period") or None, "starts_on": typed.get("starts_on") or None,
                              "currency": typed.get("currency").upper() or None,
                              "hard": typed.get("kind", "hard") != "soft"}
    values.update(_amounts(typed, ("amount",), locale, BUDGET_FIELDS))
    missing = {BUDGET_FIELDS[name][0]: f"{BUDGET_FIELDS[name][1]}: {why}" for name, why in (
        ("cost_center_id", "choose one"), ("starts_on", "give a day such as 2027-01-31"),
        ("currency", "give one such as EUR"), ("amount", "give the amount the cost center may spend"))
        if values[name] is None}
    if missing:
        raise FieldErrors(" ".join(missing.values()), missing)
    return read(values, BudgetIn, fields=BUDGET_FIELDS)


def budget_typed(budget: BudgetOut, locale: str) -> Typed:
    return Typed({"cost_center_id": str(budget.cost_center_id), "period": budget.period.value,
                  "starts_on": budget.starts_on.isoformat(), "currency": budget.currency,
                  "amount": amount_input(budget.amount, locale), "kind": "hard" if budget.hard else "soft"})


def budget_patch(typed: Typed, locale: str) -> BudgetPatch:
    amount = _amounts(typed, ("amount",), locale, BUDGET_FIELDS)["amount"]
    if amount is None:
        raise FieldErrors("Amount: give the amount the cost center may spend.",
                          {"amount": "Amount: give the amount the cost center may spend."})
    return read({"amount": amount, "hard": typed.get("kind", "hard") != "soft"}, BudgetPatch, fields=BUDGET_FIELDS)


LIMIT_NAMES = ("currency", "per_order", "per_month", "approval_limit")


def limit_in(typed: Typed, locale: str) -> UserLimitIn:
    values: dict[str, Any] = {"currency": typed.get("currency").upper() or None}
    values.update(_amounts(typed, ("per_order", "per_month", "approval_limit"), locale, LIMIT_FIELDS))
    if values["currency"] is None:
        raise FieldErrors("Currency: give one such as EUR.", {"currency": "Currency: give one such as EUR."})
    return read(values, UserLimitIn, fields=LIMIT_FIELDS)


def limit_typed(limit: UserLimitOut, locale: str) -> Typed:
    return Typed({"currency": limit.currency, "per_order": amount_input(limit.per_order, locale),
                  "per_month": amount_input(limit.per_month, locale),
                  "approval_limit": amount_input(limit.approval_limit, locale)})


def errors_of(error: DomainError | None, fields: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """What the page shows beside each field: a service's refusal that names API fields ("min_total and currency:
    give both") beside the first one named, said with the form's labels ("Order total and Currency: give both");
    a conflict (a budget that exists already) for the whole form."""
    if error is None:
        return {}
    if isinstance(error, InvalidInput) and not isinstance(error, FieldErrors):
        named = [name for name in fields if error.message.startswith((name + " ", name + ":"))]
        if named:
            head, colon, tail = error.message.partition(":")
            for name in sorted(fields, key=len, reverse=True):
                head = head.replace(name, fields[name][1])
            return {fields[named[0]][0]: head + colon + tail}
    return errors_by_field(error)
