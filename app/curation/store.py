"""What the curation modules share: row locks, chunked inserts, rule violations as 400s."""

from __future__ import annotations

from typing import Any

from app import db
from app.curation import rules
from app.errors import InvalidInput

INSERT_CHUNK = 500  # rows per multi-row INSERT, well under SQLite's bound-parameter limit


def locked(query: Any) -> Any:
    """`SELECT … FOR UPDATE` on PostgreSQL; SQLite's immediate transaction already holds the write lock."""
    return query if db.is_sqlite() else query.lock_rows()


def invalid(exc: rules.RuleViolation) -> InvalidInput:
    """A refused input as the 400 that says what to fix."""
    return InvalidInput(str(exc))
