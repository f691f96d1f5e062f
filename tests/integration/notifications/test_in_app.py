"""In-app notifications: every e-mail event to a user makes one, in the same unit of work; the header counts the
unread; a user reads and marks only their own, and another user's answers exactly as a missing one."""

from __future__ import annotations

import re

import pytest

from app import db
from app.notifications.services import queue_email
from app.notifications.tables import Notification, OutboxEmail
from tests.support.fixtures import csrf_token
from tests.support.parties import user_id
from tests.support.rfq import a_published


def unread_in_header(html: str) -> int | None:
    match = re.search(r'href="/notifications" class="notifications-link">Notifications(?: <span class="badge">(\d+))?',
                      html)
    assert match, "no notifications link in the header"
    return int(match.group(1)) if match.group(1) else None


async def test_an_rfq_published_to_an_invited_vendor_notifies_its_user_with_the_e_mails_link(world, api):
    # given a buyer that publishes an RFQ inviting the vendor
    rfq = await a_published(await api(world.purchaser), world)
    # then the vendor's user has one notification per e-mail it was sent, linked to the page where it answers
    vendor_user = await user_id(world.vendor_admin)
    rows = await Notification.select().where(Notification.recipient == vendor_user)
    emails = await OutboxEmail.select(OutboxEmail.subject).where(OutboxEmail.to_address == world.vendor_admin)
    assert [row["title"] for row in rows] == [email["subject"] for email in emails] != []
    assert rows[0]["link"] == f"/vendor/rfqs/{rfq['id']}"
    assert rows[0]["read_at"] is None
    # the e-mail's text without its absolute link, nor the colon that introduced it
    assert "http" not in rows[0]["body"] and not rows[0]["body"].endswith(":")


async def test_an_e_mail_to_an_address_that_is_no_user_makes_no_notification(world):
    await queue_email(to="someone@outside.example", subject="Hello", body="Read this:", link="/dashboard")
    assert await OutboxEmail.count() == 1
    assert await Notification.count() == 0


async def test_a_notification_is_rolled_back_with_its_e_mail(world):
    # given a unit of work that queues an e-mail to a user, then fails
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await queue_email(to=world.purchaser, subject="Hello", body="Read this:", link="/dashboard")
            raise RuntimeError("the change failed")
    # then neither the e-mail nor its notification exists
    assert await OutboxEmail.count() == 0
    assert await Notification.count() == 0


async def test_the_api_lists_own_notifications_newest_first_and_marks_them_read(world, api):
    # given three e-mails to the purchaser and one to its colleague
    for number in (1, 2, 3):
        await queue_email(to=world.purchaser, subject=f"Event {number}", body="Look:", link=f"/rfqs/{number}")
    await queue_email(to=world.buyer_admin, subject="Not yours", body="Look:", link="/rfqs/9")
    client = await api(world.purchaser)
    # when the purchaser lists them two per page
    first = (await client.get("/api/v1/notifications", params={"per_page": 2})).json()
    # then it sees its own, newest first, with the unread count of all of them
    assert [item["title"] for item in first["items"]] == ["Event 3", "Event 2"]
    assert first["unread"] == 3 and first["next_page"] == 2
    second = (await client.get("/api/v1/notifications", params={"page": 2, "per_page": 2})).json()
    assert [item["title"] for item in second["items"]] == ["Event 1"] and second["next_page"] is None
    # when it marks one read
    marked = await client.post(f"/api/v1/notifications/{first['items'][0]['id']}/read")
    assert marked.status_code == 200, marked.text
    assert marked.json()["read_at"] is not None
    assert (await client.get("/api/v1/notifications")).json()["unread"] == 2
    # and then all of them
    everything = await client.post("/api/v1/notifications/read-all")
    assert everything.json() == {"marked": 2}
    assert (await client.get("/api/v1/notifications")).json()["unread"] == 0
    # the colleague's stays unread
    colleague = (await (await api(world.buyer_admin)).get("/api/v1/notifications")).json()
    assert colleague["unread"] == 1 and [item["title"] for item in colleague["items"]] == ["Not yours"]


async def test_another_users_notification_answers_exactly_as_a_missing_one(world, api, browser):
    # given a notification of the buyer admin's
    await queue_email(to=world.buyer_admin, subject="Private", body="Look:", link="/rfqs/1")
    theirs = (await Notification.select(Notification.id).first())["id"]
    intruder = await api(world.purchaser)
    # when a colleague marks it read, and asks for an id that does not exist
    stolen = await intruder.post(f"/api/v1/notifications/{theirs}/read")
    missing = await intruder.post(f"/api/v1/notifications/{theirs + 1000}/read")
    # then both are the same 404, and the notification stays unread
    assert stolen.status_code == missing.status_code == 404
    assert stolen.json() == missing.json()
    page = await browser(world.purchaser)
    token = {"_csrf_token": csrf_token((await page.get("/notifications")).text)}
    followed = await page.post(f"/notifications/{theirs}/open", data=token)
    absent = await page.post(f"/notifications/{theirs + 1000}/open", data=token)
    assert followed.status_code == absent.status_code == 404
    assert followed.text == absent.text
    assert (await Notification.select(Notification.read_at).first())["read_at"] is None


async def test_the_header_counts_unread_and_following_a_notification_marks_it_read(world, browser):
    # given two e-mails to the purchaser
    await queue_email(to=world.purchaser, subject="Bidding closed", body="Compare:", link="/rfqs")
    await queue_email(to=world.purchaser, subject="Order shipped", body="Receive:", link="/orders")
    page = await browser(world.purchaser)
    # then every page's header shows two unread
    assert unread_in_header((await page.get("/dashboard")).text) == 2
    listing = await page.get("/notifications")
    assert unread_in_header(listing.text) == 2
    assert "Bidding closed" in listing.text and "Order shipped" in listing.text
    # when it opens one (a POST: following a link changes nothing), it lands on the page where it acts and one
    # stays unread
    newest = (await Notification.select(Notification.id).order_by(Notification.id, ascending=False).first())["id"]
    assert f'action="/notifications/{newest}/open"' in listing.text
    assert (await page.get(f"/notifications/{newest}")).status_code in (404, 405)
    assert unread_in_header((await page.get("/dashboard")).text) == 2
    followed = await page.post(f"/notifications/{newest}/open", data={"_csrf_token": csrf_token(listing.text)})
    assert followed.status_code == 303 and followed.headers["location"] == "/orders"
    assert unread_in_header((await page.get("/dashboard")).text) == 1
    # and "mark all read" (a form with the page's CSRF token) leaves none
    done = await page.post("/notifications/read-all",
                           data={"_csrf_token": csrf_token((await page.get("/notifications")).text)})
    assert done.status_code == 303
    assert unread_in_header((await page.get("/dashboard")).text) is None


async def test_mark_all_read_without_the_csrf_token_is_refused(world, browser):
    await queue_email(to=world.purchaser, subject="Hello", body="Look:", link="/rfqs")
    page = await browser(world.purchaser)
    refused = await page.post("/notifications/read-all", data={})
    assert refused.status_code == 403
    assert await Notification.count().where(Notification.read_at.is_null()) == 1


async def test_a_page_number_out_of_range_is_a_400(world, api):
    client = await api(world.purchaser)
    assert (await client.get("/api/v1/notifications", params={"page": 0})).status_code == 400
    assert (await client.get("/api/v1/notifications", params={"per_page": 1000})).status_code == 400
