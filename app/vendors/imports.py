"""Feed imports: keep the uploaded file, then check and upsert its rows by SKU in batches, with progress.

The upload is checked at once for what can be seen at once (type, encoding of the first
bytes, header); the rows are handled by a job (`tasks.run_feed_import`) that streams the file,
writes `BATCH_ROWS` rows per transaction with one bulk upsert (PostgreSQL: COPY into a temporary
table, then INSERT … SELECT … ON CONFLICT; SQLite: one multi-row INSERT … ON CONFLICT), and records
every rejected row in `FeedImportError`. All or nothing (the default) checks every row before writing one.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from app import db
from app.auth import Principal
from app.catalog.states import ListingStatus, status_after_edit
from app.catalog.tables import Category, Listing
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.money import to_minor
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
from app.vendors.tables import FeedImport, FeedImportError, ImportPhase, ImportStatus

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
        # A crashed run's report is rebuilt from scratch; its written rows are upserted again.
        await FeedImportError.delete().where(FeedImportError.feed_import == import_id)
    return ImportJob(
        id=row["id"],
        vendor_id=row["vendor"],
        path=Path(row["stored_path"]),
        file_format=FileFormat(row["file_format"]),
        all_or_nothing=row["all_or_nothing"],
    )


async def run_import(import_id: int, on_progress: ProgressCallback | None = None) -> None:
    """Run a queued import (or one a crashed worker left running); a finished import is left as it is."""
    job = await _claim(import_id)
    if job is None:
        return
    try:
        tally = await _process(job, on_progress)
    except FeedError as exc:
        await _finish(job, ImportStatus.FAILED, f"The file could not be read: {exc}")
        return
    except Exception:
        log.exception("feed import %s failed", import_id)
        await _finish(job, ImportStatus.FAILED, "Something went wrong on our side while importing; it is logged.")
        return
    message = ""
    if tally.rejected and job.all_or_nothing:
        message = f"{tally.rejected} of {tally.total} rows were rejected, so nothing was imported (all or nothing)."
    elif tally.rejected:
        message = f"{tally.rejected} of {tally.total} rows were rejected; the other rows were imported."
    await _finish(job, ImportStatus.DONE, message)


async def _finish(job: ImportJob, status: ImportStatus, message: str) -> None:
    await FeedImport.update(
        {FeedImport.status: status.value, FeedImport.error: message, FeedImport.finished_at: utcnow()}
    ).where(FeedImport.id == job.id)


async def _process(job: ImportJob, on_progress: ProgressCallback | None) -> Tally:
    if not job.path.exists():
        raise FeedError("the uploaded file is no longer on the server; upload it again")
    tally = Tally(total=await asyncio.to_thread(count_rows, job.path, job.file_format))
    await FeedImport.update({FeedImport.rows_total: tally.total}).where(FeedImport.id == job.id)
    if job.all_or_nothing:
        async for batch in _checked_batches(job):
            rejected = [row for row in batch if row.errors]
            tally.done += len(batch)
            tally.rejected += len(rejected)
            async with db.transaction():
                await _record(job, tally, rejected, ImportPhase.CHECKING)
            _report(on_progress, ImportPhase.CHECKING, tally)
        if tally.rejected:
            return tally
        tally.done = 0
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
    return tally


def _report(on_progress: ProgressCallback | None, phase: ImportPhase, tally: Tally) -> None:
    if on_progress is not None:
        on_progress(phase.value, tally.done, tally.total)


async def _record(job: ImportJob, tally: Tally, rejected: list[CheckedRow], phase: ImportPhase) -> None:
    """Progress and the batch's rejected rows, in the caller's transaction."""
    await FeedImport.update(
        {
            FeedImport.phase: phase.value,
            FeedImport.rows_done: tally.done,
            FeedImport.rows_imported: tally.imported,
            FeedImport.rows_rejected: tally.rejected,
            FeedImport.heartbeat_at: utcnow(),
        }
    ).where(FeedImport.id == job.id)
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


_UPSERT_COLUMNS = (
    "vendor", "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size",
    "min_order_qty", "stock", "lead_time_days", "base_price", "currency", "status", "rejection_reason",
    "created_at", "updated_at", "submitted_at",
)  # fmt: skip
_UPDATED_ON_CONFLICT = [c for c in _UPSERT_COLUMNS if c not in {"vendor", "sku", "created_at", "rejection_reason"}]
_CURATED_COLUMNS = ("title", "brand", "mpn", "gtin", "description", "unit", "pack_size")
# What a batch brings per row (the rest is the vendor, the time and an empty rejection reason).
_STAGED_COLUMNS = (
    "sku", "title", "brand", "mpn", "gtin", "category", "description", "unit", "pack_size", "min_order_qty",
    "stock", "lead_time_days", "base_price", "currency", "status", "submitted_at",
)  # fmt: skip


def _names(columns: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


_ON_CONFLICT = (
    "ON CONFLICT (vendor, sku) DO UPDATE SET "
    + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in _UPDATED_ON_CONFLICT)
    + " RETURNING id, sku"
)
_ROW_PLACEHOLDERS = "(" + ", ".join("{}" for _ in _UPSERT_COLUMNS) + ")"

# PostgreSQL: a batch is COPYed into a temporary table and upserted from there with one INSERT … SELECT.
# Not one multi-row INSERT with bound parameters, as on SQLite, because asyncpg caches prepared
# statements and PostgreSQL gives a cached statement a generic plan after five runs: there, the
# `sku IN ($2, …, $1001)` of the look-up of existing listings is an array of parameters compared
# linearly with every listing of the vendor (344 ms per batch at 20,000 listings, growing with each
# batch: quadratic); and a 20,000-parameter statement costs ~40 ms to parse, plan and bind.
#
# The staging table has the listing's column types (CREATE TABLE AS) and is dropped at commit.
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
# $1 = the vendor, $2 = now.
_PG_UPSERT = (
    f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) "  # noqa: S608 - only our column names
    f"SELECT $1, {_names(_STAGED_COLUMNS[:-1])}, '', $2, $2, submitted_at FROM feed_listing ORDER BY position "
    + _ON_CONFLICT
)
_PG_DELETE_TIERS = "DELETE FROM listing_tier WHERE listing = ANY($1::integer[])"


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


def _staged_rows(batch: list[ListingValues], existing: dict[str, Any], now: datetime) -> list[tuple[Any, ...]]:
    """The batch as `_STAGED_COLUMNS` rows, each status following the edit rules (pure, no I/O)."""
    rows = []
    for values in batch:
        before = existing.get(values.sku)
        status, submitted_at = ListingStatus.DRAFT, None
        if before is not None:
            current = ListingStatus(before["status"])
            status = status_after_edit(current, curated_facts_changed(before, values))
            submitted_at = now if status is not current else before["submitted_at"]
        stored = row_values(values)
        rows.append((*(stored[c] for c in _STAGED_COLUMNS[:-2]), status.value, submitted_at))
    return rows


async def _upsert_sqlite(vendor_id: int, batch: list[ListingValues]) -> None:
    # aiosqlite: one multi-row INSERT … ON CONFLICT with bound parameters (20 per row) is the fast path.
    existing = {
        row["sku"]: row
        for row in await Listing.select(
            Listing.sku, Listing.status, Listing.submitted_at, *(getattr(Listing, c) for c in _CURATED_COLUMNS)
        ).where((Listing.vendor == vendor_id) & Listing.sku.is_in([values.sku for values in batch]))
    }
    now = utcnow()
    args: list[Any] = []
    for *stored, status, submitted_at in _staged_rows(batch, existing, now):
        args.extend([vendor_id, *stored, status, "", now, now, submitted_at])
    placeholders = ", ".join(_ROW_PLACEHOLDERS for _ in batch)
    sql = f"INSERT INTO listing ({_names(_UPSERT_COLUMNS)}) VALUES {placeholders} {_ON_CONFLICT}"  # noqa: S608
    ids = {row["sku"]: row["id"] for row in await Listing.raw(sql, *args)}
    await replace_tiers(ids.values(), {ids[values.sku]: values.tiers for values in batch})


async def _upsert_postgres(vendor_id: int, batch: list[ListingValues]) -> None:
    transaction = db.get_engine().current_transaction.get()
    if transaction is None:
        raise RuntimeError("a feed batch is written inside db.transaction()")
    connection = transaction.connection  # the raw asyncpg connection of this unit of work
    existing = {
        row["sku"]: row for row in await connection.fetch(_PG_EXISTING, vendor_id, [values.sku for values in batch])
    }
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
