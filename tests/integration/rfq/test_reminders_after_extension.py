"""After an extension the 24-hour reminder counts from the new deadline: sent again when the new deadline is
more than a day away (the old reminder's "closes within a day" no longer holds), not when it is still within it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.rfq import tasks
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.rfq import a_published, emails_to, iso


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


async def reminders_to(address: str) -> int:
    return len([m for m in await emails_to(address) if m["subject"].startswith("Reminder")])


async def reminded_at(rfq_id: int):  # type: ignore[no-untyped-def]
    row = await RfqInvitation.select(RfqInvitation.reminded_at).where(RfqInvitation.rfq == rfq_id).first()
    return row["reminded_at"]


async def test_an_extension_beyond_a_day_sends_the_reminder_again_before_the_new_deadline(world, purchaser):
    # given an RFQ closing in 12 hours whose silent vendor was reminded
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(hours=12)))
    assert (await tasks.sweep())["reminded"] == 1
    # when the buyer extends it by three days
    later = utcnow() + timedelta(days=3)
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(later)})
    assert response.status_code == 200, response.text
    # then the reminder is due again, but not sent while the new deadline is more than a day away
    assert await reminded_at(rfq["id"]) is None
    assert (await tasks.sweep())["reminded"] == 0
    # and once the new deadline is within a day, the vendor is reminded a second time, once
    await Rfq.update({Rfq.deadline: utcnow() + timedelta(hours=20)}).where(Rfq.id == rfq["id"])
    assert (await tasks.sweep())["reminded"] == 1
    assert (await tasks.sweep())["reminded"] == 0
    assert await reminders_to(world.vendor_admin) == 2


async def test_an_extension_that_stays_within_the_day_sends_no_second_reminder(world, purchaser):
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(hours=12)))
    assert (await tasks.sweep())["reminded"] == 1
    first = await reminded_at(rfq["id"])
    later = utcnow() + timedelta(hours=18)
    assert (await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(later)})).status_code == 200
    assert await reminded_at(rfq["id"]) == first
    assert (await tasks.sweep())["reminded"] == 0
    assert await reminders_to(world.vendor_admin) == 1


async def test_an_extension_before_any_reminder_changes_nothing_but_the_deadline(world, purchaser):
    rfq = await a_published(purchaser, world, deadline=iso(utcnow() + timedelta(hours=30)))
    later = utcnow() + timedelta(days=3)
    assert (await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/extend", json={"deadline": iso(later)})).status_code == 200
    assert await reminded_at(rfq["id"]) is None
    assert (await tasks.sweep())["reminded"] == 0
    assert await reminders_to(world.vendor_admin) == 0
