"""The buyer admin's spending forms, read without a database: amounts as the admin writes them, every money problem
at once beside its field, a service's refusal said with the form's labels, and what an edit form shows reads back
to the same values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.exceptions import NotFoundException

from app.accounts.roles import CompanyKind, Role
from app.auth import Principal, pages_only_for
from app.errors import Conflict, FieldErrors, InvalidInput
from app.spending import forms
from app.spending.forms import Typed
from app.spending.schemas import ApprovalRuleOut, UserLimitOut

AMOUNTS = st.decimals(min_value=0, max_value=Decimal("99999999999.9999"), places=4, allow_nan=False)


def test_a_rule_typed_in_german_reads_as_the_api_body():
    typed = Typed({"name": " Big ", "level": "2", "min_total": "10.000,50", "currency": "eur", "category_id": "7",
                   "vendor_id": "", "cost_center_id": "", "requester_role": "purchaser", "approver_role": ""},
                  ("3", "4"))
    rule = forms.rule_in(typed, "de_DE")
    assert (rule.level, rule.min_total, rule.currency, rule.category_id, rule.vendor_id, rule.requester_role,
            rule.approver_role, rule.approver_user_ids) == (2, Decimal("10000.50"), "EUR", 7, None, "purchaser",
                                                            None, [3, 4])


def test_every_money_problem_is_told_at_once_beside_its_field():
    typed = Typed({"currency": "EUR", "per_order": "3.10", "per_month": "1.234,5", "approval_limit": "lots"})
    with pytest.raises(FieldErrors) as refused:
        forms.limit_in(typed, "de_DE")
    assert set(refused.value.fields) == {"per_order", "approval_limit"}
    assert refused.value.fields["per_order"].startswith("Per order: “3.10” is not a decimal amount")


def test_a_rule_without_a_name_or_with_a_bad_level_is_refused_beside_that_field():
    with pytest.raises(FieldErrors) as nameless:
        forms.rule_in(Typed({"name": "", "approver_role": "approver"}), "en")
    assert nameless.value.fields == {"name": "Name: must not be empty"}
    with pytest.raises(FieldErrors) as level:
        forms.rule_in(Typed({"name": "x", "level": "12", "approver_role": "approver"}), "en")
    assert level.value.fields == {"level": "Level: must be 9 or less"}


def test_a_budget_says_each_missing_field():
    with pytest.raises(FieldErrors) as refused:
        forms.budget_in(Typed({"period": "month", "kind": "soft"}), "en")
    assert set(refused.value.fields) == {"cost_center_id", "starts_on", "currency", "amount"}
    budget = forms.budget_in(Typed({"cost_center_id": "1", "period": "quarter", "starts_on": "2027-02-03",
                                    "currency": "usd", "amount": "1,500.25", "kind": "soft"}), "en")
    assert (budget.currency, budget.amount, budget.hard) == ("USD", Decimal("1500.25"), False)


def test_a_services_refusal_is_said_with_the_forms_labels_beside_the_first_field_it_names():
    said = forms.errors_of(InvalidInput("min_total and currency: give both (an amount is in a currency) or neither."),
                           forms.RULE_FIELDS)
    assert said == {"min_total": "Order total and Currency: give both (an amount is in a currency) or neither."}
    assert forms.errors_of(InvalidInput("approver_role or approver_user_ids: name who approves."), forms.RULE_FIELDS
                           ) == {"approver_role": "Approving role or Approving colleagues: name who approves."}
    assert forms.errors_of(Conflict("This cost center already has a month budget."), forms.BUDGET_FIELDS) == {
        "form": "This cost center already has a month budget."}


@given(AMOUNTS, st.sampled_from(["en", "de_DE", "fr_FR", "de_CH", "en_IN"]))
def test_what_an_edit_form_shows_reads_back_to_the_same_amount(amount, locale):
    rule = ApprovalRuleOut(id=1, name="R", level=1, min_total=amount, currency="EUR", category_id=None,
                           vendor_id=None, cost_center_id=None, requester_role=None, approver_role="approver",
                           approver_user_ids=[], updated_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert forms.rule_in(forms.rule_typed(rule, locale), locale).min_total == amount
    limit = UserLimitOut(user_id=1, currency="EUR", per_order=amount, per_month=None, approval_limit=amount)
    read = forms.limit_in(forms.limit_typed(limit, locale), locale)
    assert (read.per_order, read.per_month, read.approval_limit) == (amount, None, amount)


def _connection(roles: set[Role]) -> SimpleNamespace:
    principal = Principal(user_id=1, email="a@example.com", name="A", company_id=1, company_name="Acme",
                          company_kind=CompanyKind.BUYER, roles=frozenset(roles), visible_company_ids=frozenset({1}),
                          segment_id=None, currency="EUR")
    return SimpleNamespace(scope={"user": principal}, user=principal)


async def test_a_page_for_some_roles_is_a_missing_page_to_every_other_role():
    guard = pages_only_for(Role.BUYER_ADMIN)
    await guard(_connection({Role.BUYER_ADMIN, Role.APPROVER}), None)  # type: ignore[arg-type]
    stranger = _connection({Role.PURCHASER, Role.APPROVER})
    with pytest.raises(NotFoundException):
        await guard(stranger, None)  # type: ignore[arg-type]
    assert stranger.scope["user"] is None  # the error page is drawn as for a route that does not exist
