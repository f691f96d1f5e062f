"""Accounts housekeeping actors."""

import dramatiq

from app.accounts import services
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def purge_login_failures() -> None:
    await services.purge_login_failures()
