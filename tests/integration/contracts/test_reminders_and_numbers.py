"""Expiry reminders once each to both parties, the expiry sweep, and contract numbers under concurrency."""

import asyncio
from datetime import timedelta

from app import db
from app.contracts import lifecycle, terms
from app.contracts.tables import Contract
from app.notifications.tables import OutboxEmail
from tests.support.fixtures import make_user


async def reminders() -> list[tuple[str, str]]:
    rows = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.subject).where(
        OutboxEmail.subject.like("%ends in%")).order_by(OutboxEmail.id)
    return [(r["to_address"], r["subject"]) for r in rows]


async def ends_in(contract_id: int, delta: timedelta) -> None:
    await Contract.update({Contract.valid_to: await db.db_now() + delta}).where(Contract.id == contract_id)


async def test_the_30_and_7_day_reminders_go_to_both_parties_once_each(awarded):
    world = awarded.world
    sales = await make_user(world.vendor.id, "vendor_sales")
    # a contract far from its end gets nothing
    assert (await lifecycle.sweep())["reminded"] == 0
    # when it ends in 20 days, the 30-day reminder goes to the buyer's deciders and the vendor's sellers
    await ends_in(awarded.contract_id, timedelta(days=20))
    assert (await lifecycle.sweep())["reminded"] == 1
    subject = f"Contract {awarded.number} ends in 30 days"
    assert sorted(await reminders()) == sorted(
        (address, subject) for address in (world.buyer_admin, world.approver, world.vendor_admin, sales))
    # and a second or concurrent sweep sends nothing more
    await asyncio.gather(lifecycle.sweep(), lifecycle.sweep())
    assert len(await reminders()) == 4
    # when 5 days are left the 7-day reminder goes, once
    await ends_in(awarded.contract_id, timedelta(days=5))
    assert (await lifecycle.sweep())["reminded"] == 1
    assert (await lifecycle.sweep())["reminded"] == 0
    assert [s for _, s in await reminders()].count(f"Contract {awarded.number} ends in 7 days") == 4


async def test_a_terminated_contract_gets_no_reminder_and_an_ended_one_is_marked_expired(awarded, api):
    await ends_in(awarded.contract_id, timedelta(days=3))
    assert (await (await api(awarded.world.buyer_admin)).post(
        f"/api/v1/contracts/{awarded.contract_id}/terminate", json={"reason": "Closed"})).status_code == 200
    assert (await lifecycle.sweep())["reminded"] == 0
    # an active contract past its end is marked expired for lists (prices stopped by the dates already)
    await Contract.update({Contract.terminated_at: None, Contract.status: "active"}).where(
        Contract.id == awarded.contract_id)
    await ends_in(awarded.contract_id, -timedelta(minutes=1))
    assert (await lifecycle.sweep())["expired"] == 1
    assert (await Contract.select(Contract.status).first())["status"] == "expired"
    listed = (await (await api(awarded.world.purchaser)).get("/api/v1/contracts")).json()["items"]
    assert [c["status"] for c in listed] == ["expired"]


async def number_in_own_transaction(year: int) -> str:
    async with db.transaction():
        return await terms.next_number(year)


async def test_contract_numbers_are_unique_and_consecutive_under_concurrency(clean_database):
    numbers = await asyncio.gather(*[number_in_own_transaction(2031) for _ in range(12)])
    assert sorted(numbers) == [f"C-2031-{n:06d}" for n in range(1, 13)]
    assert await number_in_own_transaction(2032) == "C-2032-000001"
