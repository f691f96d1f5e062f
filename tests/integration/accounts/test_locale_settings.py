"""Each user's locale and time zone (#16): read and changed through /api/v1/me and the settings page, defaulted from
the company's country, and used by the pages' money and times."""

from app.accounts import services as accounts
from app.accounts.piccolo_migrations import accounts_2026_12_06t02_30_01_000000 as backfill_migration
from app.accounts.schemas import CompanyIn, UserIn
from app.accounts.tables import Membership
from app.auth import load_principal
from tests.support.fixtures import PASSWORD, csrf_token


async def test_me_names_the_locale_and_zone_and_patch_changes_them(world, api):
    # given a user who reads English and UTC
    client = await api(world.purchaser)
    me = (await client.get("/api/v1/me")).json()
    assert (me["locale"], me["time_zone"]) == ("en", "UTC")
    # when they pick German (Germany) and Berlin, spelled loosely
    changed = await client.patch("/api/v1/me", json={"locale": "de-de", "time_zone": "Europe/Berlin"})
    # then both are stored in their canonical spelling, and only the fields sent change
    assert changed.status_code == 200, changed.text
    assert (changed.json()["locale"], changed.json()["time_zone"]) == ("de_DE", "Europe/Berlin")
    only_zone = await client.patch("/api/v1/me", json={"time_zone": "America/New_York"})
    assert (only_zone.json()["locale"], only_zone.json()["time_zone"]) == ("de_DE", "America/New_York")
    again = (await client.get("/api/v1/me")).json()
    assert (again["locale"], again["time_zone"]) == ("de_DE", "America/New_York")


async def test_an_unknown_locale_or_zone_is_refused_with_what_would_do(world, api):
    client = await api(world.purchaser)
    response = await client.patch("/api/v1/me", json={"locale": "klingon", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "locale: 'klingon' is not a known locale" in detail and "de_DE" in detail
    assert "time_zone: 'Mars/Olympus' is not a known IANA time zone" in detail and "Europe/Berlin" in detail
    assert (await client.patch("/api/v1/me", json={"colour": "red"})).status_code == 400
    assert (await client.patch("/api/v1/me", json={"locale": "x" * 500})).status_code == 400
    # and nothing changed
    me = (await client.get("/api/v1/me")).json()
    assert (me["locale"], me["time_zone"]) == ("en", "UTC")


async def test_a_new_user_starts_with_the_company_country_locale_and_zone(world):
    # given a German and an Icelandic buyer company (Iceland is not in the table: English, UTC)
    german = await accounts.create_user(None, world.buyer.id, UserIn(email="g@example.com", name="G",
                                                                    roles=["purchaser"], password=PASSWORD))
    iceland = await accounts.create_company(CompanyIn(name="Reykjavik Buyers", kind="buyer", country="IS",
                                                      currency="EUR"))
    icelander = await accounts.create_user(None, iceland.id, UserIn(email="i@example.com", name="I",
                                                                   roles=["purchaser"], password=PASSWORD))
    from_german = await load_principal(german.id)
    from_iceland = await load_principal(icelander.id)
    assert (from_german.locale, from_german.time_zone) == ("de_DE", "Europe/Berlin")
    assert (from_iceland.locale, from_iceland.time_zone) == ("en", "UTC")


async def test_the_settings_page_changes_how_money_and_times_are_written(world, browser):
    # given a buyer on the settings page, linked from the header
    session = await browser(world.purchaser)
    assert 'href="/settings"' in (await session.get("/dashboard")).text
    page = await session.get("/settings")
    assert page.status_code == 200
    assert "1,234.0035 EUR" in page.text and "1,234,567.50 EUR" in page.text and " UTC" in page.text
    # when they pick German and Berlin
    saved = await session.post("/settings", data={"locale": "de_DE", "time_zone": "Europe/Berlin",
                                                  "_csrf_token": csrf_token(page.text)})
    assert saved.status_code == 303
    # then amounts use the German marks and times Berlin's zone
    after = await session.get("/settings")
    assert "1.234,0035 EUR" in after.text and "1.234.567,50 EUR" in after.text
    assert " CET" in after.text or " CEST" in after.text
    assert '<option value="Europe/Berlin" selected>' in after.text


async def test_a_bad_zone_on_the_settings_page_says_so_and_keeps_the_choice(world, browser):
    session = await browser(world.purchaser)
    page = await session.get("/settings")
    response = await session.post("/settings", data={"locale": "fr_FR", "time_zone": "Europe/Atlantis",
                                                     "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert "is not a known IANA time zone" in response.text
    assert '<option value="fr_FR" selected>' in response.text


async def test_the_migration_gives_existing_members_their_company_country_place(world):
    # given members as they were before the columns existed: all English and UTC (world's companies are German)
    iceland = await accounts.create_company(CompanyIn(name="Reykjavik Buyers", kind="buyer", country="IS",
                                                      currency="EUR"))
    await accounts.create_user(None, iceland.id, UserIn(email="i@example.com", name="I", roles=["purchaser"],
                                                        password=PASSWORD))
    await Membership.update({Membership.locale: "en", Membership.time_zone: "UTC"}, force=True)
    # when the backfill runs
    await backfill_migration.backfill()
    # then the German company's members read German in Berlin, and the Icelandic (not in the table) stays put
    places = {(row["company.country"], row["locale"], row["time_zone"]) for row in await Membership.select(
        Membership.company.country, Membership.locale, Membership.time_zone)}
    assert places == {("DE", "de_DE", "Europe/Berlin"), ("IS", "en", "UTC")}
