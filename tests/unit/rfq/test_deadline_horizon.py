"""The deadline bound: a new deadline or an extension at most two years ahead (MAX_DEADLINE_AHEAD), never
converted on the way, so the year 9999 in any offset is a RuleError rather than an OverflowError."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rfq import rules

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60 - 59, 23 * 60 + 59))


def accepted(deadline: datetime, now: datetime = NOW) -> bool:
    try:
        rules.check_deadline_horizon(deadline, now)
    except rules.RuleError:
        return False
    return True


def test_two_years_ahead_is_the_last_moment_taken():
    assert accepted(NOW + rules.MAX_DEADLINE_AHEAD)
    assert not accepted(NOW + rules.MAX_DEADLINE_AHEAD + timedelta(microseconds=1))
    assert accepted(NOW + timedelta(days=1))


def test_the_refusal_says_the_bound_and_the_latest_moment():
    with pytest.raises(rules.RuleError, match=r"at most 2 years ahead: at the latest Jan 11, 2029, 12:00 UTC"):
        rules.check_deadline_horizon(datetime(2035, 1, 1, tzinfo=UTC), NOW)


@pytest.mark.parametrize("offset_hours", [-23, -5, 0, 5, 14])
def test_the_year_9999_is_refused_in_any_offset_without_overflow(offset_hours):
    deadline = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=offset_hours)))
    assert not accepted(deadline)


def test_a_naive_deadline_is_judged_as_utc():
    assert accepted((NOW + timedelta(days=30)).replace(tzinfo=None))
    assert not accepted(datetime(9999, 1, 1))


def test_a_moment_at_the_calendars_start_is_in_the_past_not_an_overflow():
    deadline = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    assert accepted(deadline)  # not too far ahead...
    with pytest.raises(rules.RuleError, match="in the future"):  # ...but over, and saying so
        rules.check_deadline(deadline, NOW)


@pytest.mark.parametrize("today", [datetime(2026, 2, 28, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC),
                                   datetime(2028, 2, 29, 23, 59, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)])
def test_the_same_date_two_years_on_is_always_within_reach(today):
    try:
        same_date = today.replace(year=today.year + 2)
    except ValueError:  # 29 February
        same_date = today.replace(year=today.year + 2, day=28)
    assert accepted(same_date.replace(hour=23, minute=59), today)


@given(
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    ahead=st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=4000)),
    offset=offsets,
)
def test_a_deadline_is_accepted_exactly_when_it_is_at_most_the_bound_ahead(now, ahead, offset):
    deadline = (now + ahead).astimezone(offset)
    assert accepted(deadline, now) is (ahead <= rules.MAX_DEADLINE_AHEAD)


@given(deadline=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=offsets),
       now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)))
def test_comparing_unconverted_moments_agrees_with_converting_them(deadline, now):
    assert rules.bidding_over(deadline, now) is (now >= deadline.astimezone(UTC))
