"""The outbox: queue an e-mail inside the caller's transaction (it is sent once that commits), and read what is
in it. Delivery itself: app/notifications/delivery.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app import db
from app.clock import utcnow
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.notifications.tasks import deliver_email


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


async def queue_email(*, to: str, subject: str, body: str) -> int:
    """Write an e-mail in the current unit of work; it is sent once that commits."""
    email = OutboxEmail(
        message_id=uuid.uuid4(),
        to_address=to,
        subject=subject,
        body_text=body,
        status=OutboxStatus.PENDING.value,
        created_at=utcnow(),
    )
    await email.save()
    db.after_commit(lambda: deliver_email.send(email.id))
    return email.id


async def recent(limit: int = 100, status: str | None = None) -> list[OutboxEntry]:
    query = OutboxEmail.select(
        OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.status,
        OutboxEmail.attempts, OutboxEmail.last_error, OutboxEmail.created_at, OutboxEmail.sent_at,
    ).order_by(OutboxEmail.id, ascending=False).limit(limit)
    if status:
        query = query.where(OutboxEmail.status == status)
    return [OutboxEntry(**row) for row in await query]
