"""A buyer admin's pages that write the spending controls: approval rules (add, change, delete after a confirmation),
budgets (set, change) and each colleague's limits. They call the services the API calls; anyone but a buyer admin
gets the 404 of a page that does not exist. Thin: read the form, call one service, redirect with a flash, or show
the form again with every value kept and each problem beside its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.auth import Principal, PrincipalRequest, buyer_admin_pages, principal_of
from app.errors import DomainError
from app.forms import Confirmation, confirmation, confirmed
from app.money import amount_input, format_money
from app.spending import forms, services
from app.spending.choices import choices_for, colleague_of
from app.spending.forms import Typed
from app.spending.rules import Period
from app.spending.schemas import BudgetOut

_NEW_RULE = Typed({"level": "1", "approver_role": "approver"})


async def _rule_page(principal: Principal, typed: Typed, rule_id: int | None = None,
                     error: DomainError | None = None) -> Template:
    return Template(template_name="spending/rule_form.html", status_code=error.status_code if error else 200,
                    context={"typed": typed, "rule_id": rule_id, "choices": await choices_for(principal),
                             "errors": forms.errors_of(error, forms.RULE_FIELDS),
                             "example": _example(principal)})


async def _budget_page(principal: Principal, typed: Typed, budget: BudgetOut | None = None,
                       error: DomainError | None = None) -> Template:
    return Template(template_name="spending/budget_form.html", status_code=error.status_code if error else 200,
                    context={"typed": typed, "budget": budget, "choices": await choices_for(principal),
                             "periods": [period.value for period in Period], "example": _example(principal),
                             "errors": forms.errors_of(error, forms.BUDGET_FIELDS)})


async def _limit_page(principal: Principal, user_id: int, typed: Typed, error: DomainError | None = None
                      ) -> Template:
    colleague = await colleague_of(principal, user_id)
    return Template(template_name="spending/limits.html", status_code=error.status_code if error else 200,
                    context={"typed": typed, "colleague": colleague, "example": _example(principal),
                             "errors": forms.errors_of(error, forms.LIMIT_FIELDS)})


def _example(principal: Principal) -> str:
    """An amount as this reader types it ("1234,50" in German), for the money fields' hints."""
    return amount_input(Decimal("1234.50"), principal.locale)


def _done(request: PrincipalRequest, message: str, path: str = "/spending") -> Redirect:
    flash(request, message, "success")
    return Redirect(path=path, status_code=303)


class RulePages(Controller):
    path = "/spending/rules"
    guards = [buyer_admin_pages]
    include_in_schema = False

    @get("/new")
    async def new(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        return await _rule_page(principal, Typed({**_NEW_RULE.values, "currency": principal.currency}))

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        typed = forms.typed_of(form, forms.RULE_NAMES, form.getall("approver_user_ids", []))
        try:
            rule = await services.create_rule(principal, forms.rule_in(typed, principal.locale))
        except DomainError as error:
            return await _rule_page(principal, typed, None, error)
        return _done(request, f"The approval rule “{rule.name}” is added (level {rule.level}).")

    @get("/{rule_id:int}/edit")
    async def edit(self, request: PrincipalRequest, rule_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        rule = await services.get_rule(principal, rule_id)
        return await _rule_page(principal, forms.rule_typed(rule, principal.locale), rule_id)

    @post("/{rule_id:int}/edit", status_code=303)
    async def update(self, request: PrincipalRequest, rule_id: FromPath[int]) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        await services.get_rule(principal, rule_id)  # another company's rule: the 404 of a missing one, first
        typed = forms.typed_of(form, forms.RULE_NAMES, form.getall("approver_user_ids", []))
        try:
            rule = await services.update_rule(principal, rule_id, forms.rule_patch(typed, principal.locale))
        except DomainError as error:
            return await _rule_page(principal, typed, rule_id, error)
        return _done(request, f"The approval rule “{rule.name}” is changed; orders already waiting keep what they "
                              "were asked.")

    @post("/{rule_id:int}/delete", status_code=303)
    async def delete(self, request: PrincipalRequest, rule_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        rule = await services.get_rule(principal, rule_id)
        if not confirmed(await request.form()):
            choices = await choices_for(principal)
            return confirmation(Confirmation(
                title=f"Delete the approval rule “{rule.name}”?",
                items=[f"Level {rule.level}: when {', '.join(choices.conditions(rule, principal.locale))}; "
                       f"approved by {', '.join(choices.approvers(rule))}"],
                facts=["New orders no longer wait for this approval.",
                       "Orders already waiting keep the approvals it asked for.",
                       "This cannot be undone: to have the rule again, add it again."],
                action=f"/spending/rules/{rule_id}/delete", yes="Yes, delete the rule", back="/spending"))
        await services.delete_rule(principal, rule_id)
        return _done(request, f"The approval rule “{rule.name}” is deleted.")


class BudgetPages(Controller):
    path = "/spending/budgets"
    guards = [buyer_admin_pages]
    include_in_schema = False

    @get("/new")
    async def new(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        return await _budget_page(principal, Typed({"period": "month", "currency": principal.currency,
                                                    "kind": "hard"}))

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        typed = forms.typed_of(form, forms.BUDGET_NAMES)
        try:
            budget = await services.create_budget(principal, forms.budget_in(typed, principal.locale))
        except DomainError as error:
            return await _budget_page(principal, typed, None, error)
        return _done(request, f"The budget of {budget.cost_center} is set: "
                              f"{format_money(budget.amount, budget.currency, principal.locale)} a {budget.period}.")

    @get("/{budget_id:int}/edit")
    async def edit(self, request: PrincipalRequest, budget_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        budget = await services.get_budget(principal, budget_id)
        return await _budget_page(principal, forms.budget_typed(budget, principal.locale), budget)

    @post("/{budget_id:int}/edit", status_code=303)
    async def update(self, request: PrincipalRequest, budget_id: FromPath[int]) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        budget = await services.get_budget(principal, budget_id)
        typed = forms.typed_of(form, forms.BUDGET_NAMES)
        try:
            budget = await services.update_budget(principal, budget_id, forms.budget_patch(typed, principal.locale))
        except DomainError as error:
            return await _budget_page(principal, typed, budget, error)
        return _done(request, f"The budget of {budget.cost_center} is changed: "
                              f"{format_money(budget.amount, budget.currency, principal.locale)}, "
                              f"{'hard' if budget.hard else 'soft'}.")


class LimitPages(Controller):
    path = "/team/{user_id:int}/spending-limits"
    guards = [buyer_admin_pages]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, user_id: FromPath[int]) -> Template:
        principal = principal_of(request)
        limit = await services.get_user_limit(principal, user_id)
        return await _limit_page(principal, user_id, forms.limit_typed(limit, principal.locale))

    @post("/", status_code=303)
    async def save(self, request: PrincipalRequest, user_id: FromPath[int]) -> Response[Any]:
        principal, form = principal_of(request), await request.form()
        await services.get_user_limit(principal, user_id)  # another company's user: the 404 of a missing one
        typed = forms.typed_of(form, forms.LIMIT_NAMES)
        try:
            await services.set_user_limit(principal, user_id, forms.limit_in(typed, principal.locale))
        except DomainError as error:
            return await _limit_page(principal, user_id, typed, error)
        return _done(request, "The spending limits are saved.", f"/team/{user_id}/spending-limits")


ROUTES: list[ControllerRouterHandler] = [RulePages, BudgetPages, LimitPages]
