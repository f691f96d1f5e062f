"""The database engine for the configured URL: SQLite in WAL mode, or PostgreSQL with a pool per event loop."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from app.settings import Settings

# How long a SQLite writer waits for another writer before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class LoopLocalPostgresEngine(PostgresEngine):
    """A Postgres engine that keeps one connection pool per event loop.

    asyncpg connections belong to the loop that opened them. The web app, an in-process
    dramatiq worker (its own loop thread) and test bodies each run their own loop; with one
    shared pool, whichever is not the pool's loop fails ("attached to a different loop").
    A loop without a pool of its own gets a fresh connection per query instead.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pools: dict[asyncio.AbstractEventLoop, Any] = {}
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def pool(self) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self._pools.get(loop)

    @pool.setter
    def pool(self, value: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # PostgresEngine.__init__ sets pool = None outside any loop.
        if value is None:
            self._pools.pop(loop, None)
        else:
            self._pools[loop] = value


def make_engine(settings: Settings) -> Engine:
    if settings.database_is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(path)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return LoopLocalPostgresEngine(config=settings.postgres_config)


def _enable_wal(path: Any) -> None:
    # WAL is a property of the database file: set once, every later connection gets it, and
    # readers no longer block the writer.
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
