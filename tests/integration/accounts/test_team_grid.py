"""The team page is a grid of the caller's own company's users: sort, search by name or e-mail, role and status
filters, paging in SQL, export of the selection; another company's users never appear, in the page or the file."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from piccolo.apps.user.tables import BaseUser

from app.accounts import services
from app.accounts.tables import Membership
from tests.support.fixtures import csrf_token, make_user
from tests.support.offers import principal
from tests.support.pages import form_fields, main_of
from tests.support.parties import user_id


async def active(*user_ids: int) -> list[bool]:
    rows = await BaseUser.select(BaseUser.id, BaseUser.active).where(BaseUser.id.is_in(list(user_ids)))
    by_id = {row["id"]: row["active"] for row in rows}
    return [by_id[user] for user in user_ids]


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


async def test_an_admin_deactivates_ticked_colleagues_all_or_none(world, browser):
    # given a buyer admin with two colleagues to deactivate
    session = await browser(world.buyer_admin)
    page = await session.get("/team?q=example")
    assert 'form="bulk-team"' in page.text and 'action="/team/bulk"' in page.text
    purchaser, approver = await user_id(world.purchaser), await user_id(world.approver)
    token = csrf_token(page.text)
    # when one of the ticked is another company's user, nothing changes, in the words of a missing user
    foreign = await user_id(world.other_buyer_admin)
    refused = await session.post("/team/bulk", data={"_csrf_token": token, "action": "deactivate",
                                                     "user_id": [str(purchaser), str(foreign)]})
    assert refused.status_code == 303
    assert "No such user. Nothing changed." in (await session.get(refused.headers["location"])).text
    # when the admin ticks itself, nothing changes either
    itself = await session.post("/team/bulk", data={"_csrf_token": token, "action": "deactivate",
                                                    "user_id": [str(purchaser), str(await user_id(world.buyer_admin))]})
    assert "cannot deactivate yourself" in (await session.get(itself.headers["location"])).text
    assert await active(purchaser, approver, foreign) == [True, True, True]
    # when it ticks the two colleagues, it is asked once more, naming both; nothing changed yet
    asked = await session.post("/team/bulk", data={"_csrf_token": token, "action": "deactivate",
                                                   "next": "/team?q=example",
                                                   "user_id": [str(purchaser), str(approver)]})
    assert asked.status_code == 200 and "Deactivate 2 colleagues?" in asked.text
    assert world.purchaser in asked.text and world.approver in asked.text
    assert await active(purchaser, approver) == [True, True]
    # and once it confirms, both are deactivated and it is back on its view
    confirmed = {**form_fields(asked.text, "/team/bulk"),
                 "user_id": re.findall(r'name="user_id" value="(\d+)"', asked.text)}
    assert confirmed["confirmed"] == "yes" and sorted(confirmed["user_id"]) == sorted([str(purchaser), str(approver)])
    done = await session.post("/team/bulk", data=confirmed)
    assert done.headers["location"] == "/team?q=example"
    assert "2 colleagues deactivated" in (await session.get(done.headers["location"])).text
    assert await active(purchaser, approver, foreign) == [False, False, True]


async def test_a_colleague_who_is_no_admin_gets_no_bulk_form_and_cannot_deactivate(world, browser):
    session = await browser(world.purchaser)
    page = await session.get("/team")
    assert 'action="/team/bulk"' not in page.text
    approver = await user_id(world.approver)
    done = await session.post("/team/bulk", data={"_csrf_token": csrf_token(page.text), "action": "deactivate",
                                                  "confirmed": "yes", "user_id": [str(approver)]})
    assert done.status_code == 303
    assert await active(approver) == [True]
    forged = await session.post("/team/bulk", data={"action": "deactivate", "user_id": [str(approver)]})
    assert forged.status_code == 403
