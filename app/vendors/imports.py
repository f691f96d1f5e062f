"""Feed imports: keep the uploaded file, then check and upsert its rows by SKU in batches, with progress.

The upload is checked at once for what can be seen at once (type, encoding of the first
bytes, header); the rows are handled by a job (`tasks.run_feed_import`) that streams the file
`BATCH_ROWS` rows at a time and records every rejected row in `FeedImportError`.

All or nothing (the default) checks every row and stages it (`FeedImportRow`, `FeedImportTier`), a
transaction per batch with its progress; then, if no row was rejected, writes the whole import in ONE
transaction (INSERT … SELECT … ON CONFLICT from the staged rows, then their tiers): the vendor's
listings never show half a file. Best effort writes each batch in its own transaction with one bulk
upsert (PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT; SQLite: one
multi-row INSERT … ON CONFLICT).
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import asyncpg

from app import db
from app.auth import Principal
from app.catalog.states import ListingStatus, status_after_edit
from app.catalog.tables import Category, Listing
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.money import from_minor, to_minor
from app.settings import get_settings
from app.vendors.feed import (
    HEAD_BYTES,
    FeedError,
    FeedRow,
    FileFormat,
    check_row,
    count_rows,
    detect_format,
    iter_rows,
    read_header,
)
from app.vendors.listing_rules import (
    FieldError,
    ListingInvalid,
    ListingValues,
    curated_facts_changed,
)
from app.vendors.schemas import ImportOut, ImportRowError
from app.vendors.services import replace_tiers, row_values
from app.vendors.tables import FeedImport, FeedImportError, FeedImportRow, FeedImportTier, ImportPhase, ImportStatus

log = logging.getLogger(__name__)

BATCH_ROWS = 1_000
ERRORS_SHOWN = 1_000
# A running import whose heartbeat is older than this was left behind by a crashed worker.
STALE_AFTER = timedelta(minutes=5)
# A queued import not started after this long lost its message: the sweeper sends it again.
QUEUED_GRACE = timedelta(minutes=1)

ProgressCallback = Callable[[str, int, int], None]  # (phase, rows done, rows total)


@dataclass(frozen=True, slots=True)
class ImportJob:
    id: int
    vendor_id: int
    path: Path
    file_format: FileFormat
    all_or_nothing: bool
    claimed_at: datetime  # this run's `started_at`: the import is this run's while it is unchanged


@dataclass(slots=True)
class CheckedRow:
    number: int
    values: ListingValues | None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(slots=True)
class Tally:
    total: int = 0
    done: int = 0
    imported: int = 0
    rejected: int = 0


# --- starting an import ---------------------------------------------------------------------------


def imports_dir() -> Path:
    return get_settings().var_dir / "imports"


def inspect_file(path: Path, filename: str) -> FileFormat:
    """The file's format, once its type, first bytes and header are right; else `FeedError`."""
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    if not head:
        raise FeedError("the file is empty: the first row must be the header with the column names")
    file_format = detect_format(filename, head)
    read_header(path, file_format)
    return file_format


def _store(source: BinaryIO, filename: str) -> tuple[Path, FileFormat]:
    directory = imports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    try:
        return path, inspect_file(path, filename)
    except FeedError:
        path.unlink(missing_ok=True)
        raise


async def start_import(
    vendor_id: int,
    user_id: int | None,
    filename: str,
    source: BinaryIO,
    *,
    all_or_nothing: bool = True,
    enqueue: bool = True,
) -> int:
    """Store the file under var/imports, check what can be checked at once, and queue the job.

    Raises `InvalidInput` with the reason for a file that is not a CSV/XLSX, not UTF-8, or
    lacks required columns; nothing is kept then.
    """
    filename = Path(filename or "feed").name[:255]
    try:
        path, file_format = await asyncio.to_thread(_store, source, filename)
    except FeedError as exc:
        raise InvalidInput(f"{filename}: {exc}") from None
    async with db.transaction():
        inserted = await FeedImport.insert(
            FeedImport(
                vendor=vendor_id,
                uploaded_by=user_id,
                filename=filename,
                stored_path=str(path),
                file_format=file_format.value,
                all_or_nothing=all_or_nothing,
                status=ImportStatus.QUEUED.value,
                created_at=utcnow(),
            )
        ).returning(FeedImport.id)
        import_id: int = inserted[0]["id"]
        if enqueue:
            from app.vendors.tasks import run_feed_import

            db.after_commit(lambda: run_feed_import.send(import_id))
    return import_id


# --- reading an import ----------------------------------------------------------------------------

_IMPORT_COLUMNS = (
    FeedImport.id, FeedImport.vendor, FeedImport.filename, FeedImport.file_format, FeedImport.all_or_nothing,
    FeedImport.status, FeedImport.phase, FeedImport.rows_total, FeedImport.rows_done, FeedImport.rows_imported,
    FeedImport.rows_rejected, FeedImport.error, FeedImport.created_at, FeedImport.started_at, FeedImport.finished_at,
)  # fmt: skip


def _import_out(row: dict[str, Any], errors: list[ImportRowError] | None = None, errors_total: int = 0) -> ImportOut:
    return ImportOut(
        id=row["id"],
        filename=row["filename"],
        file_format=row["file_format"],
        all_or_nothing=row["all_or_nothing"],
        status=row["status"],
        phase=row["phase"],
        rows_total=row["rows_total"],
        rows_done=row["rows_done"],
        rows_imported=row["rows_imported"],
        rows_rejected=row["rows_rejected"],
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        errors=errors or [],
        errors_total=errors_total,
    )


async def get_import(principal: Principal, import_id: int, errors_shown: int = ERRORS_SHOWN) -> ImportOut:
    """One import of the caller's company with its row report (another vendor's is 404)."""
    return await import_report(import_id, vendor_id=principal.company_id, errors_shown=errors_shown)


async def import_report(import_id: int, *, vendor_id: int, errors_shown: int = ERRORS_SHOWN) -> ImportOut:
    row = await FeedImport.select(*_IMPORT_COLUMNS).where(
        (FeedImport.id == import_id) & (FeedImport.vendor == vendor_id)
    ).first()
    if row is None:
        raise NotFound("No such import.")
    mine = FeedImportError.feed_import == import_id
    errors = await FeedImportError.select(
        FeedImportError.row_number, FeedImportError.column, FeedImportError.reason
    ).where(mine).order_by(FeedImportError.row_number).order_by(FeedImportError.id).limit(errors_shown)
    total = await FeedImportError.count().where(mine)
    return _import_out(
        row, [ImportRowError(row=e["row_number"], column=e["column"], reason=e["reason"]) for e in errors], total
    )


REPORT_BATCH = 5_000
ANALYZE_FROM_ROWS = 10_000


async def full_report(principal: Principal, import_id: int) -> AsyncIterator[list[ImportRowError]]:
    """Every rejected row of one of the caller's imports, in row order, a batch at a time: the whole report
    (the job's page and API show its first ERRORS_SHOWN). Another vendor's import is 404 before anything is sent."""
    owned = await FeedImport.exists().where((FeedImport.id == import_id) & (FeedImport.vendor == principal.company_id))
    if not owned:
        raise NotFound("No such import.")
    return _report_batches(import_id)


async def _report_batches(import_id: int) -> AsyncIterator[list[ImportRowError]]:
    # Keyset paging: a 100,000-row report streams in constant memory, each batch one indexed query.
    last_row, last_id = -1, 0
    while True:
        rows = await FeedImportError.select(
            FeedImportError.id, FeedImportError.row_number, FeedImportError.column, FeedImportError.reason
        ).where(
            (FeedImportError.feed_import == import_id)
            & (
                (FeedImportError.row_number > last_row)
                | ((FeedImportError.row_number == last_row) & (FeedImportError.id > last_id))
            )
        ).order_by(FeedImportError.row_number).order_by(FeedImportError.id).limit(REPORT_BATCH)
        if rows:
            yield [ImportRowError(row=r["row_number"], column=r["column"], reason=r["reason"]) for r in rows]
            last_row, last_id = rows[-1]["row_number"], rows[-1]["id"]
        if len(rows) < REPORT_BATCH:
            return


def report_csv(errors: Iterable[ImportRowError], *, header: bool = False) -> str:
    """CSV lines (row, column, reason) of a report. A cell that a spreadsheet would read as a formula (the
    column names and values come from the vendor's file) is kept as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(["row", "column", "reason"])
    for error in errors:
        writer.writerow([error.row, _as_text(error.column), _as_text(error.reason)])
    return out.getvalue()


def _as_text(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def list_imports(principal: Principal, limit: int = 20) -> list[ImportOut]:
    """The caller's company's latest imports, newest first."""
    rows = await FeedImport.select(*_IMPORT_COLUMNS).where(FeedImport.vendor == principal.company_id).order_by(
        FeedImport.id, ascending=False
    ).limit(limit)
    return [_import_out(row) for row in rows]


async def overdue_import_ids() -> list[int]:
    """Imports a lost message or a crashed worker left behind: queued too long, or running without heartbeat."""
    now = utcnow()
    rows = await FeedImport.select(FeedImport.id).where(
        ((FeedImport.status == ImportStatus.QUEUED.value) & (FeedImport.created_at < now - QUEUED_GRACE))
        | ((FeedImport.status == ImportStatus.RUNNING.value) & (FeedImport.heartbeat_at < now - STALE_AFTER))
    )
    return [row["id"] for row in rows]


# --- running an import ----------------------------------------------------------------------------


class _StagedAlready(Exception):
    """A SKU of the batch was staged by an earlier batch (PostgreSQL's COPY cannot replace it)."""


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
        await _clear_stage(import_id)
    return ImportJob(
        id=row["id"],
        vendor_id=row["vendor"],
        path=Path(row["stored_path"]),
        file_format=FileFormat(row["file_format"]),
        all_or_nothing=row["all_or_nothing"],
        claimed_at=now,
    )


async def run_import(import_id: int, on_progress: ProgressCallback | None = None) -> None:
    """Run a queued import (or one a crashed worker left running); a finished import is left as it is."""
    job = await _claim(import_id)
    if job is None:
        return
    try:
        if job.all_or_nothing:
            await _import_all_or_nothing(job, on_progress)
        else:
            await _import_best_effort(job, on_progress)
    except _TakenOver:
        log.warning("feed import %s was claimed by another run; this run stopped without writing", import_id)
    except FeedError as exc:
        await _fail(job, f"The file could not be read: {exc}")
    except Exception:
        log.exception("feed import %s failed", import_id)
        await _fail(job, "Something went wrong on our side while importing; it is logged.")


async def _start(job: ImportJob) -> Tally:
    if not job.path.exists():
        raise FeedError("the uploaded file is no longer on the server; upload it again")
    tally = Tally(total=await asyncio.to_thread(count_rows, job.path, job.file_format))
    await FeedImport.update({FeedImport.rows_total: tally.total}).where(FeedImport.id == job.id)
    if tally.total >= ANALYZE_FROM_ROWS and not db.is_sqlite():
        # Right after a big import autovacuum has not yet counted the new listings: PostgreSQL still planned
        # each SKU lookup of the next big import as a scan of the whole table (2 s a batch: 100,000 updates
        # took 300 s instead of 10). Fresh statistics first cost well under a second.
        await Listing.raw("ANALYZE listing")
    return tally


async def _import_all_or_nothing(job: ImportJob, on_progress: ProgressCallback | None) -> None:
    """Check and stage every row (a transaction per batch, progress visible), then write them all in one.

    Until that one transaction commits, the vendor's listings are as they were: a crash, a lost
    worker or a database error leaves nothing half-imported, and the sweeper's re-run starts over.
    """
    tally = await _start(job)
    good = 0
    async for batch in _checked_batches(job):
        rejected = [row for row in batch if row.errors]
        tally.done += len(batch)
        tally.rejected += len(rejected)
        good += len(batch) - len(rejected)
        try:
            await _stage_batch(job, tally, batch, rejected)
        except _StagedAlready:  # PostgreSQL: a SKU of the batch is staged already: the batch again, replacing
            await _stage_batch(job, tally, batch, rejected, replace=True)
        _report(on_progress, ImportPhase.CHECKING, tally)
    if tally.rejected:
        async with db.transaction():
            await _finish(job, tally)
            await _clear_stage(job.id)
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
        await _write_staged(job)
    _report(on_progress, ImportPhase.WRITING, tally)


async def _stage_batch(
    job: ImportJob, tally: Tally, batch: list[CheckedRow], rejected: list[CheckedRow], *, replace: bool = False
) -> None:
    async with db.transaction():
        if not tally.rejected:  # after a rejected row nothing will be written: only check the rest
            await _stage(job, batch, replace=replace)
        await _record(job, tally, rejected, ImportPhase.CHECKING)


async def _import_best_effort(job: ImportJob, on_progress: ProgressCallback | None) -> None:
    """Write the good rows batch by batch, each batch in its own transaction with its progress."""
    tally = await _start(job)
    async for batch in _checked_batches(job):
        good = [row.values for row in batch if row.values is not None]
        rejected = [row for row in batch if row.errors]
        tally.done += len(batch)
        tally.rejected += len(rejected)
        tally.imported += len(good)
        async with db.transaction():
            await _upsert(job.vendor_id, good)  # type: ignore[arg-type]
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
            await _clear_stage(job.id)


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


async def _checked_batches(job: ImportJob):  # type: ignore[no-untyped-def]
    """Batches of checked rows, streamed from the file, with the category check (one query per batch)."""
    rows = iter_rows(job.path, job.file_format)
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


# --- the SQL of a write -----------------------------------------------------------------------------

_UPSERT_COLUMNS = (
    "vendor", "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size",
    "min_order_qty", "stock", "lead_time_days", "base_price", "currency", "status", "rejection_reason",
    "created_at", "updated_at", "submitted_at",
)  # fmt: skip
_UPDATED_ON_CONFLICT = [
    c for c in _UPSERT_COLUMNS if c not in {"vendor", "sku", "created_at", "rejection_reason", "submitted_at"}
]
_CURATED_COLUMNS = ("title", "brand", "mpn", "gtin", "description", "unit", "pack_size")
# What a row brings (the rest is the vendor, the time and an empty rejection reason): the columns of
# PostgreSQL's per-batch temporary table and of the staging table `FeedImportRow`.
_STAGED_COLUMNS = (
    "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size", "min_order_qty",
    "stock", "lead_time_days", "base_price", "currency", "status", "submitted_at",
)  # fmt: skip


def _names(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


# A null submission time keeps the listing's: only a row that sends the listing to curation sets one.
_ON_CONFLICT = (
    "ON CONFLICT (vendor, sku) DO UPDATE SET "
    + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in _UPDATED_ON_CONFLICT)
    + ', "submitted_at" = COALESCE(EXCLUDED."submitted_at", listing."submitted_at")'
)


def _insert_listings_from(source: str, *, vendor: str, now: str, where: str = "") -> str:
    """The one upsert of listings by SKU: from `source` (rows of `_STAGED_COLUMNS` and a position)."""
    return (
        f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) "  # noqa: S608 - only our names and placeholders
        f"SELECT {vendor}, {_names(_STAGED_COLUMNS[:-1])}, '', {now}, {now}, submitted_at FROM {source} {where} "
        f"ORDER BY position {_ON_CONFLICT}"
    )


_ROW_PLACEHOLDERS = "(" + ", ".join("{}" for _ in _UPSERT_COLUMNS) + ")"

# PostgreSQL: a batch is COPYed into a temporary table and upserted from there with one INSERT … SELECT.
# Not one multi-row INSERT with bound parameters, as on SQLite, because asyncpg caches prepared
# statements and PostgreSQL gives a cached statement a generic plan after five runs: there, the
# `sku IN ($2, …, $1001)` of the look-up of existing listings is an array of parameters compared
# linearly with every listing of the vendor (344 ms per batch at 20,000 listings, growing with each
# batch: quadratic); and a 20,000-parameter statement costs ~40 ms to parse, plan and bind.
#
# The temporary table has the listing's column types (CREATE TABLE AS) and is dropped at commit.
_PG_STAGE = (
    "CREATE TEMPORARY TABLE feed_listing ON COMMIT DROP AS "  # noqa: S608 - only our column names
    f"SELECT 0 AS position, {_names(_STAGED_COLUMNS)} FROM listing WITH NO DATA"
)
# The LIMIT keeps the lateral subquery from being flattened into a join: each SKU is one probe of the
# (vendor, sku) unique index, whatever the statistics say (they are stale while a big import runs).
_PG_EXISTING = (
    f"SELECT l.sku, l.status, l.submitted_at, {_names(_CURATED_COLUMNS, 'l.')} "  # noqa: S608
    "FROM unnest($2::varchar[]) AS wanted (sku) CROSS JOIN LATERAL "
    "(SELECT * FROM listing WHERE listing.vendor = $1 AND listing.sku = wanted.sku LIMIT 1) AS l"
)
_SQLITE_EXISTING = (
    f"SELECT sku, status, submitted_at, {_names(_CURATED_COLUMNS)} FROM listing "  # noqa: S608
    "WHERE vendor = ? AND sku IN"
)
# $1 = the vendor, $2 = now.
_PG_UPSERT = _insert_listings_from("feed_listing", vendor="$1", now="$2") + " RETURNING id, sku"
_PG_DELETE_TIERS = "DELETE FROM listing_tier WHERE listing = ANY($1::integer[])"

# All or nothing: the checked rows wait in `FeedImportRow` / `FeedImportTier`, one row per SKU (a later
# row of the file replaces the staged one: its values, its tiers, its `row_number`; the first row's
# position stays, so listings are created in the file's order).
_STAGE_COLUMNS = ("feed_import", "position", "row_number", *_STAGED_COLUMNS, "seen_status", "seen_changed")
_ON_STAGED_CONFLICT = "ON CONFLICT (feed_import, sku) DO UPDATE SET " + ", ".join(
    f'"{c}" = EXCLUDED."{c}"' for c in _STAGE_COLUMNS if c not in {"feed_import", "position", "sku"}
)
_TIER_COLUMNS = ("feed_import", "sku", "row_number", "min_qty", "unit_price")
_SQLITE_STAGE_ROW = (
    f"INSERT INTO feed_import_row ({_names(_STAGE_COLUMNS)}) "  # noqa: S608 - only our column names
    f"VALUES ({', '.join('?' for _ in _STAGE_COLUMNS)}) {_ON_STAGED_CONFLICT}"
)
_SQLITE_STAGE_TIER = (
    f"INSERT INTO feed_import_tier ({_names(_TIER_COLUMNS)}) VALUES ({', '.join('?' for _ in _TIER_COLUMNS)})"  # noqa: S608
)
# PostgreSQL COPYs a batch, or when a SKU is staged already, upserts it as column arrays ($1 = the import).
_PG_STAGE_ROWS = (
    f"INSERT INTO feed_import_row ({_names(_STAGE_COLUMNS)}) SELECT $1, * FROM unnest("  # noqa: S608
    + ", ".join(
        f"${n}::{FeedImportRow._meta.get_column_by_name(column).column_type}[]"
        for n, column in enumerate(_STAGE_COLUMNS[1:], start=2)
    )
    + f") {_ON_STAGED_CONFLICT}"
)
# The write of an import: placeholders are the vendor then the import, except where said.
# Staged rows whose listing is not as it was when they were staged (it appeared, went, or its status
# or product facts moved since): their status is decided again, with the listing as it is now.
_RESTAGE = (
    f"SELECT s.id, {_names(_STAGED_COLUMNS[:-2], 's.')}, l.status AS listing_status, "  # noqa: S608
    + ", ".join(f'l."{c}" AS "listing_{c}"' for c in _CURATED_COLUMNS)
    + " FROM feed_import_row s LEFT JOIN listing l ON l.vendor = {} AND l.sku = s.sku WHERE s.feed_import = {} "
    "AND CASE WHEN l.id IS NULL THEN s.seen_status IS NOT NULL ELSE s.seen_status IS NULL "
    "OR l.status <> s.seen_status OR (" + " OR ".join(f'l."{c}" <> s."{c}"' for c in _CURATED_COLUMNS)
    + ") <> s.seen_changed END"
)
# Tiers are replaced: first those of the listings that exist (before the upsert: new ones have none).
_STAGED_LISTING_IDS = (
    "SELECT l.id FROM feed_import_row s JOIN listing l ON l.vendor = {} AND l.sku = s.sku WHERE s.feed_import = {}"
)
_SQLITE_DELETE_STAGED_LISTINGS_TIERS = f"DELETE FROM listing_tier WHERE listing IN ({_STAGED_LISTING_IDS})"  # noqa: S608
# PostgreSQL: `= ANY(ARRAY(…))` probes the listing index per id; `IN (…)`, planned from the stale
# statistics of a just-filled staging table, became a hash join over every vendor's tiers.
_PG_DELETE_STAGED_LISTINGS_TIERS = f"DELETE FROM listing_tier WHERE listing = ANY(ARRAY({_STAGED_LISTING_IDS}))"  # noqa: S608
# Placeholders: the vendor, now, now, the import.
_WRITE_STAGED_LISTINGS = _insert_listings_from("feed_import_row", vendor="{}", now="{}", where="WHERE feed_import = {}")
_WRITE_STAGED_TIERS = (
    "INSERT INTO listing_tier (listing, min_qty, unit_price) SELECT l.id, t.min_qty, t.unit_price "
    "FROM feed_import_tier t JOIN feed_import_row s ON s.feed_import = t.feed_import AND s.sku = t.sku "
    "AND s.row_number = t.row_number JOIN listing l ON l.vendor = {} AND l.sku = t.sku WHERE t.feed_import = {}"
)


# --- writing ----------------------------------------------------------------------------------------


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
        sql = f"{_SQLITE_EXISTING} ({', '.join('?' for _ in skus)})"
        rows = await _connection().execute_fetchall(sql, [vendor_id, *skus])
    else:
        rows = await _connection().fetch(_PG_EXISTING, vendor_id, skus)
    return {row["sku"]: row for row in rows}


async def _upsert(vendor_id: int, batch: list[ListingValues]) -> None:
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
    """The batch as `_STAGED_COLUMNS` rows, each status following the edit rules (pure, no I/O)."""
    rows = []
    for values in batch:
        before = existing.get(values.sku)
        changed = before is not None and curated_facts_changed(before, values)
        status, submitted_at = _status_after(before, changed, now)
        if submitted_at is None and before is not None:
            submitted_at = before["submitted_at"]  # kept, read in the same transaction
        stored = row_values(values)
        rows.append((*(stored[c] for c in _STAGED_COLUMNS[:-2]), status, submitted_at))
    return rows


async def _upsert_sqlite(vendor_id: int, batch: list[ListingValues]) -> None:
    # aiosqlite: one multi-row INSERT … ON CONFLICT with bound parameters (20 per row) is the fast path.
    existing = await _existing(vendor_id, [values.sku for values in batch])
    now = utcnow()
    args: list[Any] = []
    for *stored, status, submitted_at in _staged_rows(batch, existing, now):
        args.extend([vendor_id, *stored, status, "", now, now, submitted_at])
    placeholders = ", ".join(_ROW_PLACEHOLDERS for _ in batch)
    sql = f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) VALUES {placeholders} {_ON_CONFLICT} RETURNING id, sku"  # noqa: S608
    ids = {row["sku"]: row["id"] for row in await Listing.raw(sql, *args)}
    await replace_tiers(ids.values(), {ids[values.sku]: values.tiers for values in batch})


async def _upsert_postgres(vendor_id: int, batch: list[ListingValues]) -> None:
    connection = _connection()
    existing = await _existing(vendor_id, [values.sku for values in batch])
    now = utcnow()
    staged = _staged_rows(batch, existing, now)
    await connection.execute(_PG_STAGE)
    await connection.copy_records_to_table(
        "feed_listing",
        records=[(position, *row) for position, row in enumerate(staged)],
        columns=("position", *_STAGED_COLUMNS),
    )
    ids = {row["sku"]: row["id"] for row in await connection.fetch(_PG_UPSERT, vendor_id, now)}
    # Only listings that existed before this batch can have tiers to replace.
    replaced = [ids[sku] for sku in existing]
    if replaced:
        await connection.execute(_PG_DELETE_TIERS, replaced)
    tiers = [(ids[values.sku], tier.min_qty, to_minor(tier.unit_price)) for values in batch for tier in values.tiers]
    if tiers:
        await connection.copy_records_to_table(
            "listing_tier", records=tiers, columns=("listing", "min_qty", "unit_price")
        )


# --- all or nothing: staging, then one write ---------------------------------------------------------


async def _stage(job: ImportJob, batch: list[CheckedRow], *, replace: bool = False) -> None:
    """The batch's rows into the staging tables, in the caller's transaction, each with the status it
    gives its listing as the listing is now (`_write_staged` decides again for listings changed since)."""
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
            job.id, position, row.number, *(stored[c] for c in _STAGED_COLUMNS[:-2]),
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
    await connection.executemany(_SQLITE_STAGE_ROW, rows)
    if tiers:
        await connection.executemany(_SQLITE_STAGE_TIER, tiers)


async def _stage_postgres(rows: list[tuple[Any, ...]], tiers: list[tuple[Any, ...]], *, replace: bool) -> None:
    connection = _connection()
    if replace:  # twice as slow as COPY: only for a batch that gives a SKU an earlier batch gave
        await connection.execute(_PG_STAGE_ROWS, rows[0][0], *zip(*(row[1:] for row in rows), strict=True))
    else:
        try:
            await connection.copy_records_to_table("feed_import_row", records=rows, columns=_STAGE_COLUMNS)
        except asyncpg.UniqueViolationError:
            raise _StagedAlready from None  # the transaction is aborted: the caller runs the batch again
    if tiers:
        await connection.copy_records_to_table("feed_import_tier", records=tiers, columns=_TIER_COLUMNS)


async def _write_staged(job: ImportJob) -> None:
    """The import's staged rows become the vendor's listings and tiers, in the caller's transaction.

    A fixed number of statements whatever the number of rows (plus one per listing changed since staged).
    """
    await _restage_changed(job)
    delete_tiers = _SQLITE_DELETE_STAGED_LISTINGS_TIERS if db.is_sqlite() else _PG_DELETE_STAGED_LISTINGS_TIERS
    await Listing.raw(delete_tiers, job.vendor_id, job.id)
    now = utcnow()
    await Listing.raw(_WRITE_STAGED_LISTINGS, job.vendor_id, now, now, job.id)
    await _write_staged_tiers(job)
    await _clear_stage(job.id)


async def _write_staged_tiers(job: ImportJob) -> None:
    await Listing.raw(_WRITE_STAGED_TIERS, job.vendor_id, job.id)


async def _restage_changed(job: ImportJob) -> None:
    """Decide again the status a staged row gives a listing that changed since it was staged.

    Rare (a curator's decision or the vendor's own edit while the file was being checked): the
    decision stays the edit rule's, taken with the listing as it is in the writing transaction.
    """
    now = utcnow()
    for row in await Listing.raw(_RESTAGE, job.vendor_id, job.id):
        before = None
        if row["listing_status"] is not None:
            before = {"status": row["listing_status"], **{c: row[f"listing_{c}"] for c in _CURATED_COLUMNS}}
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
    )  # fmt: skip


async def _clear_stage(import_id: int) -> None:
    """Forget what an import staged, in the caller's transaction (written, failed, or run again)."""
    await FeedImportTier.delete().where(FeedImportTier.feed_import == import_id)
    await FeedImportRow.delete().where(FeedImportRow.feed_import == import_id)
