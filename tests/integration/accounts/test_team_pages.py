"""A company admin manages the team in the browser: invite, refuse bad input, deactivate."""

from piccolo.apps.user.tables import BaseUser

from app.notifications.tables import OutboxEmail
from tests.support.fixtures import csrf_token


async def test_an_admin_invites_a_colleague_from_the_team_page(world, browser):
    # given the buyer admin on the team page
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    assert page.status_code == 200
    assert world.purchaser in page.text
    # when they invite a colleague
    response = await session.post(
        "/team/invite",
        data={"name": "Dora Dev", "email": "Dora@Example.com", "role": "approver",
              "_csrf_token": csrf_token(page.text)},
    )
    # then the colleague exists, inactive until they accept, with an invitation e-mail queued
    assert response.status_code == 303
    team = await session.get("/team")
    assert "dora@example.com" in team.text
    assert "is invited" in team.text  # the flash message
    user = await BaseUser.select(BaseUser.active).where(BaseUser.username == "dora@example.com").first()
    assert user == {"active": False}
    email = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.body_text).first()
    assert email["to_address"] == "dora@example.com"
    assert "/invitations/" in email["body_text"]


async def test_bad_invitation_input_says_what_to_fix_and_keeps_the_form(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "Eve", "email": "not-an-email", "role": "approver", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert "is not an e-mail address" in response.text
    assert 'value="Eve"' in response.text
    assert not await BaseUser.exists().where(BaseUser.first_name == "Eve")


async def test_a_role_from_another_kind_of_company_is_refused(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "Vic", "email": "vic@example.com", "role": "vendor_admin", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert "cannot be vendor_admin" in response.text


async def test_inviting_an_existing_email_is_a_conflict(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "Dup", "email": world.approver.upper(), "role": "approver", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 409
    assert "already exists" in response.text


async def test_an_admin_deactivates_a_colleague(world, browser, api):
    victim = await api(world.approver)
    victim_id = (await victim.get("/api/v1/me")).json()["id"]
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(f"/team/{victim_id}/deactivate", data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert "deactivated" in (await session.get("/team")).text
    assert (await victim.get("/api/v1/me")).status_code == 401


async def test_a_purchaser_cannot_manage_the_team(world, browser, api):
    session = await browser(world.purchaser)
    page = await session.get("/dashboard")
    assert "/team" not in page.text  # no menu entry
    victim_id = (await (await api(world.approver)).get("/api/v1/me")).json()["id"]
    response = await session.post(f"/team/{victim_id}/deactivate", data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 403


async def test_each_role_lands_on_its_own_dashboard(world, browser):
    for email, heading in [
        (world.buyer_admin, "Buyer dashboard"),
        (world.vendor_admin, "Vendor dashboard"),
        (world.operator, "Operator dashboard"),
    ]:
        session = await browser(email)
        landing = await session.get("/", follow_redirects=True)
        assert landing.status_code == 200
        assert heading in landing.text


async def test_logout_ends_the_session(world, browser):
    session = await browser(world.purchaser)
    page = await session.get("/dashboard")
    cookie = session.cookies.get("id")
    response = await session.post("/logout", data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    # the old cookie value no longer opens anything, even if a copy survived
    session.cookies.set("id", cookie)
    assert (await session.get("/dashboard")).status_code in {302, 303}
