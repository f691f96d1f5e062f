"""Business numbers given out per year (contracts, RFQs): the next value of a year's counter, taken inside the
caller's transaction so that two writers never get the same one."""

from __future__ import annotations

from typing import Any


async def next_in_year(counter: Any, year: int) -> int:
    """The next sequence number of `year` in `counter` (a table of `year` → `last_value`).

    The year's row is created once (ON CONFLICT DO NOTHING) and incremented by one UPDATE … RETURNING, which holds
    the row's lock until commit on PostgreSQL (SQLite's immediate transaction excludes other writers); the unique
    index on the numbered table would refuse a duplicate anyway."""
    await counter.insert(counter(year=year, last_value=0)).on_conflict(target=counter.year, action="DO NOTHING")
    rows = await counter.update({counter.last_value: counter.last_value + 1}).where(counter.year == year).returning(
        counter.last_value)
    return int(rows[0]["last_value"])
