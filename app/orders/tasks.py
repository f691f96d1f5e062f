"""Ordering's actors: the sweep that reminds approvers of orders left waiting and expires the overdue ones."""

import dramatiq

from app.orders.approvals import sweep
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_approvals() -> None:
    """Idempotent: what is due is read from the database each time (a reminder is sent once, an expiry made once)."""
    await sweep()
