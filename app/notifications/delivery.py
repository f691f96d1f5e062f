"""Delivering the outbox at least once: claim an e-mail, send it, retry with backoff, find the ones a lost message
or a dead worker left behind."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from app.clock import utcnow
from app.notifications import mailer
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.settings import get_settings

MAX_ATTEMPTS = 8
# A message not sent this long after it was queued is taken to be lost and queued again.
LOST_AFTER = timedelta(minutes=2)
# A delivery claimed this long ago and never finished belongs to a worker that died.
STUCK_AFTER = timedelta(minutes=10)
# Retries back off exponentially between these bounds (the actor's min_backoff and max_backoff).
MIN_RETRY_DELAY = timedelta(seconds=5)
MAX_RETRY_DELAY = timedelta(minutes=10)


async def deliver(email_id: int) -> bool:
    """Send one e-mail; True when this call sent it.

    Claiming the row with a conditional update makes a duplicate message a no-op; a
    failure puts the row back to pending and raises, so dramatiq retries it with backoff.
    """
    now = utcnow()
    claimed = await OutboxEmail.update(
        {
            OutboxEmail.status: OutboxStatus.SENDING.value,
            OutboxEmail.claimed_at: now,
            OutboxEmail.attempts: OutboxEmail.attempts + 1,
        }
    ).where(
        (OutboxEmail.id == email_id) & (OutboxEmail.status == OutboxStatus.PENDING.value)
    ).returning(
        OutboxEmail.message_id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.body_text,
        OutboxEmail.attempts,
    )
    if not claimed:
        return False
    row = claimed[0]
    settings = get_settings()
    try:
        message = mailer.build_message(
            message_id=str(row["message_id"]),
            sender=settings.mail_from,
            to=row["to_address"],
            subject=row["subject"],
            body=row["body_text"],
        )
        await asyncio.to_thread(mailer.deliver, message, settings)
    except Exception as exc:
        failed_for_good = row["attempts"] >= MAX_ATTEMPTS
        await OutboxEmail.update(
            {
                OutboxEmail.status: (OutboxStatus.FAILED if failed_for_good else OutboxStatus.PENDING).value,
                OutboxEmail.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                OutboxEmail.next_attempt_at: utcnow() + retry_delay(row["attempts"]),
            }
        ).where(OutboxEmail.id == email_id)
        if failed_for_good:
            return False
        raise
    await OutboxEmail.update(
        {OutboxEmail.status: OutboxStatus.SENT.value, OutboxEmail.sent_at: utcnow(), OutboxEmail.last_error: ""}
    ).where(OutboxEmail.id == email_id)
    return True


def retry_delay(attempts: int) -> timedelta:
    """When a failed e-mail is due again: the same exponential backoff as the actor's retries."""
    return min(MIN_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


async def overdue_ids(now: datetime | None = None) -> list[int]:
    """E-mails a lost message or a dead worker left behind; stuck claims are released.

    A pending e-mail is overdue once LOST_AFTER has passed since it was queued or, after a
    failure, since its retry fell due: the sweeper never hurries a retry dramatiq still holds.
    """
    now = now or utcnow()
    await OutboxEmail.update({OutboxEmail.status: OutboxStatus.PENDING.value}).where(
        (OutboxEmail.status == OutboxStatus.SENDING.value) & (OutboxEmail.claimed_at < now - STUCK_AFTER)
    )
    cutoff = now - LOST_AFTER
    rows = await OutboxEmail.select(OutboxEmail.id).where(
        (OutboxEmail.status == OutboxStatus.PENDING.value)
        & (
            (OutboxEmail.next_attempt_at.is_null() & (OutboxEmail.created_at < cutoff))
            | (OutboxEmail.next_attempt_at < cutoff)
        )
    ).order_by(OutboxEmail.id).limit(1000)
    return [row["id"] for row in rows]
