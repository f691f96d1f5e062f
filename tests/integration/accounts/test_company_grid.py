"""The operators' companies page: every company as a grid, ticked ones suspended or reactivated together."""

from __future__ import annotations

import io

import openpyxl

from app.accounts.tables import Company
from tests.support.fixtures import csrf_token, make_company


async def status_of(*ids: int) -> list[str]:
    rows = await Company.select(Company.status).where(Company.id.is_in(list(ids))).order_by(Company.id)
    return [row["status"] for row in rows]


async def test_an_operator_finds_companies_and_suspends_two_at_once(world, browser):
    # given two more vendors with names to search for
    acme = await make_company("vendor", name="Acme Tools")
    zeta = await make_company("vendor", name="Zeta Tools")
    session = await browser(world.operator)
    # when the operator looks for vendors named "tools", the last name first
    page = await session.get("/operator/companies?q=tools&kind=vendor&sort=-name")
    assert page.status_code == 200
    assert page.text.index("Zeta Tools") < page.text.index("Acme Tools")
    assert world.buyer.name not in page.text
    # and suspends both
    response = await session.post("/operator/companies/bulk", data={
        "_csrf_token": csrf_token(page.text), "company_id": [str(acme.id), str(zeta.id)], "action": "suspend"})
    assert response.status_code == 303
    assert await status_of(acme.id, zeta.id) == ["suspended", "suspended"]
    assert "2 companies suspended." in (await session.get(response.headers["location"])).text
    # and the suspended ones are what the status filter and the export show
    exported = await session.get("/operator/companies/export.xlsx?status=suspended")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content))["Companies"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Acme Tools", "Zeta Tools"]


async def test_an_operator_company_is_never_suspended_from_the_list_and_nothing_changes(world, browser):
    session = await browser(world.operator)
    page = await session.get("/operator/companies")
    response = await session.post("/operator/companies/bulk", data={
        "_csrf_token": csrf_token(page.text), "action": "suspend",
        "company_id": [str(world.vendor.id), str(world.operator_company.id)]})
    after = await session.get(response.headers["location"])
    assert "is an operator company: it cannot be suspended here. Nothing changed." in after.text
    assert await status_of(world.operator_company.id, world.vendor.id) == ["active", "active"]


async def test_only_operators_see_the_companies(world, browser):
    for user in (world.buyer_admin, world.vendor_admin):
        session = await browser(user)
        assert (await session.get("/operator/companies")).status_code == 403
        assert (await session.get("/operator/companies/export.csv")).status_code == 403
