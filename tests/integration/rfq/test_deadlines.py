"""Bidding ends on its own: the delayed message on the broker, the sweeper when it is lost or too far out,
an idempotent close that tells the buyer once, and one reminder to vendors that have not answered."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from app import db
from app.clock import utcnow
from app.notifications.tables import OutboxEmail
from app.offers.tables import Offer
from app.rfq import deadlines, tasks
from app.rfq.tables import Rfq, RfqInvitation
from app.worker import broker
from tests.support.fixtures import drain, make_company, make_user
from tests.support.rfq import a_published, emails_to, iso


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


async def status_of(rfq_id: int) -> str:
    return (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"]


async def closing_mails() -> list[str]:
    rows = await OutboxEmail.select(OutboxEmail.to_address).where(OutboxEmail.subject.like("Bidding closed%"))
    return sorted(row["to_address"] for row in rows)


async def wait_until_closed(rfq_id: int, seconds: float = 20) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:  # polling the database: the worker runs on its own thread
        if await status_of(rfq_id) == "closed":
            return
        await asyncio.sleep(0.2)


async def test_the_delayed_message_closes_the_rfq_at_its_deadline(world, purchaser, worker):
    # given an RFQ published with a deadline a few seconds away
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(seconds=3)))
    assert await status_of(rfq["id"]) == "published"
    # when the deadline passes (nobody calls anything: the worker runs the delayed message)
    await wait_until_closed(rfq["id"])
    drain("rfq", "mail")
    # then
    assert await status_of(rfq["id"]) == "closed"
    assert await closing_mails() == sorted([world.purchaser, world.buyer_admin])
    closed_at = (await Rfq.select(Rfq.closed_at, Rfq.deadline).where(Rfq.id == rfq["id"]).first())
    assert closed_at["closed_at"] >= closed_at["deadline"]


async def test_the_sweeper_closes_an_rfq_whose_message_was_lost(world, purchaser, worker):
    # given a published RFQ with no closing message on the broker (lost), and a deadline that has passed
    rfq = await a_published(purchaser, world)
    broker.flush_all()
    await Rfq.update({Rfq.deadline: utcnow() - timedelta(seconds=1)}).where(Rfq.id == rfq["id"])
    # when the sweeper runs
    tasks.sweep_rfqs.send()
    drain("default", "mail")
    # then
    assert await status_of(rfq["id"]) == "closed"
    assert await closing_mails() == sorted([world.purchaser, world.buyer_admin])


async def test_a_second_close_sends_no_second_email(world, purchaser, worker):
    # given an RFQ closed at its deadline by its message
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(seconds=2)))
    await wait_until_closed(rfq["id"])
    drain("rfq")
    # when the message is delivered twice more, the sweeper runs and the service is called again
    tasks.close_rfq_at_deadline.send(rfq["id"])
    tasks.close_rfq_at_deadline.send(rfq["id"])
    tasks.sweep_rfqs.send()
    drain("rfq", "default", "mail")
    again = await deadlines.close_if_due(rfq["id"])
    # then
    assert again is False
    assert await closing_mails() == sorted([world.purchaser, world.buyer_admin])


async def test_an_early_message_closes_nothing(world, purchaser):
    rfq = await a_published(purchaser, world)
    assert await deadlines.close_if_due(rfq["id"]) is False
    assert await status_of(rfq["id"]) == "published"
    assert await closing_mails() == []


async def test_a_cancelled_rfq_is_not_closed_by_its_message(world, purchaser):
    rfq = await a_published(purchaser, world)
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/cancel", json={"reason": "Budget cut"})
    await Rfq.update({Rfq.deadline: utcnow() - timedelta(seconds=1)}).where(Rfq.id == rfq["id"])
    assert await deadlines.close_if_due(rfq["id"]) is False
    assert await status_of(rfq["id"]) == "cancelled"


async def test_publishing_schedules_a_message_only_for_deadlines_within_the_brokers_range(world, purchaser):
    near = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(days=3)))
    far = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(days=30)))
    rows = {r["id"]: r for r in await Rfq.select(Rfq.id, Rfq.deadline, Rfq.close_scheduled_for)}
    assert rows[near["id"]]["close_scheduled_for"] == rows[near["id"]]["deadline"]
    assert rows[far["id"]]["close_scheduled_for"] is None


async def test_the_sweeper_schedules_deadlines_that_came_within_range_once(world, purchaser):
    # given an RFQ whose deadline was a month out at publishing and is now two days away
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(days=30)))
    soon = utcnow() + timedelta(days=2)
    await Rfq.update({Rfq.deadline: soon}).where(Rfq.id == rfq["id"])
    # when the sweeper runs twice
    first = await tasks.sweep()
    second = await tasks.sweep()
    # then one message is scheduled, for the new deadline
    assert (first["scheduled"], second["scheduled"]) == (1, 0)
    row = await Rfq.select(Rfq.close_scheduled_for).where(Rfq.id == rfq["id"]).first()
    assert row["close_scheduled_for"] == soon


async def test_an_extension_reschedules_and_the_old_message_is_a_no_op(world, purchaser):
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(hours=2)))
    later = utcnow() + timedelta(days=2)
    assert (await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(later)})).status_code == 200
    row = await Rfq.select(Rfq.close_scheduled_for).where(Rfq.id == rfq["id"]).first()
    assert row["close_scheduled_for"] == later
    assert await deadlines.close_if_due(rfq["id"]) is False  # the first message, arriving at the old deadline


async def test_unanswered_vendors_get_one_reminder_a_day_before_the_deadline(world, purchaser):
    # given three invited vendors: one silent, one that offered, one that declined
    offered = await make_company("vendor")
    declined = await make_company("vendor")
    offered_admin = await make_user(offered.id, "vendor_admin")
    declined_admin = await make_user(declined.id, "vendor_admin")
    rfq = await a_published(purchaser, world, vendor_ids=[world.vendor.id, offered.id, declined.id],
                            deadline=iso(utcnow() + timedelta(hours=12)))
    await Offer(rfq=rfq["id"], vendor=offered.id, created_at=utcnow()).save()
    await RfqInvitation.update({RfqInvitation.declined_at: utcnow()}).where(
        (RfqInvitation.rfq == rfq["id"]) & (RfqInvitation.vendor == declined.id)
    )
    # when the sweeper runs twice
    first = await tasks.sweep()
    second = await tasks.sweep()
    # then only the silent vendor is reminded, once
    assert (first["reminded"], second["reminded"]) == (1, 0)
    reminders = [m for m in await emails_to(world.vendor_admin) if m["subject"].startswith("Reminder")]
    assert len(reminders) == 1
    assert f"/vendor/rfqs/{rfq['id']}" in reminders[0]["body_text"]
    for address in (offered_admin, declined_admin):
        assert not [m for m in await emails_to(address) if m["subject"].startswith("Reminder")]


async def test_no_reminder_while_the_deadline_is_more_than_a_day_away(world, purchaser):
    await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(hours=25)))
    assert (await tasks.sweep())["reminded"] == 0


async def test_the_deadline_is_judged_by_the_database_clock(world, purchaser):
    rfq = await a_published(purchaser, world)
    now = await db.db_now()
    await Rfq.update({Rfq.deadline: now + timedelta(seconds=1)}).where(Rfq.id == rfq["id"])
    assert await deadlines.close_if_due(rfq["id"]) is False
    await asyncio.sleep(1.2)
    assert await deadlines.close_if_due(rfq["id"]) is True
