"""Existing members get the locale and time zone of their company's country (issue #16).

A frozen copy of app/locales.py's table as it was when this was written: a later change to the table is for new
members, not a rewrite of what people may have chosen since. Members of companies elsewhere keep English and UTC.
Plain UPDATEs that SQLite and PostgreSQL run alike. Raw steps run before a migration's column changes, so this is
a migration of its own, after the one adding the columns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T02:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "members' locale and time zone from their company's country"

COUNTRY_PLACES = {
    "AT": ("de_AT", "Europe/Vienna"),
    "AU": ("en_AU", "Australia/Sydney"),
    "BE": ("fr_BE", "Europe/Brussels"),
    "BR": ("pt_BR", "America/Sao_Paulo"),
    "CA": ("en_CA", "America/Toronto"),
    "CH": ("de_CH", "Europe/Zurich"),
    "CN": ("zh_Hans_CN", "Asia/Shanghai"),
    "CZ": ("cs_CZ", "Europe/Prague"),
    "DE": ("de_DE", "Europe/Berlin"),
    "DK": ("da_DK", "Europe/Copenhagen"),
    "ES": ("es_ES", "Europe/Madrid"),
    "FI": ("fi_FI", "Europe/Helsinki"),
    "FR": ("fr_FR", "Europe/Paris"),
    "GB": ("en_GB", "Europe/London"),
    "IE": ("en_IE", "Europe/Dublin"),
    "IN": ("en_IN", "Asia/Kolkata"),
    "IT": ("it_IT", "Europe/Rome"),
    "JP": ("ja_JP", "Asia/Tokyo"),
    "KW": ("ar_KW", "Asia/Kuwait"),
    "LU": ("fr_LU", "Europe/Luxembourg"),
    "MX": ("es_MX", "America/Mexico_City"),
    "NL": ("nl_NL", "Europe/Amsterdam"),
    "NO": ("nb_NO", "Europe/Oslo"),
    "NZ": ("en_NZ", "Pacific/Auckland"),
    "PL": ("pl_PL", "Europe/Warsaw"),
    "PT": ("pt_PT", "Europe/Lisbon"),
    "SE": ("sv_SE", "Europe/Stockholm"),
    "SG": ("en_SG", "Asia/Singapore"),
    "US": ("en_US", "America/New_York"),
    "ZA": ("en_ZA", "Africa/Johannesburg"),
}  # fmt: skip


async def backfill():
    engine = engine_finder()
    for country, (locale, zone) in COUNTRY_PLACES.items():
        # Constants of this file only: nothing here comes from a user.
        await engine.run_ddl(
            f"UPDATE membership SET locale = '{locale}', time_zone = '{zone}'"  # noqa: S608
            f" WHERE company IN (SELECT id FROM company WHERE upper(country) = '{country}')"
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
