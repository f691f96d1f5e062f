"""Test environment: set before the app is imported, so settings are read once and right.

SQLite (a temporary file) unless MARKET_DATABASE_URL names a PostgreSQL test database;
jobs go through Redis when MARKET_REDIS_URL is set. The schema is built from the
migrations, once per session; every test starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlsplit

_TMP = tempfile.mkdtemp(prefix="market-test-")
_url = os.environ.get("MARKET_DATABASE_URL", "")
if _url.startswith(("postgres://", "postgresql://")):
    _name = urlsplit(_url).path.lstrip("/")
    if "test" not in _name and "ci" not in _name:
        raise SystemExit(f"refusing to run tests on {_name!r}: its name must contain 'test' or 'ci' (tests empty it)")
else:
    os.environ["MARKET_DATABASE_URL"] = f"sqlite:///{_TMP}/test.sqlite3"
os.environ["MARKET_ENV"] = "test"
os.environ["MARKET_VAR_DIR"] = _TMP
os.environ.setdefault("MARKET_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ["MARKET_SWEEP_INTERVAL"] = "3600"
# Every test app opens its whole pool at start: keep it small.
os.environ["MARKET_DB_POOL_SIZE"] = "5"
os.environ.pop("MARKET_SMTP_URL", None)

import asyncio  # noqa: E402

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
