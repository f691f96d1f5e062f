"""The database engine for the configured URL, and the one way to run a unit of work."""

from __future__ import annotations

import contextvars
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from app.piccolo_conf import DB

log = logging.getLogger(__name__)

# What a unique index refusing a row raises, on either backend (SQLite says it of every constraint).
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)

def get_engine() -> Engine:
    return DB


def is_sqlite() -> bool:
    return isinstance(get_engine(), SQLiteEngine)


def in_ids(column: str, ids: list[int]) -> tuple[str, object]:
    """`column` is one of `ids`, as a raw-SQL fragment with ONE placeholder and its argument: a list of any
    length costs one bound value (SQLite refuses more than 32,766 per statement, and binding costs time)."""
    if is_sqlite():
        return f"{column} IN (SELECT value FROM json_each({{}}))", json.dumps(ids)  # noqa: S608 (a column name)
    return f"{column} = ANY({{}}::bigint[])", ids


async def _keep_session(_connection: Any) -> None:
    """Replaces asyncpg's reset on release, a round trip per query outside a transaction.

    The app keeps no session state (no LISTEN, SET, session advisory locks or open cursors), and
    asyncpg still rolls back a transaction left open before calling this.
    """


async def start_pool(max_size: int = 10, *, open_all: bool = False) -> None:
    """A connection pool for this event loop. `open_all` connects every connection now: an app process
    must not make the first requests of a burst wait for new connections."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=max_size if open_all else 1, max_size=max_size,
                                           reset=_keep_session)


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def db_now() -> datetime:
    """The database server's clock, as aware UTC: deadlines are judged by it, not by an app process."""
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        rows = await engine.run_querystring(QueryString("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS now"))
        return datetime.fromisoformat(rows[0]["now"]).replace(tzinfo=UTC)
    rows = await engine.run_querystring(QueryString("SELECT clock_timestamp() AS now"))
    return rows[0]["now"].astimezone(UTC)


_after_commit: contextvars.ContextVar[list[Callable[[], Any]] | None] = contextvars.ContextVar(
    "after_commit", default=None
)


def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current unit of work has committed (at once outside one).

    Used to enqueue jobs about rows the transaction writes: a worker must never look for a
    row that is not committed yet, and a rolled-back change must send nothing.
    """
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One unit of work: everything inside commits together or not at all.

    On SQLite it is an immediate transaction (it takes the write lock at BEGIN), because a
    deferred one that reads and then writes fails at once with "database is locked" when
    another writer got there first. Nested calls join the outer unit of work.
    """
    engine = get_engine()
    if engine.current_transaction.get() is not None:
        yield
        return
    pending: list[Callable[[], Any]] = []
    token = _after_commit.set(pending)
    try:
        if isinstance(engine, SQLiteEngine):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with engine.transaction():
                yield
    finally:
        _after_commit.reset(token)
    for callback in pending:
        try:
            callback()
        except Exception:
            # The change is committed: report success. What the callback would have started
            # (a job) is re-derived from the database by the sweeper.
            log.exception("after-commit callback failed; the sweeper will pick the work up")
