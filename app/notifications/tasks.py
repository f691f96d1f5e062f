"""Outbox actors: deliver one e-mail, and sweep for e-mails a lost message left behind."""

import dramatiq

from app.notifications import delivery
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


@dramatiq.actor(
    queue_name="mail",
    max_retries=delivery.MAX_ATTEMPTS,
    min_backoff=int(delivery.MIN_RETRY_DELAY.total_seconds() * 1000),
    max_backoff=int(delivery.MAX_RETRY_DELAY.total_seconds() * 1000),
)
async def deliver_email(email_id: int) -> None:
    await delivery.deliver(email_id)


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_outbox() -> None:
    for email_id in await delivery.overdue_ids():
        deliver_email.send(email_id)
