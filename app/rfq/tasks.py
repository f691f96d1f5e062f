"""RFQ actors: close one RFQ at its deadline, and sweep for deadlines and reminders a message missed; and the one
place that sends the closing message."""

from datetime import datetime

import dramatiq

from app import db
from app.rfq import deadlines
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


# Idempotent: an early, late or duplicate delivery is a no-op (the close is a conditional update).
# The update re-reads the deadline, so the message sent for a deadline that was extended since
# (by the buyer or by an auction's anti-sniping) closes nothing; the one sent for the new deadline does.
@dramatiq.actor(queue_name="rfq", max_retries=5)
async def close_rfq_at_deadline(rfq_id: int) -> None:
    await deadlines.close_if_due(rfq_id)


async def schedule_close(rfq_id: int, deadline: datetime, now: datetime) -> None:
    """In the caller's transaction: send the delayed closing message after commit, when the deadline is within
    the broker's range (else the sweep sends it once it is)."""
    delay = await deadlines.note_close_scheduled(rfq_id, deadline, now)
    if delay is not None:
        milliseconds = int(delay.total_seconds() * 1000)
        db.after_commit(lambda: close_rfq_at_deadline.send_with_options(args=(rfq_id,), delay=milliseconds))


async def sweep() -> dict[str, int]:
    """What a lost or far-off message would miss: close overdue RFQs, schedule closing messages for deadlines
    that came within the broker's range, remind unanswered vendors a day before the deadline."""
    closed = sum([await deadlines.close_if_due(rfq_id) for rfq_id in await deadlines.overdue_ids()])
    now = await db.db_now()
    pending = await deadlines.unscheduled_closings(now)
    for rfq_id, deadline in pending:
        async with db.transaction():
            await schedule_close(rfq_id, deadline, now)
    reminded = await deadlines.send_reminders()
    return {"closed": closed, "scheduled": len(pending), "reminded": reminded}


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_rfqs() -> None:
    await sweep()
