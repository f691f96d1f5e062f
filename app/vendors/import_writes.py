"""Writing a feed import's rows: each batch upserted (best effort), or all staged, then written at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from app import db
from app.catalog.states import ListingStatus, status_after_edit
from app.catalog.tables import Listing
from app.clock import utcnow
from app.money import from_minor, to_minor
from app.vendors.import_job import CheckedRow, ImportJob
from app.vendors.import_sql import (
    CURATED_COLUMNS,
    PG_DELETE_STAGED_LISTINGS_TIERS,
    PG_DELETE_TIERS,
    PG_EXISTING,
    PG_STAGE,
    PG_STAGE_ROWS,
    PG_UPSERT,
    RESTAGE,
    SQLITE_DELETE_STAGED_LISTINGS_TIERS,
    SQLITE_STAGE_ROW,
    SQLITE_STAGE_TIER,
    STAGE_COLUMNS,
    STAGED_COLUMNS,
    TIER_COLUMNS,
    WRITE_STAGED_LISTINGS,
    WRITE_STAGED_TIERS,
    sqlite_existing,
    sqlite_upsert,
)
from app.vendors.listing_rules import ListingValues, curated_facts_changed
from app.vendors.services import replace_tiers, row_values
from app.vendors.tables import FeedImportRow, FeedImportTier


def _status_after(before: Mapping[str, Any] | None, changed: bool, now: datetime) -> tuple[str, datetime | None]:
    """The listing's status after a row, and its new submission time (None: keep the listing's)."""
    if before is None:
        return ListingStatus.DRAFT.value, None
    current = ListingStatus(before["status"])
    status = status_after_edit(current, changed)
    return status.value, (now if status is not current else None)


def _connection() -> Any:
    """The raw connection of the caller's unit of work (asyncpg, or aiosqlite on SQLite)."""
    transaction = db.get_engine().current_transaction.get()
    if transaction is None:
        raise RuntimeError("a feed batch is written inside db.transaction()")
    return transaction.connection


async def _existing(vendor_id: int, skus: list[str]) -> dict[str, Mapping[str, Any]]:
    """The vendor's listings of these SKUs: status, submission time and product facts, by SKU."""
    if db.is_sqlite():  # the connection itself: the ORM's query building costs more than the query
        rows = await _connection().execute_fetchall(sqlite_existing(len(skus)), [vendor_id, *skus])
    else:
        rows = await _connection().fetch(PG_EXISTING, vendor_id, skus)
    return {row["sku"]: row for row in rows}


async def upsert(vendor_id: int, batch: list[ListingValues]) -> None:
    """Insert or update the vendor's listings by SKU, then replace their tiers, in the caller's transaction.

    An approved listing whose product facts change goes back to curation, as with an edit.
    A fixed number of statements per batch on both databases.
    """
    # A SKU given twice is one listing updated twice: the later row wins (memory stays flat, no SKU set).
    batch = list({values.sku: values for values in batch}.values())
    if not batch:
        return
    if db.is_sqlite():
        await _upsert_sqlite(vendor_id, batch)
    else:
        await _upsert_postgres(vendor_id, batch)


def _staged_rows(batch: list[ListingValues], existing: Mapping[str, Any], now: datetime) -> list[tuple[Any, ...]]:
    """The batch as `STAGED_COLUMNS` rows, each status following the edit rules (pure, no I/O)."""
    rows = []
    for values in batch:
        before = existing.get(values.sku)
        changed = before is not None and curated_facts_changed(before, values)
        status, submitted_at = _status_after(before, changed, now)
        if submitted_at is None and before is not None:
            submitted_at = before["submitted_at"]  # kept, read in the same transaction
        stored = row_values(values)
        rows.append((*(stored[c] for c in STAGED_COLUMNS[:-2]), status, submitted_at))
    return rows


async def _upsert_sqlite(vendor_id: int, batch: list[ListingValues]) -> None:
    # aiosqlite: one multi-row INSERT … ON CONFLICT with bound parameters (21 per row) is the fast path.
    existing = await _existing(vendor_id, [values.sku for values in batch])
    now = utcnow()
    args: list[Any] = []
    for *stored, status, submitted_at in _staged_rows(batch, existing, now):
        args.extend([vendor_id, *stored, status, "", now, now, submitted_at])
    ids = {row["sku"]: row["id"] for row in await Listing.raw(sqlite_upsert(len(batch)), *args)}
    await replace_tiers(ids.values(), {ids[values.sku]: values.tiers for values in batch})


async def _upsert_postgres(vendor_id: int, batch: list[ListingValues]) -> None:
    connection = _connection()
    existing = await _existing(vendor_id, [values.sku for values in batch])
    now = utcnow()
    staged = _staged_rows(batch, existing, now)
    await connection.execute(PG_STAGE)
    await connection.copy_records_to_table(
        "feed_listing",
        records=[(position, *row) for position, row in enumerate(staged)],
        columns=("position", *STAGED_COLUMNS),
    )
    ids = {row["sku"]: row["id"] for row in await connection.fetch(PG_UPSERT, vendor_id, now)}
    # Only listings that existed before this batch can have tiers to replace.
    replaced = [ids[sku] for sku in existing]
    if replaced:
        await connection.execute(PG_DELETE_TIERS, replaced)
    tiers = [(ids[values.sku], tier.min_qty, to_minor(tier.unit_price)) for values in batch for tier in values.tiers]
    if tiers:
        await connection.copy_records_to_table(
            "listing_tier", records=tiers, columns=("listing", "min_qty", "unit_price")
        )


# --- all or nothing: staging, then one write ---------------------------------------------------------


class StagedAlready(Exception):
    """A SKU of the batch was staged by an earlier batch (PostgreSQL's COPY cannot replace it)."""


async def stage(job: ImportJob, batch: list[CheckedRow], *, replace: bool = False) -> None:
    """The batch's rows into the staging tables, in the caller's transaction, each with the status it
    gives its listing as the listing is now (`write_staged` decides again for listings changed since)."""
    # One staged row per SKU: the position of its first row, the values of its last (memory stays flat).
    last: dict[str, tuple[int, CheckedRow]] = {}
    for row in batch:
        if row.values is not None:
            last[row.values.sku] = (last.get(row.values.sku, (row.number, row))[0], row)
    if not last:
        return
    existing = await _existing(job.vendor_id, list(last))
    now = utcnow()
    rows: list[tuple[Any, ...]] = []
    tiers: list[tuple[Any, ...]] = []
    for position, row in last.values():
        values = row.values
        assert values is not None
        before = existing.get(values.sku)
        changed = before is not None and curated_facts_changed(before, values)
        stored = row_values(values)
        rows.append((
            job.id, position, row.number, *(stored[c] for c in STAGED_COLUMNS[:-2]),
            *_status_after(before, changed, now), None if before is None else before["status"], changed,
        ))  # fmt: skip
        tiers.extend((job.id, values.sku, row.number, tier.min_qty, to_minor(tier.unit_price)) for tier in values.tiers)
    if db.is_sqlite():
        await _stage_sqlite(rows, tiers)
    else:
        await _stage_postgres(rows, tiers, replace=replace)


async def _stage_sqlite(rows: list[tuple[Any, ...]], tiers: list[tuple[Any, ...]]) -> None:
    # The connection's own executemany: one statement prepared once, bound per row in C (a multi-row
    # INSERT of 21,000 parameters built through the ORM costs several times more).
    connection = _connection()
    await connection.executemany(SQLITE_STAGE_ROW, rows)
    if tiers:
        await connection.executemany(SQLITE_STAGE_TIER, tiers)


async def _stage_postgres(rows: list[tuple[Any, ...]], tiers: list[tuple[Any, ...]], *, replace: bool) -> None:
    connection = _connection()
    if replace:  # twice as slow as COPY: only for a batch that gives a SKU an earlier batch gave
        await connection.execute(PG_STAGE_ROWS, rows[0][0], *zip(*(row[1:] for row in rows), strict=True))
    else:
        try:
            await connection.copy_records_to_table("feed_import_row", records=rows, columns=STAGE_COLUMNS)
        except asyncpg.UniqueViolationError:
            raise StagedAlready from None  # the transaction is aborted: the caller runs the batch again
    if tiers:
        await connection.copy_records_to_table("feed_import_tier", records=tiers, columns=TIER_COLUMNS)


async def write_staged(job: ImportJob) -> None:
    """The import's staged rows become the vendor's listings and tiers, in the caller's transaction.

    A fixed number of statements whatever the number of rows (plus one per listing changed since staged).
    """
    await _restage_changed(job)
    delete_tiers = SQLITE_DELETE_STAGED_LISTINGS_TIERS if db.is_sqlite() else PG_DELETE_STAGED_LISTINGS_TIERS
    await Listing.raw(delete_tiers, job.vendor_id, job.id)
    now = utcnow()
    await Listing.raw(WRITE_STAGED_LISTINGS, job.vendor_id, now, now, job.id)
    await _write_staged_tiers(job)
    await clear_stage(job.id)


async def _write_staged_tiers(job: ImportJob) -> None:
    await Listing.raw(WRITE_STAGED_TIERS, job.vendor_id, job.id)


async def _restage_changed(job: ImportJob) -> None:
    """Decide again the status a staged row gives a listing that changed since it was staged.

    Rare (a curator's decision or the vendor's own edit while the file was being checked): the
    decision stays the edit rule's, taken with the listing as it is in the writing transaction.
    """
    now = utcnow()
    for row in await Listing.raw(RESTAGE, job.vendor_id, job.id):
        before = None
        if row["listing_status"] is not None:
            before = {"status": row["listing_status"], **{c: row[f"listing_{c}"] for c in CURATED_COLUMNS}}
        changed = before is not None and curated_facts_changed(before, _staged_values(row))
        status, submitted_at = _status_after(before, changed, now)
        await FeedImportRow.update(
            {
                FeedImportRow.status: status,
                FeedImportRow.submitted_at: submitted_at,
                FeedImportRow.seen_status: None if before is None else before["status"],
                FeedImportRow.seen_changed: changed,
            }
        ).where(FeedImportRow.id == row["id"])


def _staged_values(row: Mapping[str, Any]) -> ListingValues:
    return ListingValues(
        sku=row["sku"], title=row["title"], base_price=from_minor(row["base_price"]), currency=row["currency"],
        brand=row["brand"], mpn=row["mpn"], gtin=row["gtin"], category_id=row["category"],
        description=row["description"], unit=row["unit"], pack_size=row["pack_size"],
        min_order_qty=row["min_order_qty"], stock=row["stock"], lead_time_days=row["lead_time_days"],
        tax_rate=row["tax_rate"],
    )  # fmt: skip


async def clear_stage(import_id: int) -> None:
    """Forget what an import staged, in the caller's transaction (written, failed, or run again)."""
    await FeedImportTier.delete().where(FeedImportTier.feed_import == import_id)
    await FeedImportRow.delete().where(FeedImportRow.feed_import == import_id)
