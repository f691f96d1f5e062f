"""A price list is for exactly one segment or one buyer company: the database refuses anything else,
and every writer (API, piccolo-admin) says what to fix instead of failing with a 500."""

import importlib
import sqlite3

import asyncpg
import pytest

from app.catalog.tables import PriceList, Segment
from app.clock import utcnow
from tests.support.curation import back_office

INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)
MIGRATION = importlib.import_module("app.catalog.piccolo_migrations.catalog_2026_11_29t18_40_00_000000")


async def a_segment(name: str = "Healthcare") -> int:
    segment = Segment(name=name)
    await segment.save()
    return segment.id


async def a_price_list(*, segment: int | None = None, company: int | None = None) -> int:
    price_list = PriceList(name="Hospitals 2026", segment=segment, company=company, currency="EUR",
                           created_at=utcnow())
    await price_list.save()
    return price_list.id


async def stored_parties() -> list[dict]:
    return await PriceList.select(PriceList.id, PriceList.segment, PriceList.company).order_by(PriceList.id)


# --- the database -------------------------------------------------------------------------------


@pytest.mark.parametrize("parties", ["both", "neither"])
async def test_the_database_refuses_a_new_price_list_for_both_or_neither(world, parties):
    # given a segment and a buyer company
    segment = await a_segment()
    owners = {"segment": segment, "company": world.buyer.id} if parties == "both" else {}
    # when a price list is inserted for both or neither, through the ORM or plain SQL
    with pytest.raises(INTEGRITY_ERRORS, match="price_list_for_one_party"):
        await a_price_list(**owners)
    with pytest.raises(INTEGRITY_ERRORS, match="price_list_for_one_party"):
        await PriceList.raw(
            "INSERT INTO price_list (name, segment, company, currency, created_at) VALUES ({}, {}, {}, 'EUR', {})",
            "Raw", owners.get("segment"), owners.get("company"), utcnow(),
        )
    # then nothing was written
    assert await PriceList.count() == 0


async def test_the_database_takes_a_price_list_for_one_party(world):
    segment = await a_segment()
    for_segment = await a_price_list(segment=segment)
    for_company = await a_price_list(company=world.buyer.id)
    assert await stored_parties() == [
        {"id": for_segment, "segment": segment, "company": None},
        {"id": for_company, "segment": None, "company": world.buyer.id},
    ]


async def test_the_database_refuses_to_give_a_price_list_both_parties_or_none(world):
    # given a price list for a segment
    segment = await a_segment()
    price_list = await a_price_list(segment=segment)
    # when it is updated to be for the company too, or for nobody
    for values in ({PriceList.company: world.buyer.id}, {PriceList.segment: None}):
        with pytest.raises(INTEGRITY_ERRORS, match="price_list_for_one_party"):
            await PriceList.update(values).where(PriceList.id == price_list)
    # then it is still for the segment; moving it from the segment to the company in one update is fine
    assert await stored_parties() == [{"id": price_list, "segment": segment, "company": None}]
    await PriceList.update({PriceList.segment: None, PriceList.company: world.buyer.id}).where(
        PriceList.id == price_list
    )
    assert await stored_parties() == [{"id": price_list, "segment": None, "company": world.buyer.id}]


async def test_the_migration_stops_on_existing_broken_rows_and_names_them(world):
    # given the rule is not there yet, and two of three price lists break it
    manager = await MIGRATION.forwards()
    await manager.run(backwards=True)
    restored = False
    try:
        segment = await a_segment()
        await a_price_list(segment=segment)
        both = await a_price_list(segment=segment, company=world.buyer.id)
        neither = await a_price_list()
        # when the migration runs
        with pytest.raises(RuntimeError, match=f"price lists {both}, {neither} are for both") as refused:
            await manager.run()
        # then it says what to do and changed nothing
        assert "give each exactly one (or delete it), then run the migration again" in str(refused.value)
        assert len(await stored_parties()) == 3
        # and once they are fixed it goes through, and the rule holds
        await PriceList.update({PriceList.company: None}).where(PriceList.id == both)
        await PriceList.delete().where(PriceList.id == neither)
        await manager.run()
        restored = True
        with pytest.raises(INTEGRITY_ERRORS, match="price_list_for_one_party"):
            await a_price_list()
    finally:
        if not restored:  # the other tests need the rule back, whatever failed above
            await PriceList.delete(force=True)
            await manager.run()


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parties", "message"), [
    ("both", "give either segment_id or company_id, not both"),
    ("neither", "give segment_id or company_id: the segment or buyer company the prices are for"),
])
async def test_the_api_refuses_both_or_neither_with_what_to_fix(world, api, parties, message):
    operator = await api(world.operator)
    segment = await a_segment()
    owners = {"segment_id": segment, "company_id": world.buyer.id} if parties == "both" else {}
    response = await operator.post("/api/v1/price-lists", json={"name": "Hospitals", "currency": "EUR", **owners})
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert await PriceList.count() == 0


# --- piccolo-admin ------------------------------------------------------------------------------


@pytest.mark.parametrize(("parties", "field", "message"), [
    ("both", "company", "give either segment or company, not both"),
    ("neither", "segment", "give segment or company: the segment or buyer company the prices are for"),
])
async def test_the_back_office_refuses_a_new_price_list_for_both_or_neither(world, browser, parties, field,
                                                                             message):
    # given an operator in the back office
    session = await back_office(browser, world.operator)
    segment = await a_segment()
    owners = {"segment": segment, "company": world.buyer.id} if parties == "both" else {"segment": None}
    # when they create a price list for both or neither
    response = await session.post("/admin/api/tables/price_list/", json={
        "name": "Hospitals", "currency": "EUR", "created_at": utcnow().isoformat(), **owners})
    # then the form hears which field to fix and why (piccolo-admin shows "<field> field - <msg>"), and nothing
    # is written
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field and message in error["msg"]
    assert await PriceList.count() == 0
    # and one party is fine
    made = await session.post("/admin/api/tables/price_list/", json={
        "name": "Hospitals", "currency": "EUR", "segment": segment, "created_at": utcnow().isoformat()})
    assert made.status_code == 201, made.text
    assert await PriceList.count() == 1


async def test_the_back_office_refuses_to_edit_a_price_list_into_both_or_neither(world, browser):
    # given a price list for a segment
    session = await back_office(browser, world.operator)
    segment = await a_segment()
    price_list = await a_price_list(segment=segment)
    url = f"/admin/api/tables/price_list/{price_list}/"
    # when an operator adds the company, or clears the segment (PATCH as the edit form does, and PUT)
    for method, body in [("PATCH", {"company": world.buyer.id}), ("PATCH", {"segment": None}),
                         ("PUT", {"company": world.buyer.id}), ("PATCH", {"segment": None, "company": None})]:
        response = await session.request(method, url, json=body)
        # then it is a 422 that says what to fix, and the price list is unchanged
        assert response.status_code == 422, (method, body, response.text)
        [error] = response.json()["detail"]
        assert "give either segment or company, not both" in error["msg"] or "give segment or company:" in error["msg"]
    assert await stored_parties() == [{"id": price_list, "segment": segment, "company": None}]
    # and moving it from the segment to the company is fine
    moved = await session.patch(url, json={"segment": None, "company": world.buyer.id})
    assert moved.status_code == 200, moved.text
    assert await stored_parties() == [{"id": price_list, "segment": None, "company": world.buyer.id}]
