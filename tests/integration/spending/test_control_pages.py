"""A buyer admin writes approval rules, budgets and colleagues' limits in the pages, through the services the API
calls: amounts typed as the admin writes them, each problem beside its field with every value kept, a rule deleted
only after its confirmation; everyone else gets the 404 of a page that does not exist."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.support.catalog import a_category
from tests.support.fixtures import csrf_token
from tests.support.parties import user_id

ADMIN_PAGES = ("/spending/rules/new", "/spending/budgets/new", "/spending/rules/{rule}/edit",
               "/spending/budgets/{budget}/edit", "/team/{purchaser}/spending-limits")
ADMIN_POSTS = ("/spending/rules", "/spending/budgets", "/spending/cost-centers", "/spending/rules/{rule}/edit",
               "/spending/rules/{rule}/delete", "/spending/budgets/{budget}/edit",
               "/team/{purchaser}/spending-limits")


def _same(response) -> tuple[int, str]:
    """An answer without its per-response CSRF token (the header's logout form of a signed-in page)."""
    return response.status_code, re.sub(r'value="[0-9a-f]{32,}"', "", response.text)


async def _german(api, email: str) -> None:
    assert (await (await api(email)).patch("/api/v1/me", json={"locale": "de_DE"})).status_code == 200


async def _controls(world, api) -> dict[str, int]:
    """A cost center, a budget and a rule of the buyer, made through the API."""
    admin = await api(world.buyer_admin)
    center = (await admin.post("/api/v1/cost-centers", json={"code": "CC-1", "name": "Ward"})).json()["id"]
    budget = (await admin.post("/api/v1/budgets", json={
        "cost_center_id": center, "period": "month", "starts_on": "2026-12-01", "currency": "EUR",
        "amount": "1000.00", "hard": True})).json()["id"]
    rule = (await admin.post("/api/v1/approval-rules", json={"name": "Big", "approver_role": "approver"})).json()["id"]
    return {"center": center, "budget": budget, "rule": rule, "purchaser": await user_id(world.purchaser)}


async def test_an_admin_adds_a_rule_typed_in_german_and_sees_each_problem_beside_its_field(world, api, browser):
    # given an admin who writes amounts the German way, a cost center and a category
    await _german(api, world.buyer_admin)
    ids = await _controls(world, api)
    category = await a_category("Gloves")
    admin = await browser(world.buyer_admin)
    form = await admin.get("/spending/rules/new")
    assert form.status_code == 200 and "1234,50" in form.text
    token = csrf_token(form.text)
    approver = await user_id(world.approver)
    # when it types an amount the German way would not write and names nobody to approve
    refused = await admin.post("/spending/rules", data={
        "_csrf_token": token, "name": "Gloves over ten thousand", "level": "2", "min_total": "10.000.5",
        "currency": "EUR", "category_id": str(category), "approver_role": ""})
    # then the page says so beside the amount, with every value kept
    assert refused.status_code == 400
    assert 'id="min_total-error"' in refused.text and "10.000.5" in refused.text
    assert 'value="Gloves over ten thousand"' in refused.text and f'<option value="{category}" selected' in refused.text
    # and with the amount right but nobody to approve, beside the approvers, in the form's words
    refused = await admin.post("/spending/rules", data={
        "_csrf_token": token, "name": "Gloves over ten thousand", "level": "2", "min_total": "10.000,50",
        "currency": "EUR", "category_id": str(category), "approver_role": ""})
    assert refused.status_code == 400 and 'id="approver_role-error"' in refused.text
    assert "Approving role or Approving colleagues: name who approves" in refused.text
    assert 'value="10.000,50"' in refused.text
    # when it names a colleague, the rule is made as the API reads it
    made = await admin.post("/spending/rules", data={
        "_csrf_token": token, "name": "Gloves over ten thousand", "level": "2", "min_total": "10.000,50",
        "currency": "eur", "category_id": str(category), "cost_center_id": str(ids["center"]),
        "requester_role": "purchaser", "approver_role": "", "approver_user_ids": [str(approver)]})
    assert made.status_code == 303, made.text
    rules = (await (await api(world.buyer_admin)).get("/api/v1/approval-rules")).json()
    rule = next(r for r in rules if r["name"] == "Gloves over ten thousand")
    assert (rule["level"], Decimal(rule["min_total"]), rule["currency"], rule["category_id"], rule["cost_center_id"],
            rule["requester_role"], rule["approver_role"], rule["approver_user_ids"]) == (
        2, Decimal("10000.50"), "EUR", category, ids["center"], "purchaser", None, [approver])
    # and the spending page describes it in words, not ids
    page = await admin.get("/spending")
    assert "total at or above 10.000,50 EUR" in page.text and "category Gloves" in page.text
    assert "cost center CC-1 Ward" in page.text and "requested by a purchaser" in page.text


async def test_an_admin_changes_a_rule_and_deletes_it_only_after_the_confirmation(world, api, browser):
    ids = await _controls(world, api)
    admin = await browser(world.buyer_admin)
    # given the edit form, showing the rule as saved
    form = await admin.get(f"/spending/rules/{ids['rule']}/edit")
    assert form.status_code == 200 and 'value="Big"' in form.text
    assert '<option value="approver" selected' in form.text
    token = csrf_token(form.text)
    # when the admin raises its level and adds a total
    changed = await admin.post(f"/spending/rules/{ids['rule']}/edit", data={
        "_csrf_token": token, "name": "Big orders", "level": "3", "min_total": "5,000.00", "currency": "EUR",
        "approver_role": "buyer_admin"})
    assert changed.status_code == 303, changed.text
    rule = (await (await api(world.buyer_admin)).get("/api/v1/approval-rules")).json()[0]
    assert (rule["name"], rule["level"], Decimal(rule["min_total"]), rule["approver_role"]) == (
        "Big orders", 3, Decimal("5000"), "buyer_admin")
    # when it asks to delete it, then the confirmation says what follows and nothing is deleted yet
    asked = await admin.post(f"/spending/rules/{ids['rule']}/delete", data={"_csrf_token": token})
    assert asked.status_code == 200 and "Yes, delete the rule" in asked.text
    assert "Orders already waiting keep the approvals it asked for" in asked.text
    assert len((await (await api(world.buyer_admin)).get("/api/v1/approval-rules")).json()) == 1
    # and its "Yes" deletes it
    done = await admin.post(f"/spending/rules/{ids['rule']}/delete",
                            data={"_csrf_token": token, "confirmed": "yes"})
    assert done.status_code == 303
    assert (await (await api(world.buyer_admin)).get("/api/v1/approval-rules")).json() == []


async def test_an_admin_sets_and_changes_a_budget_with_every_value_kept_on_a_refusal(world, api, browser):
    await _german(api, world.buyer_admin)
    ids = await _controls(world, api)
    admin = await browser(world.buyer_admin)
    token = csrf_token((await admin.get("/spending/budgets/new")).text)
    # when the admin sets a second budget for the same month, then the whole form says why, values kept
    twice = {"_csrf_token": token, "cost_center_id": str(ids["center"]), "period": "month",
             "starts_on": "2026-12-15", "currency": "EUR", "amount": "2.500,00", "kind": "soft"}
    refused = await admin.post("/spending/budgets", data=twice)
    assert refused.status_code == 409 and "already has a month budget" in refused.text
    assert 'value="2.500,00"' in refused.text and 'value="soft" checked' in refused.text
    # and an amount typed wrong is refused beside it
    wrong = await admin.post("/spending/budgets", data={**twice, "period": "quarter", "amount": "2,500.00"})
    assert wrong.status_code == 400 and 'id="amount-error"' in wrong.text and 'value="2,500.00"' in wrong.text
    # when it sets a quarter's, then it is made, soft
    made = await admin.post("/spending/budgets", data={**twice, "period": "quarter"})
    assert made.status_code == 303, made.text
    budgets = (await (await api(world.buyer_admin)).get("/api/v1/budgets")).json()
    quarter = next(b for b in budgets if b["period"] == "quarter")
    assert (Decimal(quarter["amount"]), quarter["hard"], quarter["starts_on"]) == (Decimal(2500), False, "2026-10-01")
    # when it changes the month's budget on its edit form (shown the German way)
    form = await admin.get(f"/spending/budgets/{ids['budget']}/edit")
    assert form.status_code == 200 and 'value="1000,00"' in form.text
    changed = await admin.post(f"/spending/budgets/{ids['budget']}/edit",
                               data={"_csrf_token": token, "amount": "1.750,25", "kind": "soft"})
    assert changed.status_code == 303, changed.text
    month = next(b for b in (await (await api(world.buyer_admin)).get("/api/v1/budgets")).json()
                 if b["id"] == ids["budget"])
    assert (Decimal(month["amount"]), month["hard"]) == (Decimal("1750.25"), False)


async def test_an_admin_sets_a_colleagues_limits_from_the_team_page(world, api, browser):
    ids = await _controls(world, api)
    admin = await browser(world.buyer_admin)
    team = await admin.get("/team")
    assert f"/team/{ids['purchaser']}/spending-limits" in team.text
    form = await admin.get(f"/team/{ids['purchaser']}/spending-limits")
    assert form.status_code == 200
    token = csrf_token(form.text)
    # when a limit is typed wrong, then it is refused beside it and the others are kept
    refused = await admin.post(f"/team/{ids['purchaser']}/spending-limits", data={
        "_csrf_token": token, "currency": "EUR", "per_order": "500.00", "per_month": "lots", "approval_limit": ""})
    assert refused.status_code == 400 and 'id="per_month-error"' in refused.text and 'value="500.00"' in refused.text
    # when typed right, then the API reads the same limits
    saved = await admin.post(f"/team/{ids['purchaser']}/spending-limits", data={
        "_csrf_token": token, "currency": "EUR", "per_order": "500.00", "per_month": "2,000", "approval_limit": ""})
    assert saved.status_code == 303, saved.text
    limit = (await (await api(world.buyer_admin)).get(f"/api/v1/spending-limits/{ids['purchaser']}")).json()
    assert (Decimal(limit["per_order"]), Decimal(limit["per_month"]), limit["approval_limit"]) == (
        Decimal(500), Decimal(2000), None)


@pytest.mark.parametrize("who", ["purchaser", "approver", "vendor_admin", "other_buyer_admin"])
async def test_anyone_but_the_companys_admin_gets_the_404_of_a_missing_page(who, world, api, browser):
    # given the buyer's controls, and a user who is not its admin
    ids = await _controls(world, api)
    client = await browser(getattr(world, who))
    missing = await client.get("/spending/no-such-page")
    token = csrf_token((await client.get("/settings")).text)
    # when it opens or posts to each admin page, then it gets exactly what a missing page (or object) gets
    for path in ADMIN_PAGES:
        url = path.format(**ids)
        got = await client.get(url)
        if who == "other_buyer_admin":  # an admin of another company: our objects are missing objects to it
            twin = await client.get(path.format(rule=2_147_483_000, budget=2_147_483_000, purchaser=2_147_483_000))
            assert _same(got) == _same(twin), url
            assert got.status_code in (200, 404), url
        else:
            assert (got.status_code, got.text) == (404, missing.text), url
    for path in ADMIN_POSTS:
        if who == "other_buyer_admin" and "{" not in path:
            continue  # the forms of its own company's controls
        url = path.format(**ids)
        got = await client.post(url, data={"_csrf_token": token, "confirmed": "yes", "name": "x", "code": "x"})
        if who != "other_buyer_admin":
            assert (got.status_code, got.text) == (404, missing.text), url
        else:
            twin = await client.post(path.format(rule=2_147_483_000, budget=2_147_483_000, purchaser=2_147_483_000),
                                     data={"_csrf_token": token, "confirmed": "yes", "name": "x", "code": "x"})
            assert _same(got) == _same(twin) and got.status_code == 404, url
    # and the buyer's controls are as they were
    admin = await api(world.buyer_admin)
    assert [r["name"] for r in (await admin.get("/api/v1/approval-rules")).json()] == ["Big"]
    assert [Decimal(b["amount"]) for b in (await admin.get("/api/v1/budgets")).json()] == [Decimal(1000)]


async def test_a_cost_center_refused_comes_back_with_its_colleagues_still_ticked(world, api, browser):
    await _controls(world, api)
    admin = await browser(world.buyer_admin)
    page = await admin.get("/spending")
    purchaser = await user_id(world.purchaser)
    assert "Purchaser (purchaser)" in page.text  # colleagues by name, never by id
    refused = await admin.post("/spending/cost-centers", data={
        "_csrf_token": csrf_token(page.text), "code": "CC-1", "name": "Ward again", "user_ids": [str(purchaser)]})
    assert refused.status_code == 409 and "already has a cost center CC-1" in refused.text
    assert f'name="user_ids" value="{purchaser}" checked' in refused.text and 'value="Ward again"' in refused.text
