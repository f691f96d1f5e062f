"""Shared fixtures: a clean database per test, the app, and signed-in clients for each role."""

from __future__ import annotations

import re
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from itertools import count

import httpx
import pytest
import uvicorn
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from litestar import Litestar
from piccolo.conf.apps import Finder
from piccolo.table import sort_table_classes

from app import db
from app.accounts import services as accounts
from app.accounts.schemas import CompanyIn, CompanyOut, UserIn
from app.asgi import create_app
from app.worker import broker, load_actors

PASSWORD = "correct-horse-battery"
_sequence = count(1)


async def _empty_all_tables() -> None:
    tables = sort_table_classes(Finder().get_table_classes())
    engine = db.get_engine()
    if db.is_sqlite():
        # Foreign keys off for this one connection: self-references (a company's group) need no ordering.
        with sqlite3.connect(engine.path) as connection:
            connection.execute("PRAGMA foreign_keys = OFF")
            # An audit log's triggers refuse every DELETE (on_behalf_action): set aside while emptying, then back.
            guards = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'").fetchall()
            for name, _ in guards:
                connection.execute(f'DROP TRIGGER "{name}"')
            for table in tables:
                connection.execute(f'DELETE FROM "{table._meta.tablename}"')
            for _, sql in guards:
                connection.execute(sql)
    else:
        names = ", ".join(f'"{table._meta.tablename}"' for table in tables)
        await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    if "unit" in request.node.path.parts:  # unit tests touch no database
        yield
        return
    load_actors()
    broker.flush_all()
    await _empty_all_tables()
    await db.start_pool(max_size=4)
    yield
    await db.close_pool()


@pytest.fixture(scope="session")
def app() -> Litestar:
    """One app for the whole session: building it (routes, OpenAPI, the back office's CRUD apps) costs seconds.

    It keeps no state between requests of its own: users, sessions, tokens, throttles and flashes live in
    the database (emptied before every test) or in cookies of each test's own client.
    """
    return create_app(run_worker=False)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def worker() -> Iterator[Worker]:
    """A dramatiq worker for this test: in memory on SQLite runs, a real one on Redis in CI."""
    load_actors()
    running = Worker(broker, worker_threads=2, worker_timeout=100)
    running.start()
    yield running
    running.stop()


def drain(*queues: str) -> None:
    """Wait until every message of `queues` (default "mail") was processed (needs the `worker` fixture)."""
    for queue in queues or ("mail",):
        if isinstance(broker, StubBroker):
            broker.join(queue, fail_fast=True, timeout=30_000)
        else:  # RedisBroker.join has no fail_fast
            broker.join(queue, timeout=30_000)


# --- people -------------------------------------------------------------------------------------


async def make_company(kind: str, name: str | None = None, parent_id: int | None = None) -> CompanyOut:
    number = next(_sequence)
    return await accounts.create_company(
        CompanyIn(name=name or f"{kind.title()} {number}", kind=kind, country="DE", currency="EUR",
                  tax_id=f"DE{number:09d}", parent_id=parent_id)
    )


async def make_user(company_id: int, role: str, email: str | None = None, password: str = PASSWORD) -> str:
    email = email or f"{role}{next(_sequence)}@example.com"
    # English and UTC, whatever the company's country: the tests read the pages' English words and UTC times.
    await accounts.create_user(None, company_id, UserIn(email=email, name=role.replace("_", " ").title(),
                                                        roles=[role], password=password, locale="en",
                                                        time_zone="UTC"))
    return email


async def api_login(app: Litestar, email: str, password: str = PASSWORD) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    response = await c.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    c.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return c


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def browser_login(app: Litestar, email: str, password: str = PASSWORD) -> httpx.AsyncClient:
    """A cookie-carrying client signed in through the real login form."""
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    page = await c.get("/login")
    response = await c.post(
        "/login", data={"email": email, "password": password, "next": "/", "_csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303, response.text
    return c


@dataclass
class World:
    """Two buyer companies, a vendor and an operator, each user with a known e-mail."""

    operator_company: CompanyOut
    buyer: CompanyOut
    other_buyer: CompanyOut
    vendor: CompanyOut
    operator: str
    buyer_admin: str
    purchaser: str
    approver: str
    other_buyer_admin: str
    vendor_admin: str


@pytest.fixture
async def world() -> World:
    operator_company = await make_company("operator")
    buyer = await make_company("buyer")
    other_buyer = await make_company("buyer")
    vendor = await make_company("vendor")
    return World(
        operator_company=operator_company,
        buyer=buyer,
        other_buyer=other_buyer,
        vendor=vendor,
        operator=await make_user(operator_company.id, "operator"),
        buyer_admin=await make_user(buyer.id, "buyer_admin"),
        purchaser=await make_user(buyer.id, "purchaser"),
        approver=await make_user(buyer.id, "approver"),
        other_buyer_admin=await make_user(other_buyer.id, "buyer_admin"),
        vendor_admin=await make_user(vendor.id, "vendor_admin"),
    )


@pytest.fixture
def api(app: Litestar):  # type: ignore[no-untyped-def]
    """`await api(email)`: an API client with a bearer token for that user."""
    clients: list[httpx.AsyncClient] = []

    async def login(email: str, password: str = PASSWORD) -> httpx.AsyncClient:
        c = await api_login(app, email, password)
        clients.append(c)
        return c

    yield login


@pytest.fixture
def browser(app: Litestar):  # type: ignore[no-untyped-def]
    """`await browser(email)`: a cookie client signed in through the login form."""

    async def login(email: str, password: str = PASSWORD) -> httpx.AsyncClient:
        return await browser_login(app, email, password)

    yield login


SERVER_START_TIMEOUT_SECONDS = 30


@pytest.fixture
def live_server(clean_database: None) -> Iterator[str]:
    """The base URL of the real app served by uvicorn in a thread, over the test's database.

    Depends on `clean_database` so the tables are emptied before the server starts and the
    server is stopped before that fixture closes the test's connection pool.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on: no race with other processes
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app=create_app(run_worker=False),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive():
            sock.close()
            pytest.fail("the app server stopped while starting (see the log above)", pytrace=False)
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            pytest.fail(f"the app server did not start within {SERVER_START_TIMEOUT_SECONDS} s", pytrace=False)
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        assert not thread.is_alive(), "the app server did not stop within 30 s"
