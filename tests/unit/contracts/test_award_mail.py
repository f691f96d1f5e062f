"""The vendor's "contract in force" e-mail names the validity in its reader's days and words."""

from datetime import UTC, datetime

from app.contracts.awards import _in_force
from app.locales import Place


def test_the_validity_is_written_in_each_readers_days():
    # given a contract valid from 23:30 UTC on 28 Feb, which is already 1 March in Berlin
    start, end = datetime(2027, 2, 28, 23, 30, tzinfo=UTC), datetime(2027, 12, 31, 12, 0, tzinfo=UTC)
    # then a reader in Berlin reads German days from 1 March; one in UTC English ones from 28 February
    german = _in_force("C-2027-000001", "RFQ-2027-000001", "Gloves", start, end, "", Place("de_DE", "Europe/Berlin"))
    english = _in_force("C-2027-000001", "RFQ-2027-000001", "Gloves", start, end, "", Place("en", "UTC"))
    assert "valid from 01.03.2027 to 31.12.2027" in german
    assert "valid from Feb 28, 2027 to Dec 31, 2027" in english
