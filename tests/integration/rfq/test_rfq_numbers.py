"""RFQ numbers: what users see and quote instead of database ids — given out per year in order, never twice, in the
API, the pages and the e-mails; the RFQs made before numbers existed get theirs from the migration."""

from __future__ import annotations

import asyncio
import importlib
import re

from app import db
from app.rfq.tables import Rfq, RfqNumberCounter
from tests.support.rfq import a_draft, a_published, emails_to

NUMBERED = re.compile(r"RFQ-(\d{4})-(\d{6})")


async def test_drafts_are_numbered_in_order_and_the_number_is_what_users_see(world, api, browser):
    # given a buyer's two drafts
    client = await api(world.purchaser)
    first = await a_draft(client, world, title="Copper cable")
    second = await a_published(client, world, title="Hand gel")
    year = (await db.db_now()).year
    # then they are numbered in the order they were made, this year
    assert (first["number"], second["number"]) == (f"RFQ-{year}-000001", f"RFQ-{year}-000002")
    # and the list, the RFQ's page and the vendor's invitation e-mail say the number, not the id
    session = await browser(world.purchaser)
    assert f"RFQ-{year}-000001" in (await session.get("/rfqs")).text
    assert f"RFQ-{year}-000002" in (await session.get(f"/rfqs/{second['id']}")).text
    (invitation,) = [e for e in await emails_to(world.vendor_admin) if "Hand gel" in e["body_text"]]
    assert f"RFQ-{year}-000002" in invitation["body_text"] and f"RFQ {second['id']}" not in invitation["body_text"]
    # and a search finds an RFQ by its number
    found = (await session.get(f"/rfqs?q=RFQ-{year}-000001")).text
    assert "Copper cable" in found and "Hand gel" not in found


async def test_simultaneous_drafts_never_share_a_number(world, api):
    client = await api(world.purchaser)
    made = await asyncio.gather(*[a_draft(client, world, title=f"Lot {n}") for n in range(12)])
    numbers = [rfq["number"] for rfq in made]
    assert len(set(numbers)) == 12 and all(NUMBERED.fullmatch(number) for number in numbers)
    assert sorted(int(NUMBERED.fullmatch(n).group(2)) for n in numbers) == list(range(1, 13))


async def test_the_migration_numbers_earlier_rfqs_and_the_counter_continues_after_them(world, api):
    # given three RFQs as they were before numbers: none has one, and no counter was kept
    client = await api(world.purchaser)
    made = [await a_draft(client, world, title=f"Old {n}") for n in range(3)]
    await Rfq.update({Rfq.number: None}, force=True)
    await RfqNumberCounter.delete(force=True)
    # when the migration's step runs
    migration = importlib.import_module("app.rfq.piccolo_migrations.rfq_2026_12_05t13_00_01_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    # then each has its number, in the order they were made, and the next RFQ comes after them
    year = (await db.db_now()).year
    rows = await Rfq.select(Rfq.id, Rfq.number).order_by(Rfq.id)
    assert [row["number"] for row in rows] == [f"RFQ-{year}-{n:06d}" for n in (1, 2, 3)]
    assert [row["id"] for row in rows] == [rfq["id"] for rfq in made]
    assert (await a_draft(client, world, title="New"))["number"] == f"RFQ-{year}-000004"
