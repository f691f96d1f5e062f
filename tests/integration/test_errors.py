"""Failures answer in kind: JSON for the API, a page in the site layout otherwise, never a stack trace."""

import pytest


async def test_an_unexpected_error_is_a_500_page_without_details(world, browser, monkeypatch):
    from app.dashboard import controllers

    async def broken(_principal):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(controllers, "dashboard_for", broken)
    session = await browser(world.buyer_admin)
    response = await session.get("/dashboard")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text
    assert "Log out" in response.text  # the site layout


async def test_an_unexpected_api_error_is_json_without_details(world, api, monkeypatch):
    from app.accounts import services

    async def broken(_principal):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "me", broken)
    client = await api(world.buyer_admin)
    response = await client.get("/api/v1/me")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["detail"].startswith("Something went wrong")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "X", "kind": "wholesaler", "country": "DE", "currency": "EUR"}, "kind must be one of"),
        ({"name": "X", "kind": "buyer", "country": "Germany", "currency": "EUR"}, "ISO 3166-1"),
        ({"name": "X", "kind": "buyer", "country": "DE", "currency": "EURO"}, "ISO 4217"),
        ({"name": " ", "kind": "buyer", "country": "DE", "currency": "EUR"}, "name must not be blank"),
        ({"name": "X", "kind": "buyer", "country": "DE"}, "currency"),
        ({"name": "X", "kind": "buyer", "country": "DE", "currency": "EUR", "color": "red"}, "color"),
    ],
)
async def test_bad_company_input_is_a_400_that_says_what_to_fix(world, api, body, fragment):
    operator = await api(world.operator)
    response = await operator.post("/api/v1/companies", json=body)
    assert response.status_code == 400
    assert fragment in response.text


async def test_malformed_json_is_a_400(world, api):
    operator = await api(world.operator)
    response = await operator.post(
        "/api/v1/companies", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_a_duplicate_company_is_a_409_whatever_the_case(world, api):
    operator = await api(world.operator)
    body = {"name": world.buyer.name.upper(), "kind": "buyer", "country": "DE", "currency": "EUR"}
    response = await operator.post("/api/v1/companies", json=body)
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


async def test_a_weak_password_is_refused_and_nothing_is_created(world, api):
    operator = await api(world.operator)
    response = await operator.post(
        f"/api/v1/companies/{world.buyer.id}/users",
        json={"email": "weak@example.com", "name": "Weak", "roles": ["purchaser"], "password": "short"},
    )
    assert response.status_code == 400
    assert "at least 8 characters" in response.json()["detail"]
    users = (await operator.get(f"/api/v1/companies/{world.buyer.id}/users")).json()
    assert all(user["email"] != "weak@example.com" for user in users)


HUGE = 10**20  # past 64 bits: no id, page or quantity column can hold it
INT4 = 2**31  # past PostgreSQL's integer columns


@pytest.mark.parametrize("number", [HUGE, INT4])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("purchaser", "/api/v1/catalog/products?page={n}"),
        ("purchaser", "/api/v1/catalog/products?q=glove&page={n}"),
        ("purchaser", "/api/v1/catalog/products?sort=price_asc&page={n}"),
        ("purchaser", "/api/v1/catalog/products?category={n}"),
        ("purchaser", "/api/v1/catalog/products?vendor={n}"),
        ("purchaser", "/api/v1/catalog/products/{n}"),
        ("vendor_admin", "/api/v1/listings/{n}"),
        ("vendor_admin", "/api/v1/listings?offset={n}"),
        ("vendor_admin", "/api/v1/jobs/{n}"),
        ("operator", "/api/v1/curation/listings?vendor={n}"),
        ("operator", "/api/v1/curation/listings?page={n}"),
        ("operator", "/api/v1/curation/events?listing={n}"),
        ("operator", "/api/v1/curation/events?page={n}"),
    ],
)
async def test_a_number_past_any_column_is_a_4xx_not_a_500(world, api, who, path, number):
    client = await api(getattr(world, who))
    response = await client.get(path.format(n=number))
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code == 400:
        assert "out of range" in response.json()["detail"] or "page" in response.json()["detail"]


async def test_an_id_past_any_column_in_a_body_is_a_400(world, api):
    operator = await api(world.operator)
    response = await operator.post("/api/v1/categories", json={"name": "Huge", "parent_id": HUGE})
    assert response.status_code in (400, 404), response.text
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/segment", json={"segment_id": HUGE})
    assert response.status_code in (400, 404), response.text
