"""RFQ actors: close one RFQ at its deadline, and sweep for deadlines and reminders a message missed."""

import dramatiq

from app.rfq import services
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


# Idempotent: an early, late or duplicate delivery is a no-op (the close is a conditional update).
# The update re-reads the deadline, so the message sent for a deadline that was extended since
# (by the buyer or by an auction's anti-sniping) closes nothing; the one sent for the new deadline does.
@dramatiq.actor(queue_name="rfq", max_retries=5)
async def close_rfq_at_deadline(rfq_id: int) -> None:
    await services.close_if_due(rfq_id)


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_rfqs() -> None:
    await services.sweep()
