"""The /notifications page is a grid of the user's own notifications: sort, search, the read filter, paging in SQL,
export of the selection, and the ticked ones marked read at once; never another user's, in the page or the file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.notifications.services import queue_email
from app.notifications.tables import Notification
from tests.support.fixtures import csrf_token
from tests.support.pages import main_of
from tests.support.parties import user_id


async def notifications_of(world, email: str) -> list[dict]:
    return await Notification.select().where(Notification.recipient == await user_id(email)).order_by(Notification.id)


async def test_a_user_searches_sorts_and_filters_only_its_own_notifications(world, browser):
    # given three notifications for the purchaser, one read, and one for its colleague
    for subject in ("Bidding closed: gloves", "Order shipped", "Bidding closed: masks"):
        await queue_email(to=world.purchaser, subject=subject, body="Look:", link="/rfqs")
    await queue_email(to=world.buyer_admin, subject="Bidding closed: secret", body="Look:", link="/rfqs")
    session = await browser(world.purchaser)
    mine = await notifications_of(world, world.purchaser)
    token = csrf_token((await session.get("/notifications")).text)
    await session.post(f"/notifications/{mine[1]['id']}/open", data={"_csrf_token": token})
    # when it searches for "bidding", sorted by title from the last
    page = main_of((await session.get("/notifications?q=bidding&sort=-title")).text)
    # then it sees its own two, in that order, and not the colleague's
    assert page.index("Bidding closed: masks") < page.index("Bidding closed: gloves")
    assert "secret" not in page and "Order shipped" not in page
    # the read filter keeps the one it opened; unread the other two
    read = main_of((await session.get("/notifications?state=read")).text)
    assert "Order shipped" in read and "gloves" not in read
    unread = main_of((await session.get("/notifications?state=unread")).text)
    assert "Order shipped" not in unread and "gloves" in unread and "masks" in unread


async def test_the_grid_pages_in_sql_and_htmx_pushes_the_views_url(world, browser):
    for number in range(30):
        await queue_email(to=world.purchaser, subject=f"Event {number:02d}", body="Look:", link="/rfqs")
    session = await browser(world.purchaser)
    first = await session.get("/notifications")
    assert "1\u201325 of 30" in first.text and "Event 29" in first.text and "Event 04" not in first.text
    second = await session.get("/notifications?page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == "/notifications?page=2"
    assert "26\u201330 of 30" in second.text and "Event 04" in second.text and "Event 05" not in second.text


async def test_the_export_is_the_users_selection_neutralized(world, browser):
    # given a notification whose title a hostile party chose, and a colleague's
    await queue_email(to=world.purchaser, subject="=HYPERLINK(\"http://evil\")", body="Look:", link="/rfqs")
    await queue_email(to=world.purchaser, subject="Order shipped", body="Receive:", link="/orders")
    await queue_email(to=world.buyer_admin, subject="Not yours", body="Look:", link="/rfqs")
    session = await browser(world.purchaser)
    # when it downloads them as Excel and CSV
    xlsx = await session.get("/notifications/export.xlsx?sort=title")
    assert xlsx.status_code == 200
    assert 'filename="notifications.xlsx"' in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # then both of its own are there, the formula as text, the colleague's is not
    assert rows[0][:2] == ("Received (UTC)", "Title")
    titles = [row[1] for row in rows[1:]]
    assert titles == ["'=HYPERLINK(\"http://evil\")", "Order shipped"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    text = (await session.get("/notifications/export.csv?q=shipped")).text
    assert [row[1] for row in csv.reader(io.StringIO(text))] == ["Title", "Order shipped"]
    assert "Not yours" not in text


async def test_ticked_notifications_are_marked_read_and_the_header_follows(world, browser):
    for subject in ("One", "Two", "Three"):
        await queue_email(to=world.purchaser, subject=subject, body="Look:", link="/rfqs")
    await queue_email(to=world.buyer_admin, subject="Theirs", body="Look:", link="/rfqs")
    session = await browser(world.purchaser)
    mine = await notifications_of(world, world.purchaser)
    theirs = (await notifications_of(world, world.buyer_admin))[0]
    page = await session.get("/notifications?q=o")
    assert '<span class="badge">3</span>' in page.text
    # when it ticks two of its own and the colleague's id (a forged form)
    done = await session.post("/notifications/read", data={
        "_csrf_token": csrf_token(page.text), "next": "/notifications?q=o",
        "notification_id": [str(mine[0]["id"]), str(mine[1]["id"]), str(theirs["id"])]})
    # then its two are read, the colleague's is not, and it is back on its view
    assert done.status_code == 303 and done.headers["location"] == "/notifications?q=o"
    after = await session.get(done.headers["location"])
    assert "2 notifications marked read." in after.text
    assert '<span class="badge">1</span>' in after.text
    assert [row["read_at"] is not None for row in await notifications_of(world, world.purchaser)] == [
        True, True, False]
    assert (await notifications_of(world, world.buyer_admin))[0]["read_at"] is None


async def test_marking_read_without_a_tick_or_the_csrf_token_changes_nothing(world, browser):
    await queue_email(to=world.purchaser, subject="One", body="Look:", link="/rfqs")
    session = await browser(world.purchaser)
    page = await session.get("/notifications")
    nothing = await session.post("/notifications/read", data={"_csrf_token": csrf_token(page.text)})
    assert "Tick at least one of the notifications first." in (await session.get(nothing.headers["location"])).text
    forged = await session.post("/notifications/read", data={"notification_id": ["1"]})
    assert forged.status_code == 403
    garbage = await session.post("/notifications/read", data={"_csrf_token": csrf_token(page.text),
                                                               "notification_id": ["1; drop"]})
    assert garbage.status_code == 303
    assert await Notification.count().where(Notification.read_at.is_null()) == 1


@pytest.mark.parametrize("query", ["sort=body", "sort=-recipient", "page=0", "page=abc", "page=999999999",
                                   "state=maybe", "q=" + "x" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.purchaser)
    for path in ("/notifications", "/notifications/export.csv"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
