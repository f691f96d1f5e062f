"""In-app notifications as the API and the pages show them."""

from __future__ import annotations

from datetime import datetime

import msgspec


class NotificationOut(msgspec.Struct):
    """One notification: what happened (the e-mail's subject and text) and the page where the user acts."""

    id: int
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(msgspec.Struct):
    """One page of the caller's notifications, newest first, and how many of all of them are unread."""

    items: list[NotificationOut]
    unread: int
    page: int
    per_page: int
    next_page: int | None


class ReadAllOut(msgspec.Struct):
    """How many notifications "mark all read" marked."""

    marked: int
