from datetime import UTC, datetime, timedelta

from app.accounts.tables import Company
from tests.support.fixtures import make_company


async def test_times_come_back_timezone_aware_in_utc():
    company = await make_company("buyer")
    assert company.created_at.tzinfo is not None
    assert company.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - company.created_at) < timedelta(minutes=1)


async def test_a_time_given_in_another_zone_is_stored_as_the_same_instant():
    from zoneinfo import ZoneInfo

    company = await make_company("buyer")
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # just after the DST switch
    await Company.update({Company.created_at: berlin}).where(Company.id == company.id)
    stored = (await Company.select(Company.created_at).where(Company.id == company.id).first())["created_at"]
    assert stored == berlin
    assert stored.utcoffset() == timedelta(0)


async def test_the_database_clock_is_aware_utc_and_close_to_ours():
    from app import db

    moment = await db.db_now()
    assert moment.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - moment) < timedelta(seconds=5)
    async with db.transaction():
        first = await db.db_now()
        second = await db.db_now()
    assert second >= first  # the wall clock, not the transaction's start
