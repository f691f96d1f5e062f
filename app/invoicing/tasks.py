"""Invoicing actors: the sweep that marks invoices overdue (idempotent; the sweeper runs it every interval)."""

import dramatiq

from app.invoicing.overdue import mark_overdue
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_overdue_invoices() -> None:
    await mark_overdue()
