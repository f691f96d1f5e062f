"""Running a feed import: claim it, check its rows batch by batch with progress, write them, finish or fail."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from app import db
from app.catalog.tables import Category, Listing
from app.clock import utcnow
from app.settings import get_settings
from app.vendors.feed import (
    Deadline,
    FeedError,
    FeedLimitReached,
    FeedLimits,
    FeedRow,
    FileFormat,
    check_row,
    iter_rows,
)
from app.vendors.import_job import CheckedRow, ImportJob
from app.vendors.import_writes import StagedAlready, clear_stage, stage, upsert, write_staged
from app.vendors.listing_rules import FieldError, ListingInvalid
from app.vendors.tables import FeedImport, FeedImportError, ImportPhase, ImportStatus

log = logging.getLogger(__name__)

BATCH_ROWS = 1_000
# Rows counted per trip to a thread before the first pass; a heartbeat between trips: a long count is no crash.
COUNT_ROWS = 20_000
ANALYZE_FROM_ROWS = 10_000
# A running import whose heartbeat is older than this was left behind by a crashed worker.
STALE_AFTER = timedelta(minutes=5)
# A queued import not started after this long lost its message: the sweeper sends it again.
QUEUED_GRACE = timedelta(minutes=1)

ProgressCallback = Callable[[str, int, int], None]  # (phase, rows done, rows total)


@dataclass(slots=True)
class Tally:
    total: int = 0
    done: int = 0
    imported: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class Bounds:
    """What one run may read: the file's limits, and the time limit counted from the claim."""

    limits: FeedLimits
    deadline: Deadline

    @classmethod
    def now(cls) -> Bounds:
        settings = get_settings()
        return cls(FeedLimits.of(settings), Deadline(settings.feed_time_limit_seconds))


class _TakenOver(Exception):
    """Another run claimed the import (this one looked crashed): this run must write nothing more."""


def _ours(job: ImportJob) -> Any:
    """The import's row while this run still owns it: running, claimed by this run (`started_at`)."""
    return (
        (FeedImport.id == job.id)
        & (FeedImport.status == ImportStatus.RUNNING.value)
        & (FeedImport.started_at == job.claimed_at)
    )


async def _claim(import_id: int) -> ImportJob | None:
    """Mark the import running, unless it is finished or another worker is running it (then None)."""
    now = utcnow()
    async with db.transaction():
        row = await FeedImport.select(
            FeedImport.id, FeedImport.vendor, FeedImport.stored_path, FeedImport.file_format,
            FeedImport.all_or_nothing, FeedImport.status, FeedImport.heartbeat_at,
        ).where(FeedImport.id == import_id).first()  # fmt: skip
        if row is None:
            return None
        status = ImportStatus(row["status"])
        crashed = status is ImportStatus.RUNNING and (
            row["heartbeat_at"] is None or row["heartbeat_at"] < now - STALE_AFTER
        )
        if status is not ImportStatus.QUEUED and not crashed:
            return None  # finished (a re-run is a no-op) or alive elsewhere
        same = (FeedImport.id == import_id) & (FeedImport.status == status.value)
        if status is ImportStatus.RUNNING:
            heartbeat = row["heartbeat_at"]
            same &= FeedImport.heartbeat_at.is_null() if heartbeat is None else FeedImport.heartbeat_at == heartbeat
        claimed = await FeedImport.update(
            {
                FeedImport.status: ImportStatus.RUNNING.value,
                FeedImport.phase: ImportPhase.CHECKING.value,
                FeedImport.started_at: now,
                FeedImport.heartbeat_at: now,
                FeedImport.rows_total: 0,
                FeedImport.rows_done: 0,
                FeedImport.rows_imported: 0,
                FeedImport.rows_rejected: 0,
                FeedImport.error: "",
            }
        ).where(same).returning(FeedImport.id)
        if not claimed:
            return None
        # A crashed run's report is rebuilt from scratch, and what it staged is staged again (an
        # all-or-nothing run wrote nothing; a best-effort run's written rows are upserted again).
        await FeedImportError.delete().where(FeedImportError.feed_import == import_id)
        await clear_stage(import_id)
    return ImportJob(
        id=row["id"],
        vendor_id=row["vendor"],
        path=Path(row["stored_path"]),
        file_format=FileFormat(row["file_format"]),
        all_or_nothing=row["all_or_nothing"],
        claimed_at=now,
    )


async def overdue_import_ids() -> list[int]:
    """Imports a lost message or a crashed worker left behind: queued too long, or running without heartbeat."""
    now = utcnow()
    rows = await FeedImport.select(FeedImport.id).where(
        ((FeedImport.status == ImportStatus.QUEUED.value) & (FeedImport.created_at < now - QUEUED_GRACE))
        | ((FeedImport.status == ImportStatus.RUNNING.value) & (FeedImport.heartbeat_at < now - STALE_AFTER))
    )
    return [row["id"] for row in rows]


async def run_import(import_id: int, on_progress: ProgressCallback | None = None) -> None:
    """Run a queued import (or one a crashed worker left running); a finished import is left as it is.

    The file is streamed `BATCH_ROWS` rows at a time and every rejected row is recorded in `FeedImportError`.
    A file over the row limit, or a run over the time limit (the settings' `feed_*`), fails with the reason.
    All or nothing (the default) checks every row and stages it (`FeedImportRow`, `FeedImportTier`), a
    transaction per batch with its progress; then, if no row was rejected, writes the whole import in ONE
    transaction (INSERT … SELECT … ON CONFLICT from the staged rows, then their tiers): the vendor's
    listings never show half a file. Best effort writes each batch in its own transaction with one bulk
    upsert (PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT; SQLite: one
    multi-row INSERT … ON CONFLICT).
    """
    job = await _claim(import_id)
    if job is None:
        return
    bounds = Bounds.now()
    try:
        if job.all_or_nothing:
            await _import_all_or_nothing(job, bounds, on_progress)
        else:
            await _import_best_effort(job, bounds, on_progress)
    except _TakenOver:
        log.warning("feed import %s was claimed by another run; this run stopped without writing", import_id)
    except FeedLimitReached as exc:
        await _fail(job, f"The import was stopped: {exc}")
    except FeedError as exc:
        await _fail(job, f"The file could not be read: {exc}")
    except Exception:
        log.exception("feed import %s failed", import_id)
        await _fail(job, "Something went wrong on our side while importing; it is logged.")


async def _start(job: ImportJob, bounds: Bounds) -> Tally:
    if not job.path.exists():
        raise FeedError("the uploaded file is no longer on the server; upload it again")
    tally = Tally(total=await _count_rows(job, bounds))
    await FeedImport.update({FeedImport.rows_total: tally.total}).where(FeedImport.id == job.id)
    if tally.total >= ANALYZE_FROM_ROWS and not db.is_sqlite():
        # Right after a big import autovacuum has not yet counted the new listings: PostgreSQL still planned
        # each SKU lookup of the next big import as a scan of the whole table (2 s a batch: 100,000 updates
        # took 300 s instead of 10). Fresh statistics first cost well under a second.
        await Listing.raw("ANALYZE listing")
    return tally


async def _count_rows(job: ImportJob, bounds: Bounds) -> int:
    """The file's data rows, counted in a thread a part at a time, with a heartbeat after each part."""
    rows = iter_rows(job.path, job.file_format, bounds.limits, bounds.deadline)
    total = 0
    counting = asyncio.ensure_future(asyncio.to_thread(_count_next, rows))
    try:
        while counted := await counting:
            total += counted
            beat = FeedImport.update({FeedImport.heartbeat_at: utcnow()}).where(_ours(job))
            if not await beat.returning(FeedImport.id):
                raise _TakenOver(job.id)
            counting = asyncio.ensure_future(asyncio.to_thread(_count_next, rows))
    finally:
        await asyncio.wait([counting])  # the thread must be out of the file before it is closed
        rows.close()
    return total


def _count_next(rows: Iterator[FeedRow]) -> int:
    return sum(1 for _ in islice(rows, COUNT_ROWS))


async def _import_all_or_nothing(job: ImportJob, bounds: Bounds, on_progress: ProgressCallback | None) -> None:
    """Check and stage every row (a transaction per batch, progress visible), then write them all in one.

    Until that one transaction commits, the vendor's listings are as they were: a crash, a lost
    worker or a database error leaves nothing half-imported, and the sweeper's re-run starts over.
    """
    tally = await _start(job, bounds)
    good = 0
    async for batch in _checked_batches(job, bounds):
        rejected = [row for row in batch if row.errors]
        tally.done += len(batch)
        tally.rejected += len(rejected)
        good += len(batch) - len(rejected)
        try:
            await _stage_batch(job, tally, batch, rejected)
        except StagedAlready:  # PostgreSQL: a SKU of the batch is staged already: the batch again, replacing
            await _stage_batch(job, tally, batch, rejected, replace=True)
        _report(on_progress, ImportPhase.CHECKING, tally)
    if tally.rejected:
        async with db.transaction():
            await _finish(job, tally)
            await clear_stage(job.id)
        return
    # The write shows as "writing, 0 done" until it commits: its own progress would be invisible.
    tally.done = 0
    await FeedImport.update(
        {FeedImport.phase: ImportPhase.WRITING.value, FeedImport.rows_done: 0, FeedImport.heartbeat_at: utcnow()}
    ).where(_ours(job))
    _report(on_progress, ImportPhase.WRITING, tally)
    tally.done, tally.imported = tally.total, good
    async with db.transaction():
        # First the import's own row: a second run that thinks this one crashed waits for this
        # transaction (PostgreSQL: row lock; SQLite: the write lock), then finds the import done.
        await _finish(job, tally)
        await write_staged(job)
    _report(on_progress, ImportPhase.WRITING, tally)


async def _stage_batch(
    job: ImportJob, tally: Tally, batch: list[CheckedRow], rejected: list[CheckedRow], *, replace: bool = False
) -> None:
    async with db.transaction():
        if not tally.rejected:  # after a rejected row nothing will be written: only check the rest
            await stage(job, batch, replace=replace)
        await _record(job, tally, rejected, ImportPhase.CHECKING)


async def _import_best_effort(job: ImportJob, bounds: Bounds, on_progress: ProgressCallback | None) -> None:
    """Write the good rows batch by batch, each batch in its own transaction with its progress."""
    tally = await _start(job, bounds)
    async for batch in _checked_batches(job, bounds):
        good = [row.values for row in batch if row.values is not None]
        rejected = [row for row in batch if row.errors]
        tally.done += len(batch)
        tally.rejected += len(rejected)
        tally.imported += len(good)
        async with db.transaction():
            await upsert(job.vendor_id, good)  # type: ignore[arg-type]
            await _record(job, tally, rejected, ImportPhase.WRITING)
        _report(on_progress, ImportPhase.WRITING, tally)
    await _finish(job, tally)


def _outcome(job: ImportJob, tally: Tally) -> str:
    if tally.rejected and job.all_or_nothing:
        return f"{tally.rejected} of {tally.total} rows were rejected, so nothing was imported (all or nothing)."
    if tally.rejected:
        return f"{tally.rejected} of {tally.total} rows were rejected; the other rows were imported."
    return ""


async def _finish(job: ImportJob, tally: Tally) -> None:
    """Record the import as done with its figures, in the caller's transaction; `_TakenOver` if not ours."""
    finished = await FeedImport.update(
        {
            FeedImport.status: ImportStatus.DONE.value,
            FeedImport.error: _outcome(job, tally),
            FeedImport.finished_at: utcnow(),
            FeedImport.rows_done: tally.done,
            FeedImport.rows_imported: tally.imported,
            FeedImport.rows_rejected: tally.rejected,
        }
    ).where(_ours(job)).returning(FeedImport.id)
    if not finished:
        raise _TakenOver(job.id)


async def _fail(job: ImportJob, message: str) -> None:
    async with db.transaction():
        failed = await FeedImport.update(
            {FeedImport.status: ImportStatus.FAILED.value, FeedImport.error: message, FeedImport.finished_at: utcnow()}
        ).where(_ours(job)).returning(FeedImport.id)
        if failed:  # else the run that took over owns the staged rows
            await clear_stage(job.id)


def _report(on_progress: ProgressCallback | None, phase: ImportPhase, tally: Tally) -> None:
    if on_progress is not None:
        on_progress(phase.value, tally.done, tally.total)


async def _record(job: ImportJob, tally: Tally, rejected: list[CheckedRow], phase: ImportPhase) -> None:
    """Progress and the batch's rejected rows, in the caller's transaction; `_TakenOver` if not ours."""
    recorded = await FeedImport.update(
        {
            FeedImport.phase: phase.value,
            FeedImport.rows_done: tally.done,
            FeedImport.rows_imported: tally.imported,
            FeedImport.rows_rejected: tally.rejected,
            FeedImport.heartbeat_at: utcnow(),
        }
    ).where(_ours(job)).returning(FeedImport.id)
    if not recorded:
        raise _TakenOver(job.id)
    errors = [
        FeedImportError(feed_import=job.id, row_number=row.number, column=error.column, reason=error.reason)
        for row in rejected
        for error in row.errors
    ]
    for start in range(0, len(errors), 5_000):
        await FeedImportError.insert(*errors[start : start + 5_000])


def _check_next(rows: Iterator[FeedRow]) -> list[CheckedRow]:
    """Up to BATCH_ROWS rows checked on their own (runs in a thread: parsing is CPU work)."""
    batch: list[CheckedRow] = []
    for row in rows:
        try:
            batch.append(CheckedRow(row.number, check_row(row)))
        except ListingInvalid as exc:
            batch.append(CheckedRow(row.number, None, exc.errors))
        if len(batch) >= BATCH_ROWS:
            break
    return batch


async def _checked_batches(job: ImportJob, bounds: Bounds):  # type: ignore[no-untyped-def]
    """Batches of checked rows, streamed from the file, with the category check (one query per batch)."""
    rows = iter_rows(job.path, job.file_format, bounds.limits, bounds.deadline)
    # The next batch is read and checked in a thread while the caller writes this one (read-ahead of one
    # batch: memory stays bounded; the database wait and the parsing overlap).
    ahead = asyncio.ensure_future(asyncio.to_thread(_check_next, rows))
    try:
        while batch := await ahead:
            ahead = asyncio.ensure_future(asyncio.to_thread(_check_next, rows))
            wanted = {row.values.category_id for row in batch if row.values and row.values.category_id}
            if wanted:
                found = await Category.select(Category.id).where(Category.id.is_in(sorted(wanted)))
                missing = wanted - {r["id"] for r in found}
                for row in batch:
                    if row.values is not None and row.values.category_id in missing:
                        no_category = f"there is no category {row.values.category_id}"
                        row.errors.append(FieldError("category_id", no_category))
                        row.values = None
            yield batch
    finally:
        await asyncio.wait([ahead])  # the thread must be out of the file before it is closed
        if not ahead.cancelled():
            ahead.exception()  # a read-ahead error after the caller stopped is not news
        rows.close()
