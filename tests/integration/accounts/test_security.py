"""Who may do what: authentication, roles, tenancy, throttling, cookies and CSRF."""

import pytest
from piccolo.apps.user.tables import BaseUser

from app.accounts import services
from tests.support.fixtures import PASSWORD, csrf_token, make_company, make_user


async def test_api_without_a_token_is_401(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


async def test_api_with_an_unknown_token_is_401(client):
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


async def test_a_page_redirects_to_login_and_back(client):
    response = await client.get("/team/?x=1")
    assert response.status_code in {302, 303}
    assert response.headers["location"] == "/login?next=%2Fteam%3Fx%3D1"


async def test_the_api_ignores_the_session_cookie(world, browser):
    # given a signed-in browser session
    session = await browser(world.buyer_admin)
    # when its cookie is sent to the API without a token
    response = await session.get("/api/v1/me")
    # then the API does not accept it: only bearer tokens open the API, so it needs no CSRF token
    assert response.status_code == 401


async def test_me_tells_user_company_and_roles(world, api):
    client = await api(world.purchaser)
    body = (await client.get("/api/v1/me")).json()
    assert body["email"] == world.purchaser
    assert body["roles"] == ["purchaser"]
    assert body["company"]["id"] == world.buyer.id
    assert "password" not in str(body)


async def test_a_buyer_reading_another_companys_users_gets_404(world, api):
    client = await api(world.buyer_admin)
    assert (await client.get(f"/api/v1/companies/{world.other_buyer.id}/users")).status_code == 404
    assert (await client.get(f"/api/v1/companies/{world.other_buyer.id}")).status_code == 404
    own = await client.get(f"/api/v1/companies/{world.buyer.id}/users")
    assert own.status_code == 200
    assert {user["email"] for user in own.json()} == {world.buyer_admin, world.purchaser, world.approver}


async def test_a_vendor_calling_an_operator_endpoint_gets_403(world, api):
    client = await api(world.vendor_admin)
    assert (await client.get("/api/v1/companies")).status_code == 403
    created = await client.post(
        "/api/v1/companies", json={"name": "Sneaky", "kind": "vendor", "country": "DE", "currency": "EUR"}
    )
    assert created.status_code == 403
    assert (await client.post(f"/api/v1/companies/{world.other_buyer.id}/suspend")).status_code == 403


async def test_a_buyer_cannot_add_users_to_another_company(world, api):
    client = await api(world.buyer_admin)
    response = await client.post(
        f"/api/v1/companies/{world.other_buyer.id}/users",
        json={"email": "mole@example.com", "name": "Mole", "roles": ["purchaser"], "password": PASSWORD},
    )
    assert response.status_code == 404


async def test_only_a_company_admin_manages_its_users(world, api):
    purchaser = await api(world.purchaser)
    response = await purchaser.post(
        f"/api/v1/companies/{world.buyer.id}/users",
        json={"email": "friend@example.com", "name": "Friend", "roles": ["purchaser"], "password": PASSWORD},
    )
    assert response.status_code == 403
    admin = await api(world.buyer_admin)
    response = await admin.post(
        f"/api/v1/companies/{world.buyer.id}/users",
        json={"email": "Colleague@Example.com", "name": "Colleague", "roles": ["approver"], "password": PASSWORD},
    )
    assert response.status_code == 201
    assert response.json()["email"] == "colleague@example.com"
    assert (await api("colleague@example.com")).headers["Authorization"].startswith("Bearer ")


async def test_a_group_admin_sees_subsidiaries_but_not_the_other_way_round(api):
    # given a group with a subsidiary, each with an admin
    group = await make_company("buyer", "Group Holding")
    child = await make_company("buyer", "Group Subsidiary", parent_id=group.id)
    sibling = await make_company("buyer", "Group Sibling", parent_id=group.id)
    group_admin = await api(await make_user(group.id, "buyer_admin"))
    group_purchaser = await api(await make_user(group.id, "purchaser"))
    child_admin = await api(await make_user(child.id, "buyer_admin"))
    await make_user(sibling.id, "buyer_admin")
    # then the group's admin sees the subsidiary's users
    assert (await group_admin.get(f"/api/v1/companies/{child.id}/users")).status_code == 200
    # but a purchaser of the group does not
    assert (await group_purchaser.get(f"/api/v1/companies/{child.id}/users")).status_code == 404
    # and the subsidiary sees neither its parent nor its sibling
    assert (await child_admin.get(f"/api/v1/companies/{group.id}/users")).status_code == 404
    assert (await child_admin.get(f"/api/v1/companies/{sibling.id}/users")).status_code == 404
    # and the group admin manages only its own company's users
    response = await group_admin.post(
        f"/api/v1/companies/{child.id}/users",
        json={"email": "x@example.com", "name": "X", "roles": ["purchaser"], "password": PASSWORD},
    )
    assert response.status_code == 403


async def test_login_is_throttled_after_repeated_failures(world, client):
    for _ in range(services.MAX_FAILURES_PER_EMAIL):
        wrong = await client.post("/api/v1/auth/token", json={"email": world.purchaser, "password": "wrong-password"})
        assert wrong.status_code == 401
    # even the right password is refused while the e-mail is locked out
    locked = await client.post("/api/v1/auth/token", json={"email": world.purchaser, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    # another user is not affected
    other = await client.post("/api/v1/auth/token", json={"email": world.approver, "password": PASSWORD})
    assert other.status_code == 201


async def test_the_login_form_is_throttled_too(world, client):
    page = await client.get("/login")
    token = csrf_token(page.text)
    statuses = []
    for _ in range(services.MAX_FAILURES_PER_EMAIL + 1):
        response = await client.post(
            "/login", data={"email": world.approver, "password": "nope-nope", "_csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses[:-1] == [401] * services.MAX_FAILURES_PER_EMAIL
    assert statuses[-1] == 429
    assert "Too many failed logins" in response.text


async def test_unknown_and_wrong_passwords_answer_alike(world, client):
    unknown = await client.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": "whatever1"})
    wrong = await client.post("/api/v1/auth/token", json={"email": world.purchaser, "password": "whatever1"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_session_cookie_flags(world, client):
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": world.buyer_admin, "password": PASSWORD, "next": "/team/", "_csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/team/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("id="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # not in development: see the production test below


def test_the_session_cookie_is_secure_in_production(monkeypatch):
    from app.accounts import controllers
    from app.settings import load_settings

    production = load_settings({"MARKET_ENV": "production", "MARKET_SECRET_KEY": "k" * 40})
    monkeypatch.setattr(controllers, "get_settings", lambda: production)
    cookie = controllers.session_cookie("token")
    assert cookie.secure and cookie.httponly and cookie.samesite == "lax"


async def test_login_never_redirects_off_site(world, client):
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": world.buyer_admin, "password": PASSWORD, "next": "//evil.example/",
              "_csrf_token": csrf_token(page.text)},
    )
    assert response.headers["location"] == "/"


async def test_a_form_post_without_the_csrf_token_is_refused(world, browser):
    session = await browser(world.buyer_admin)
    response = await session.post("/team/invite", data={"email": "x@example.com", "name": "X", "role": "purchaser"})
    assert response.status_code == 403
    assert not await BaseUser.exists().where(BaseUser.username == "x@example.com")


async def test_login_without_the_csrf_token_is_refused(world, client):
    response = await client.post("/login", data={"email": world.buyer_admin, "password": PASSWORD})
    assert response.status_code == 403


async def test_a_suspended_companys_token_and_session_stop_working(world, api, browser):
    # given a buyer with a token and a browser session
    token_client = await api(world.purchaser)
    session = await browser(world.purchaser)
    assert (await token_client.get("/api/v1/me")).status_code == 200
    # when an operator suspends the company
    operator = await api(world.operator)
    suspended = await operator.post(f"/api/v1/companies/{world.buyer.id}/suspend")
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    # then the token and the session no longer work, and nobody of the company can log in
    assert (await token_client.get("/api/v1/me")).status_code == 401
    assert (await session.get("/dashboard", follow_redirects=False)).status_code in {302, 303}
    login = await token_client.post("/api/v1/auth/token", json={"email": world.buyer_admin, "password": PASSWORD})
    assert login.status_code == 401
    # and lifting the suspension lets them log in again (old tokens stay revoked)
    assert (await operator.post(f"/api/v1/companies/{world.buyer.id}/reactivate")).status_code == 200
    assert (await token_client.get("/api/v1/me")).status_code == 401
    assert (await api(world.purchaser)).headers["Authorization"]


async def test_a_revoked_token_stops_working(world, api):
    client = await api(world.approver)
    assert (await client.delete("/api/v1/auth/token")).status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_a_deactivated_user_is_logged_out_everywhere(world, api, browser):
    victim_token = await api(world.purchaser)
    victim_session = await browser(world.purchaser)
    admin = await api(world.buyer_admin)
    user_id = (await victim_token.get("/api/v1/me")).json()["id"]
    response = await admin.post(f"/api/v1/users/{user_id}/deactivate")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert (await victim_token.get("/api/v1/me")).status_code == 401
    assert (await victim_session.get("/dashboard", follow_redirects=False)).status_code in {302, 303}
    relogin = await admin.post("/api/v1/auth/token", json={"email": world.purchaser, "password": PASSWORD})
    assert relogin.status_code == 401


async def test_an_admin_cannot_deactivate_another_companys_user(world, api):
    other = await api(world.other_buyer_admin)
    victim_id = (await (await api(world.purchaser)).get("/api/v1/me")).json()["id"]
    assert (await other.post(f"/api/v1/users/{victim_id}/deactivate")).status_code == 404


@pytest.mark.parametrize("email_attr", ["operator", "buyer_admin"])
async def test_only_operators_reach_the_back_office_with_their_portal_session(world, browser, email_attr):
    session = await browser(getattr(world, email_attr))
    response = await session.get("/admin/api/tables/")
    if email_attr == "operator":
        assert response.status_code == 200
        assert "company" in response.json()
    else:
        assert response.status_code in {401, 403}


async def test_pages_answer_403_and_404_in_the_site_layout(world, browser):
    session = await browser(world.vendor_admin)
    forbidden = await session.get("/operator/outbox/")
    assert forbidden.status_code == 403
    assert "Not allowed" in forbidden.text and "Log out" in forbidden.text
    missing = await session.get("/no/such/page")
    assert missing.status_code == 404
    assert "Not found" in missing.text
