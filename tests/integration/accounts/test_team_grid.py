"""The team page is a grid of the caller's own company's users: sort, search by name or e-mail, role and status
filters, paging in SQL, export of the selection; another company's users never appear, in the page or the file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.accounts import services
from app.accounts.tables import Membership
from tests.support.fixtures import make_user
from tests.support.offers import principal
from tests.support.pages import main_of
from tests.support.parties import user_id


def positions(html: str, *texts: str) -> list[int]:
    return [main_of(html).index(text) for text in texts]


async def test_a_user_sorts_searches_and_filters_its_own_team(world, browser):
    # given the buyer's team (admin, purchaser, approver) with one colleague deactivated
    await services.deactivate_user(await principal(world.buyer_admin), await user_id(world.approver))
    session = await browser(world.purchaser)
    # when the purchaser opens the team page: by name, only its own company
    page = (await session.get("/team")).text
    assert positions(page, world.approver, world.buyer_admin, world.purchaser) == sorted(
        positions(page, world.approver, world.buyer_admin, world.purchaser))
    assert world.other_buyer_admin not in page and world.vendor_admin not in page
    # sorted by e-mail from the last
    by_email = (await session.get("/team?sort=-email")).text
    assert positions(by_email, world.purchaser, world.buyer_admin) == sorted(
        positions(by_email, world.purchaser, world.buyer_admin))
    # searched, and filtered by role and status
    searched = main_of((await session.get("/team?q=PURCH")).text)
    assert world.purchaser in searched and world.buyer_admin not in searched
    admins = main_of((await session.get("/team?role=buyer_admin")).text)
    assert world.buyer_admin in admins and world.purchaser not in admins
    inactive = main_of((await session.get("/team?status=inactive")).text)
    assert world.approver in inactive and world.purchaser not in inactive
    by_status = (await session.get("/team?sort=status")).text
    assert positions(by_status, world.approver, world.purchaser) == sorted(
        positions(by_status, world.approver, world.purchaser))


async def test_the_team_pages_in_sql(world, browser):
    for number in range(50):
        await make_user(world.buyer.id, "purchaser", email=f"staff{number:02d}@example.com")
    session = await browser(world.buyer_admin)
    first = main_of((await session.get("/team?sort=email")).text)
    assert "1\u201350 of 53" in first and "staff00@example.com" in first
    second = await session.get("/team?sort=email&page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == "/team?sort=email&page=2"
    assert "51\u201353 of 53" in second.text and "staff00@example.com" not in second.text


async def test_the_export_is_the_companys_own_team_neutralized(world, browser):
    await make_user(world.buyer.id, "purchaser", email="plus@example.com")
    membership = await Membership.select(Membership.id).where(
        Membership.user == await user_id("plus@example.com")).first()
    await Membership.update({Membership.name: "+1 (555) 0100"}).where(
        Membership.id == membership["id"])
    session = await browser(world.buyer_admin)
    xlsx = await session.get("/team/export.xlsx?sort=name")
    assert xlsx.status_code == 200 and 'filename="team.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Name", "E-mail", "Roles", "Status")
    assert rows[1] == ("'+1 (555) 0100", "plus@example.com", "purchaser", "active")
    assert {row[1] for row in rows[1:]} == {"plus@example.com", world.buyer_admin, world.purchaser, world.approver}
    text = (await session.get("/team/export.csv?q=purchaser")).content.decode("utf-8-sig")
    assert [row[1] for row in csv.reader(io.StringIO(text))] == ["E-mail", world.purchaser]
    vendor = (await (await browser(world.vendor_admin)).get("/team/export.csv")).text
    assert world.vendor_admin in vendor and world.buyer_admin not in vendor


@pytest.mark.parametrize("query", ["sort=roles", "sort=password", "page=0", "page=1e3", "role=operator_admin",
                                   "role=vendor_admin", "status=gone", "q=" + "w" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.purchaser)
    for path in ("/team", "/team/export.csv"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
