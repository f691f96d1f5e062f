"""The spending audit: every change of a rule, budget or user limit and every approval decision, with who, when,
and the values before and after. Written in the change's own transaction; nobody edits or deletes it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from app.spending.tables import SpendingAudit


def plain(values: Mapping[str, object]) -> dict[str, object]:
    """Values as JSON keeps them: amounts and dates as text."""
    return {key: str(value) if isinstance(value, Decimal | date | datetime | Enum) else value
            for key, value in values.items()}


async def record(*, company_id: int, actor_id: int | None, kind: str, subject: str, subject_id: int,
                 before: Mapping[str, object] | None, after: Mapping[str, object] | None, at: datetime) -> None:
    await SpendingAudit.insert(SpendingAudit(
        company=company_id, actor=actor_id, kind=kind, subject=subject, subject_id=subject_id,
        before=plain(before or {}), after=plain(after or {}), at=at,
    ))
