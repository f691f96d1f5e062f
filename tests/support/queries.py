"""Counting the SQL statements a piece of code runs, to prove a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.db import get_engine


@contextmanager
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    engine_class = type(get_engine())  # engines have __slots__: patch the class, not the instance
    seen: list[str] = []
    original = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    try:
        yield seen
    finally:
        monkeypatch.setattr(engine_class, "run_querystring", original)
