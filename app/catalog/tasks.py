"""Catalog actors: the periodic prune of the change log that keeps the facet cache exact (PostgreSQL)."""

import dramatiq

from app.catalog import facet_cache
from app.worker import periodic  # importing app.worker sets the broker before any actor exists


# Idempotent: one statement that only ever raises the watermark and deletes below it.
@periodic
@dramatiq.actor(queue_name="default", max_retries=0)
async def prune_catalog_changes() -> None:
    await facet_cache.prune_catalog_changes()
