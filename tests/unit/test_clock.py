"""Moments shown and read in a person's zone (app/clock.py) and the locales and zones people may pick."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.clock import LocalTimeError, format_day, format_moment, local_to_utc, utc_to_local_input, zone_label
from app.locales import ANYWHERE, Place, PlaceError, parse_locale, parse_time_zone, place_for_country

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Europe/London",
         "America/Sao_Paulo", "Pacific/Auckland", "Australia/Lord_Howe"]
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31),
                       timezones=st.just(UTC)).map(lambda moment: moment.replace(second=0, microsecond=0))


def test_a_moment_is_shown_in_the_zone_with_the_zone_named_and_the_date_in_the_locale():
    moment = datetime(2026, 12, 4, 13, 5, tzinfo=UTC)
    assert format_moment(moment, "Europe/Berlin", "en_GB") == "4 Dec 2026, 14:05 CET"
    assert format_moment(moment, "Europe/Berlin", "de_DE") == "04.12.2026, 14:05 CET"
    assert format_moment(moment, "UTC", "en") == "Dec 4, 2026, 13:05 UTC"
    assert format_moment(moment.replace(month=7), "Europe/Berlin", "en_GB") == "4 Jul 2026, 15:05 CEST"
    assert format_moment(moment, "America/New_York", "en_US", seconds=True) == "Dec 4, 2026, 08:05:00 EST"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset():
    assert zone_label(datetime(2026, 12, 4, tzinfo=UTC), "Asia/Dubai") == "UTC+04"


def test_a_day_is_the_day_in_the_zone():
    late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert format_day(late, "UTC", "en_GB") == "4 Dec 2026"
    assert format_day(late, "Europe/Berlin", "en_GB") == "5 Dec 2026"
    assert format_day(date(2026, 12, 4), "Pacific/Auckland", "de_DE") == "04.12.2026"


def test_a_typed_time_is_read_in_the_zone():
    assert local_to_utc("2027-01-31T17:00", "Europe/Berlin") == datetime(2027, 1, 31, 16, 0, tzinfo=UTC)
    assert local_to_utc("2027-07-31T17:00", "Europe/Berlin") == datetime(2027, 7, 31, 15, 0, tzinfo=UTC)
    # a value with its own offset is taken as it says
    assert local_to_utc("2027-01-31T17:00+05:00", "Europe/Berlin") == datetime(2027, 1, 31, 12, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_clocks_going_forward_is_refused_with_what_to_type():
    with pytest.raises(LocalTimeError, match=r"2027-03-28 02:30 does not exist in Europe/Berlin.*03:30"):
        local_to_utc("2027-03-28T02:30", "Europe/Berlin")


def test_a_time_repeated_when_the_clocks_go_back_means_the_first():
    # 02:30 happens twice in Berlin on 31 Oct 2027: first in summer time (UTC+2)
    assert local_to_utc("2027-10-31T02:30", "Europe/Berlin") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "tomorrow", "2027-13-01T10:00", "31.01.2027 17:00"])
def test_an_unreadable_time_says_what_to_type(text):
    with pytest.raises(LocalTimeError, match="2027-01-31T17:00"):
        local_to_utc(text, "UTC")


@given(moments, st.sampled_from(ZONES))
def test_a_moment_round_trips_through_the_field_of_any_zone(moment, time_zone):
    local = moment.astimezone(ZoneInfo(time_zone))
    # the second of two repeated wall-clock times cannot be typed: fold=0 is taken
    assume(local.replace(fold=0).astimezone(UTC) == moment)
    assert local_to_utc(utc_to_local_input(moment, time_zone), time_zone) == moment


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31)), st.sampled_from(ZONES))
def test_every_typed_time_is_refused_or_shown_back_as_typed(naive, time_zone):
    naive = naive.replace(second=0, microsecond=0)
    try:
        moment = local_to_utc(naive.isoformat(), time_zone)
    except LocalTimeError as error:
        assert "does not exist" in str(error)
        return
    assert utc_to_local_input(moment, time_zone) == naive.strftime("%Y-%m-%dT%H:%M")
    assert moment.tzinfo is UTC or moment.utcoffset() == timedelta(0)


def test_no_moment_is_an_empty_field():
    assert utc_to_local_input(None, "Europe/Berlin") == ""


def test_a_country_gives_its_users_a_locale_and_zone_and_anywhere_else_english_and_utc():
    assert place_for_country("de") == Place("de_DE", "Europe/Berlin")
    assert place_for_country("US") == Place("en_US", "America/New_York")
    assert place_for_country("ZZ") == ANYWHERE == Place("en", "UTC")
    assert place_for_country(None) == ANYWHERE


def test_locales_and_zones_are_checked_and_named_canonically():
    assert parse_locale("de-de") == "de_DE"
    assert parse_time_zone(" Europe/Berlin ") == "Europe/Berlin"
    with pytest.raises(PlaceError, match="for example en, en_GB"):
        parse_locale("klingon")
    with pytest.raises(PlaceError, match="IANA time zone"):
        parse_time_zone("Mars/Olympus")
    with pytest.raises(PlaceError):
        parse_time_zone("../../etc/passwd")
