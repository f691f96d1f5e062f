"""Feed import actors: run one import, and sweep for imports a lost message or a crashed worker left behind."""

import dramatiq

from app.vendors.import_run import overdue_import_ids, run_import
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


# No retries: a failing import records why in its row; a crashed one is found again by the sweeper.
@dramatiq.actor(queue_name="imports", max_retries=0, time_limit=6 * 60 * 60 * 1000)
async def run_feed_import(import_id: int) -> None:
    await run_import(import_id)


@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def sweep_feed_imports() -> None:
    for import_id in await overdue_import_ids():
        run_feed_import.send(import_id)
