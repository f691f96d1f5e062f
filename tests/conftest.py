"""Test environment: set before the app is imported, so settings are read once and right.

SQLite (a temporary file) unless MARKET_DATABASE_URL names a PostgreSQL test database;
jobs go through Redis when MARKET_REDIS_URL is set. The schema is built from the
migrations, once per session; every test starts from empty tables.

`make test` runs the suite in one process per core (pytest-xdist). Each worker process has its own
everything: its SQLite file, or its own PostgreSQL database made afresh beside the one named
(`<name>_gw0`, …), its own Redis database, its own var directory.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from hypothesis import HealthCheck, settings

# Properties check rules, not speed: a busy machine (two test processes on two cores) must not fail them for being
# slow to generate or run an example.
settings.register_profile("market", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("market")

# In memory where the machine has it: a test commits thousands of times, and each commit of the SQLite file
# waits for the disk (fsync) otherwise.
_TMP = tempfile.mkdtemp(prefix="market-test-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)  # noqa: S108 - a private directory mkdtemp makes
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … under pytest-xdist


async def _fresh_database(url: str, name: str) -> None:
    connection = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


_url = os.environ.get("MARKET_DATABASE_URL", "")
if _url.startswith(("postgres://", "postgresql://")):
    _name = urlsplit(_url).path.lstrip("/")
    if "test" not in _name and "ci" not in _name:
        raise SystemExit(f"refusing to run tests on {_name!r}: its name must contain 'test' or 'ci' (tests empty it)")
    if _WORKER:
        _name = f"{_name}_{_WORKER}"
        asyncio.run(_fresh_database(_url, _name))
        os.environ["MARKET_DATABASE_URL"] = urlunsplit(urlsplit(_url)._replace(path=f"/{_name}"))
else:
    os.environ["MARKET_DATABASE_URL"] = f"sqlite:///{_TMP}/test.sqlite3"
os.environ["MARKET_ENV"] = "test"
os.environ["MARKET_VAR_DIR"] = _TMP
os.environ.setdefault("MARKET_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ["MARKET_SWEEP_INTERVAL"] = "3600"
# Every test app opens its whole pool at start: keep it small.
os.environ["MARKET_DB_POOL_SIZE"] = "5"
os.environ.pop("MARKET_SMTP_URL", None)
_redis = os.environ.get("MARKET_REDIS_URL", "")
if _redis and _WORKER:
    _parts = urlsplit(_redis)
    _index = int(_parts.path.lstrip("/") or 0)
    _own = (_index - int(_WORKER.removeprefix("gw"))) % 16  # the workers count down from the database named
    os.environ["MARKET_REDIS_URL"] = urlunsplit(_parts._replace(path=f"/{_own}"))

import pytest  # noqa: E402
from piccolo.apps.user.tables import BaseUser  # noqa: E402

import app  # noqa: E402, F401

# PBKDF2 at 600,000 rounds costs a good part of a second per password: fine for people,
# far too slow for hundreds of test logins. The algorithm and code path stay the same.
BaseUser._pbkdf2_iteration_count = 1_000

# The shared builders in tests/support assert too: pytest explains their failures as it does a test's.
pytest.register_assert_rewrite("tests.support")
pytest_plugins = ["tests.support.fixtures"]


def pytest_sessionstart(session: pytest.Session) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = asyncio.run(run_forwards(app_name="all"))
    if not result.success:
        raise SystemExit(f"migrations failed: {result.message}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _WORKER and os.environ["MARKET_DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        asyncio.run(_drop_database(os.environ["MARKET_DATABASE_URL"]))


async def _drop_database(url: str) -> None:
    """A worker's own database goes with it (CI drops only the one it named)."""
    connection = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
    finally:
        await connection.close()
