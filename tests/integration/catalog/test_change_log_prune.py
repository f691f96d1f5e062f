"""Pruning the catalog change log never lets a stale whole-catalog facet count be used (PostgreSQL).

The facet cache and its change log exist on PostgreSQL only (migrations catalog_2026_11_23t15_30 and
16_00); on SQLite the prune does nothing. Each test warms the cache with a browse, changes the catalog,
prunes and checks what the next browse counts.
"""

import asyncio

import pytest

from app import db
from app.catalog import facet_cache, tasks
from app.catalog.tables import Listing
from app.worker import periodic_actors
from tests.support.catalog import a_category, a_listing, a_product

postgres_only = pytest.mark.skipif(db.is_sqlite(), reason="the facet cache and its change log exist on PostgreSQL only")


async def search(client, **params) -> dict:
    response = await client.get("/api/v1/catalog/products", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def sql(statement: str, *args) -> list[dict]:
    return await Listing.raw(statement, *args)


async def last_change() -> int:
    return int((await sql("SELECT CAST(max(xid) AS text) AS xid FROM catalog_change"))[0]["xid"])


async def prune_past(xid: int) -> facet_cache.Pruned:
    """Prunes until the watermark is above `xid` (a transaction elsewhere on the server, still running, holds
    every snapshot's xmin back until it ends: transaction ids are the whole server's, so under pytest-xdist the
    other workers' longest transactions, in their own databases, count too); the counts are summed over the
    prunes."""
    changes = caches = 0
    # Up to five minutes; at once when nothing else runs. Two were once not enough on CI: for 2 min 20 s the other
    # worker held the server's xmin back (which test, the server's log did not tell).
    for _ in range(1_500):
        pruned = await facet_cache.prune_catalog_changes()
        assert pruned is not None
        changes, caches = changes + pruned.changes, caches + pruned.caches
        if int(pruned.watermark) > xid:
            return facet_cache.Pruned(watermark=pruned.watermark, changes=changes, caches=caches)
        await asyncio.sleep(0.2)
    raise AssertionError(f"the watermark stayed at or below {xid}")


async def cached_total(segment: int = 0, in_stock: bool = False) -> int | None:
    rows = await sql("SELECT total FROM catalog_facet_cache WHERE segment = {} AND in_stock = {}", segment, in_stock)
    return rows[0]["total"] if rows else None


@pytest.fixture
async def shop(world):
    """One product with an approved listing of the world's vendor."""
    tools = await a_category("Tools")
    drill = await a_product("Cordless drill", brand="Bosk", category=tools)
    await a_listing(world.vendor.id, drill, "D-1", "99.00")
    return {"tools": tools, "drill": drill}


def test_the_prune_is_a_periodic_actor():
    # given the actors the worker's sweeper sends every MARKET_SWEEP_INTERVAL
    # then the change-log prune is one of them, on the default queue
    assert tasks.prune_catalog_changes in list(periodic_actors())
    assert tasks.prune_catalog_changes.queue_name == "default"


@pytest.mark.skipif(not db.is_sqlite(), reason="SQLite only: it keeps no change log")
async def test_on_sqlite_the_prune_does_nothing(world, shop):
    assert await facet_cache.prune_catalog_changes() is None


@postgres_only
async def test_the_prune_deletes_the_change_rows_below_the_watermark_and_raises_it(world, shop):
    # given catalog changes in the log
    changed = await last_change()
    # when the log is pruned past them
    pruned = await prune_past(changed)
    # then no change row is left below the watermark, which is stored, and the changes were deleted
    assert pruned.changes >= 1
    below = await sql("SELECT COUNT(*) AS n FROM catalog_change WHERE xid <= CAST({} AS text)::xid8", str(changed))
    assert below[0]["n"] == 0
    stored = await sql("SELECT CAST(horizon AS text) AS horizon FROM catalog_change_watermark")
    assert int(stored[0]["horizon"]) >= int(pruned.watermark) > changed
    # and pruning again is harmless: the watermark never goes down
    again = await facet_cache.prune_catalog_changes()
    assert again is not None and int(again.watermark) >= int(pruned.watermark)


@postgres_only
async def test_counts_of_a_snapshot_taken_before_a_prune_are_never_used_after_it(world, api, shop):
    # given a search that counted the catalog (one product) in an old snapshot and is slow to store it
    client = await api(world.purchaser)
    assert (await search(client))["total"] == 1
    old = (await sql("SELECT CAST(pg_current_snapshot() AS text) AS s"))[0]["s"]
    # when a product is added after that snapshot and the prune deletes the change row of that addition
    saw = await a_product("Hand saw", brand="Bosk", category=shop["tools"])
    await a_listing(world.vendor.id, saw, "S-1", "19.00")
    await prune_past(await last_change())
    # then the slow search cannot store its counts any more
    stale = '[[1, "x", 1]]'
    await sql(facet_cache._STORE, 0, False, 1, stale, stale, stale, old)
    assert await cached_total() is None  # and the prune deleted the browse's counts, older than the change
    # and even a row it stored just before the prune committed (the prune did not see it) is not used
    await sql("DELETE FROM catalog_facet_cache WHERE segment = 0 AND in_stock = false")
    await sql(
        "INSERT INTO catalog_facet_cache (segment, in_stock, snapshot, total, categories, brands, vendors)"
        " VALUES (0, false, CAST({} AS text)::pg_snapshot, 1, '[]', '[]', '[]')",
        old,
    )
    body = await search(client)
    assert body["total"] == 2 and {v["label"]: v["count"] for v in body["facets"]["brand"]} == {"Bosk": 2}


@postgres_only
async def test_a_valid_cache_row_outlives_a_prune_and_a_change_after_it_still_invalidates_it(world, api, shop):
    # given a buyer whose browse stored the segment's counts, and a prune after it
    client = await api(world.purchaser)
    assert (await search(client))["total"] == 1
    assert await cached_total() == 1
    await facet_cache.prune_catalog_changes()
    # then the row is still there and still used (marked here to tell it from a recount)
    assert await cached_total() == 1
    await sql("UPDATE catalog_facet_cache SET total = 777 WHERE segment = 0 AND in_stock = false")
    assert (await search(client))["total"] == 777
    # when a product is added after the prune
    saw = await a_product("Hand saw", brand="Bosk", category=shop["tools"])
    await a_listing(world.vendor.id, saw, "S-1", "19.00")
    # then the next browse counts it, and so does one after the log is pruned past the change
    assert (await search(client))["total"] == 2
    await prune_past(await last_change())
    assert (await search(client))["total"] == 2
    # and a change after that prune invalidates the counts stored after it
    await sql("UPDATE listing SET status = 'suspended' WHERE sku = 'D-1'")
    body = await search(client)
    assert body["total"] == 1 and [item["id"] for item in body["items"]] == [saw]
