"""The one source of the current time (timezone-aware UTC), and the one way a moment is shown to or read from people.

Moments are stored and computed in UTC. People see them in their own zone with the zone named ("4 Dec 2026, 14:05
CET"), and type them in their own zone into `datetime-local` fields; `local_to_utc` refuses a wall-clock time that
does not exist (the hour skipped when clocks go forward) and takes the first of two (the hour repeated in autumn).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date

from app.locales import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, babel_locale, zone


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be read: malformed, or skipped in that zone; the message says what to type."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored or parsed moment as aware UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def zone_label(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The zone's abbreviation at that moment ("CET", "CEST", "EST", "UTC"), or its offset from UTC ("UTC+03")
    where the zone has no abbreviation people use."""
    local = as_utc(moment).astimezone(zone(time_zone))
    name = local.tzname() or ""
    if name[:1] in "+-" or not name:
        return "UTC" + (name or "")
    return name


def format_moment(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE,
                  seconds: bool = False) -> str:
    """A moment as people read it: the date in the locale's medium form, the 24-hour time in their zone, the zone
    named: "Dec 4, 2026, 14:05 CET" (en), "04.12.2026, 14:05 CET" (de_DE)."""
    local = as_utc(moment).astimezone(zone(time_zone))
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    day = format_date(local.date(), "medium", locale=babel_locale(locale))
    return f"{day}, {clock} {zone_label(moment, time_zone)}"


def format_day(value: date | datetime, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE) -> str:
    """A calendar day in the locale's medium form; a moment is first taken to the day it is in `time_zone`."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(zone(time_zone)).date()
    return format_date(value, "medium", locale=babel_locale(locale))


def local_to_utc(text: str, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """The UTC moment of a wall-clock time typed in `time_zone` ("2027-01-31T17:00", a `datetime-local` value).

    A value with its own offset ("…+01:00", "…Z") is taken as given. A time skipped when the clocks go forward is
    refused; of a time that happens twice when they go back, the first (fold=0) is meant."""
    raw = (text or "").strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise LocalTimeError(f"{text!r} is not a date and time: type one such as 2027-01-31T17:00") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    where = zone(time_zone)
    moment = parsed.replace(tzinfo=where, fold=0).astimezone(UTC)
    if moment.astimezone(where).replace(tzinfo=None) != parsed:
        raise LocalTimeError(
            f"{parsed:%Y-%m-%d %H:%M} does not exist in {where.key}: the clocks go forward then and skip it. "
            f"Type an earlier or a later time (for example {moment.astimezone(where):%H:%M})."
        )
    return moment


def utc_to_local_input(moment: datetime | None, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The value a `datetime-local` field shows for `moment` in `time_zone` ("2027-01-31T17:00"); "" for none."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(zone(time_zone)).strftime("%Y-%m-%dT%H:%M")
