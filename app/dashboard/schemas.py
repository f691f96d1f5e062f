"""What waits for the caller, as GET /api/v1/me/tasks answers it."""

from __future__ import annotations

from datetime import datetime

import msgspec


class TaskOut(msgspec.Struct):
    """One thing the caller has to do (`title`), about what (`detail`), by when (`deadline`, and what that moment
    is: `deadline_label`; `all_day` when it is a whole day), and the path of the page where it does it (`link`)."""

    kind: str
    title: str
    detail: str
    link: str
    deadline: datetime | None
    deadline_label: str
    all_day: bool


class TaskListOut(msgspec.Struct):
    """The caller's tasks, soonest deadline first, those without one last. A kind with many tasks lists the first
    ones, then a task of kind `more` that links to the full list."""

    items: list[TaskOut]
