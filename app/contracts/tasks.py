"""Contract actors: the periodic sweep marking ended contracts expired and sending expiry reminders."""

import dramatiq

from app.contracts import lifecycle
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


# Idempotent: expiry is a conditional update and each reminder is claimed once per end date.
@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_contracts() -> None:
    await lifecycle.sweep()
