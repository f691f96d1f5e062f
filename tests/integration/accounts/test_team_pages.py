"""A company admin manages the team in the browser: invite, refuse bad input, deactivate."""

from piccolo.apps.user.tables import BaseUser

from app.notifications.tables import OutboxEmail
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside


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
    assert error_beside(response.text, "email") == "E-mail: enter an address such as ana@acme.example."
    assert error_beside(response.text, "name") == ""
    assert 'value="Eve"' in response.text and 'value="not-an-email"' in response.text
    assert not await BaseUser.exists().where(BaseUser.first_name == "Eve")


async def test_every_wrong_invitation_field_is_said_beside_it_at_once(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "N" * 201, "email": "eve@", "role": "approver", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert error_beside(response.text, "name") == "Name: must be at most 200 characters (this one has 201)."
    assert error_beside(response.text, "email") == "E-mail: enter an address such as ana@acme.example."
    assert 'value="' + "N" * 201 + '"' in response.text and 'value="eve@"' in response.text
    assert '<a href="#name-error">' in response.text and '<a href="#email-error">' in response.text


async def test_a_role_from_another_kind_of_company_is_refused(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "Vic", "email": "vic@example.com", "role": "vendor_admin", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert "cannot be vendor_admin" in error_beside(response.text, "role")
    assert 'value="Vic"' in response.text and 'value="vic@example.com"' in response.text


async def test_inviting_an_existing_email_is_a_conflict(world, browser):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    response = await session.post(
        "/team/invite",
        data={"name": "Dup", "email": world.approver.upper(), "role": "approver", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 409
    assert error_beside(response.text, "email") == f"A user with the e-mail {world.approver} already exists."
    assert 'value="Dup"' in response.text


async def test_an_admin_deactivates_a_colleague(world, browser, api):
    victim = await api(world.approver)
    victim_id = (await victim.get("/api/v1/me")).json()["id"]
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    # the first click asks once more, saying who and what follows, and changes nothing
    asked = await session.post(f"/team/{victim_id}/deactivate", data={"_csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "can no longer sign in" in asked.text and world.approver in asked.text
    assert (await victim.get("/api/v1/me")).status_code == 200
    response = await session.post(f"/team/{victim_id}/deactivate",
                                  data={"confirmed": "yes", "_csrf_token": csrf_token(asked.text)})
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


async def test_choosing_a_password_says_what_is_wrong_beside_the_field(world, browser, client):
    session = await browser(world.buyer_admin)
    page = await session.get("/team")
    await session.post("/team/invite", data={"name": "Pat", "email": "pat@example.com", "role": "approver",
                                             "_csrf_token": csrf_token(page.text)})
    body = (await OutboxEmail.select(OutboxEmail.body_text).first())["body_text"]
    path = "/invitations/" + body.split("/invitations/", 1)[1].split()[0]
    form = await client.get(path)
    differ = await client.post(path, data={"password": "a-long-password-1", "password_again": "another-one-2",
                                           "_csrf_token": csrf_token(form.text)})
    assert differ.status_code == 400
    assert error_beside(differ.text, "password_again") == "The two passwords differ: type the same password twice."
    short = await client.post(path, data={"password": "short", "password_again": "short",
                                          "_csrf_token": csrf_token(form.text)})
    assert short.status_code == 400 and "at least" in error_beside(short.text, "password")
    assert 'value="short"' not in short.text  # a password is never shown again
