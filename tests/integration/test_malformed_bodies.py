"""A body no decoder can read is a 400 that says why, on every endpoint, signed in or not: nested too deeply,
not JSON, not UTF-8, the wrong types, a form part in an unknown character set. Never a 500 — and an error of the
same kind raised by our own code still is one."""

from __future__ import annotations

import time

import pytest

from app.errors import MAX_BODY_DEPTH, nested_deeper_than
from tests.support.fixtures import csrf_token

DEPTHS = [10, 950, 1000, 5000, 100_000]
JSON = {"content-type": "application/json"}


def arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# Who calls (a World attribute, "anonymous", or "page": the purchaser's browser session) and where.
ENDPOINTS = [
    ("anonymous", "/api/v1/auth/token"),
    ("purchaser", "/api/v1/rfqs"),
    ("vendor_admin", "/api/v1/rfqs/1/offers"),
    ("vendor_admin", "/api/v1/listings"),
    ("operator", "/api/v1/price-lists"),
    ("page", "/rfqs/new"),
]


async def a_client(who, world, api, browser, client):
    """A client for `who`, and the headers a POST of JSON needs (a page also needs its CSRF token)."""
    if who == "anonymous":
        return client, JSON
    if who == "page":
        session = await browser(world.purchaser)
        token = csrf_token((await session.get("/rfqs/new")).text)
        return session, {**JSON, "x-market-csrf": token}
    return await api(getattr(world, who)), JSON


def message_of(response) -> str:
    if response.headers["content-type"].startswith("application/json"):
        return response.json()["detail"]
    return response.text


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize(("who", "path"), ENDPOINTS)
async def test_a_deeply_nested_body_is_a_400_that_says_so(world, api, browser, client, who, path, depth):
    # given
    caller, headers = await a_client(who, world, api, browser, client)
    for shape in (arrays, objects):
        # when
        response = await caller.post(path, content=shape(depth), headers=headers)
        # then
        assert response.status_code == 400, response.text[:500]
        if depth > MAX_BODY_DEPTH:
            assert "nested too deeply" in message_of(response)
            assert f"at most {MAX_BODY_DEPTH} levels" in message_of(response)
        else:  # shallow enough to read: then it is simply the wrong shape, and the answer names what was expected
            assert message_of(response).strip()


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("path", ["/api/v1/rfqs", "/api/v1/listings", "/rfqs/new", "/login"])
async def test_without_login_a_deep_body_is_never_a_500(client, path, depth):
    response = await client.post(path, content=arrays(depth), headers=JSON)
    if depth > MAX_BODY_DEPTH:
        assert response.status_code == 400, response.text[:300]
        assert "nested too deeply" in message_of(response)
    else:  # readable: the 401 or 403 (no token, no CSRF token) comes first
        assert response.status_code in (400, 401, 403), response.text[:300]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", arrays(5000)),  # Litestar's JSON reader ignores the content type
        ("text/plain", objects(5000)),
        # The body check leaves multipart to Litestar's streaming parser; the JSON reader's RecursionError is a 400.
        ("multipart/form-data; boundary=x", arrays(5000)),
        ("multipart/form-data; boundary=x", objects(100_000)),
    ],
)
async def test_a_deep_body_under_any_content_type_is_a_400(client, content_type, body):
    response = await client.post("/api/v1/auth/token", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON: JSON is malformed"),
        (b'{"email": "a@b.example", "password": ', "not valid JSON: Input data was truncated"),
        (b'{"email": "\xff\xfe", "password": "x"}', "UTF-8"),
        (b'{"email": 42, "password": "x"}', "email: Expected `str`, got `int`"),
        (b'{"email": "a@b.example"}', "password"),
        (b"[]", "Expected `object`, got `array`"),
    ],
)
async def test_a_malformed_json_body_without_login_is_a_400_that_says_what(client, body, fragment):
    response = await client.post("/api/v1/auth/token", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["detail"]


async def test_wrong_types_signed_in_name_the_field(world, api):
    purchaser = await api(world.purchaser)
    response = await purchaser.post("/api/v1/rfqs", json={"title": ["x"], "currency": "EUR", "deadline": 1})
    assert response.status_code == 400
    assert "title: Expected `str`, got `array`" in response.json()["detail"]


@pytest.mark.parametrize(
    "body", [b"email=%FF%FE&password=x", b"email=caf\xc3\xa9&password=x", b"email=\xff&password=x"]
)
async def test_a_form_that_is_not_url_encoded_utf8_is_a_400_page(client, body):
    page = await client.get("/login")
    token = csrf_token(page.text)
    response = await client.post(
        "/login", content=body + f"&_csrf_token={token}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400, response.text[:300]
    assert "form data is not valid" in response.text
    assert "Log in" in response.text or "<html" in response.text  # a page, not JSON


@pytest.mark.parametrize(
    ("part_headers", "data", "fragment"),
    [
        (b"", b"\xff\xfe not utf-8", "not valid text"),
        (b"Content-Type: text/plain; charset=no-such-charset\r\n", b"hello", "character set"),
    ],
)
async def test_a_multipart_field_that_cannot_be_decoded_is_a_400(world, api, part_headers, data, fragment):
    # given a buyer's API client and a multipart body whose text field cannot be read
    purchaser = await api(world.purchaser)
    body = (b"--B\r\nContent-Disposition: form-data; name=\"note\"\r\n" + part_headers + b"\r\n" + data
            + b"\r\n--B--\r\n")
    # when
    response = await purchaser.post(
        "/api/v1/rfqs/1/attachments", content=body, headers={"content-type": "multipart/form-data; boundary=B"}
    )
    # then
    assert response.status_code == 400, response.text
    assert fragment in response.json()["detail"]


async def test_the_back_office_login_refuses_deep_and_non_utf8_json_with_a_400(client):
    client.cookies.set("csrftoken", "token")
    headers = {**JSON, "x-csrftoken": "token"}
    for body in (arrays(5000), objects(1000), b'{"username": "\xff", "password": "x"}'):
        response = await client.post("/admin/public/login/", content=body, headers=headers)
        assert response.status_code == 400, response.text[:300]


async def test_a_body_past_the_size_limit_is_a_413(client):
    response = await client.post("/api/v1/auth/token", content=b" " * 10_000_001, headers=JSON)
    assert response.status_code == 413


@pytest.mark.parametrize("error", [RecursionError("our own bug"), KeyError("our own bug"),
                                   UnicodeDecodeError("utf-8", b"\xff", 0, 1, "our own bug")])
async def test_the_same_errors_raised_by_our_code_are_still_500s(world, api, monkeypatch, error):
    from app.accounts import services

    async def broken(_principal):
        raise error

    monkeypatch.setattr(services, "me", broken)
    client = await api(world.buyer_admin)
    response = await client.get("/api/v1/me")
    assert response.status_code == 500
    assert "our own bug" not in response.text


# --- the depth check itself ---------------------------------------------------------------------


def test_depth_counts_arrays_and_objects_but_not_brackets_in_strings():
    assert not nested_deeper_than(arrays(MAX_BODY_DEPTH), MAX_BODY_DEPTH)
    assert nested_deeper_than(arrays(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)
    assert nested_deeper_than(objects(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)
    assert not nested_deeper_than(b'{"a": "' + b"[{" * 100 + b'"}', MAX_BODY_DEPTH)
    assert not nested_deeper_than(b'{"a": "\\"' + b"[" * 100 + b'"}', MAX_BODY_DEPTH)  # an escaped quote
    assert not nested_deeper_than(b"[" + b"[]," * 1000 + b"[]]", MAX_BODY_DEPTH)  # wide is fine


def test_the_depth_check_is_linear_even_for_hostile_bodies():
    hostile = [arrays(5_000_000), b'"\\"' * 3_000_000, b'"' * 10_000_000, b"[" + b"[]," * 3_000_000 + b"]"]
    started = time.perf_counter()
    for body in hostile:
        nested_deeper_than(body, MAX_BODY_DEPTH)
    assert time.perf_counter() - started < 5  # about 0.3 s here; a quadratic scan would take hours
