"""A person's locale and time zone: what is accepted, and the default a company's country gives its users.

A locale is a Babel (CLDR) identifier such as "en", "en_GB" or "de_DE"; a time zone an IANA name such as
"Europe/Berlin". Pages, PDFs and e-mails format money (app/money.py) and moments (app/clock.py) with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError

DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"
MAX_LOCALE_LENGTH = 20
MAX_TIME_ZONE_LENGTH = 64


class PlaceError(ValueError):
    """A locale or time zone nobody knows; the message says what would be accepted."""


@dataclass(frozen=True, slots=True)
class Place:
    """How a person reads money and times: a locale and a time zone."""

    locale: str = DEFAULT_LOCALE
    time_zone: str = DEFAULT_TIME_ZONE


ANYWHERE = Place()  # anonymous pages and recipients without a membership: English, UTC

# A company's country (ISO 3166-1 alpha-2) → the locale and zone its users start with. A country with several
# zones gets its most populous business one; every user can change both on their settings page.
_COUNTRY_PLACES: dict[str, tuple[str, str]] = {
    "AT": ("de_AT", "Europe/Vienna"), "AU": ("en_AU", "Australia/Sydney"), "BE": ("fr_BE", "Europe/Brussels"),
    "BR": ("pt_BR", "America/Sao_Paulo"), "CA": ("en_CA", "America/Toronto"), "CH": ("de_CH", "Europe/Zurich"),
    "CN": ("zh_Hans_CN", "Asia/Shanghai"), "CZ": ("cs_CZ", "Europe/Prague"), "DE": ("de_DE", "Europe/Berlin"),
    "DK": ("da_DK", "Europe/Copenhagen"), "ES": ("es_ES", "Europe/Madrid"), "FI": ("fi_FI", "Europe/Helsinki"),
    "FR": ("fr_FR", "Europe/Paris"), "GB": ("en_GB", "Europe/London"), "IE": ("en_IE", "Europe/Dublin"),
    "IN": ("en_IN", "Asia/Kolkata"), "IT": ("it_IT", "Europe/Rome"), "JP": ("ja_JP", "Asia/Tokyo"),
    "KW": ("ar_KW", "Asia/Kuwait"), "LU": ("fr_LU", "Europe/Luxembourg"), "MX": ("es_MX", "America/Mexico_City"),
    "NL": ("nl_NL", "Europe/Amsterdam"), "NO": ("nb_NO", "Europe/Oslo"), "NZ": ("en_NZ", "Pacific/Auckland"),
    "PL": ("pl_PL", "Europe/Warsaw"), "PT": ("pt_PT", "Europe/Lisbon"), "SE": ("sv_SE", "Europe/Stockholm"),
    "SG": ("en_SG", "Asia/Singapore"), "US": ("en_US", "America/New_York"), "ZA": ("en_ZA", "Africa/Johannesburg"),
}  # fmt: skip


def place_for_country(country: str | None) -> Place:
    """The locale and zone a new user of a company in `country` starts with; English and UTC when unknown."""
    found = _COUNTRY_PLACES.get((country or "").strip().upper())
    return Place(*found) if found else ANYWHERE


@lru_cache(maxsize=256)
def babel_locale(identifier: str) -> Locale:
    """The Babel locale of an identifier such as "de_DE" (or "de-DE")."""
    text = (identifier or "").strip().replace("-", "_")
    try:
        if not text or len(text) > MAX_LOCALE_LENGTH:
            raise ValueError(text)
        return Locale.parse(text)
    except (UnknownLocaleError, ValueError, TypeError):
        raise PlaceError(f"{identifier!r} is not a known locale: give a language, optionally with a country, "
                         "for example en, en_GB, de_DE or fr_FR.") from None


def parse_locale(identifier: str) -> str:
    """A known locale's canonical identifier ("de-de" → "de_DE"); PlaceError otherwise."""
    return str(babel_locale(identifier))


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone of that exact name ("Europe/Berlin"); PlaceError otherwise."""
    text = (name or "").strip()
    if text not in _zone_names():
        raise PlaceError(f"{name!r} is not a known IANA time zone: give its full name, for example Europe/Berlin, "
                         "America/New_York or UTC.")
    return ZoneInfo(text)


def parse_time_zone(name: str) -> str:
    return zone(name).key


def locale_choices(current: str = "") -> list[tuple[str, str]]:
    """(identifier, name in its own language) of the locales a settings page offers, the current one included."""
    codes = {DEFAULT_LOCALE, "en_GB", "en_US", *(found[0] for found in _COUNTRY_PLACES.values())}
    if current:
        codes.add(current)
    choices = []
    for code in codes:
        try:
            choices.append((code, babel_locale(code).get_display_name() or code))
        except PlaceError:
            continue  # a typed value that is not a locale: the page says so beside the field
    return sorted(choices, key=lambda choice: choice[1].casefold())


def zone_choices(current: str = "") -> list[str]:
    """Every IANA zone a settings page offers, sorted, the current one included."""
    return sorted(_zone_names() | ({current} if current in _zone_names() else set()))
