"""Reading feed imports: a vendor's imports as a grid, one with its first rejected rows, and the whole report as CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from app import grids
from app.auth import Principal
from app.errors import NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.spreadsheets import Cell, csv_text
from app.vendors.schemas import ImportOut, ImportRowError
from app.vendors.tables import FeedImport, FeedImportError, ImportStatus

ERRORS_SHOWN = 1_000
REPORT_BATCH = 5_000

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
    """CSV lines (row, column, reason) of a report. The column names and values come from the vendor's file: the
    writer keeps a cell that a spreadsheet would read as a formula as text."""
    rows: list[list[Cell]] = [["row", "column", "reason"]] if header else []
    rows += [[error.row, error.column, error.reason] for error in errors]
    return csv_text(rows)


IMPORT_GRID = GridSpec(
    path="/vendor/imports",
    columns=(GridColumn("file", "File"), GridColumn("uploaded", "Uploaded"), GridColumn("status", "Status"),
             GridColumn("imported", "Imported"), GridColumn("rejected", "Rejected")),
    default_sort="uploaded", default_descending=True, search_label="File name",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in ImportStatus)),),
    per_page=20, export_name="imports",
)
_IMPORT_ORDER = {"file": (FeedImport.filename,), "uploaded": (FeedImport.created_at,),
                 "status": (FeedImport.status,), "imported": (FeedImport.rows_imported,),
                 "rejected": (FeedImport.rows_rejected,)}
EXPORT_HEADER = ("File", "Format", "Uploaded (UTC)", "Finished (UTC)", "Status", "Mode", "Rows", "Imported",
                 "Rejected", "Error")


async def import_grid(principal: Principal, state: GridState) -> GridPage:
    """The caller's company's imports as the grid's state selects and orders them (never another vendor's)."""
    mine = FeedImport.vendor == principal.company_id
    query, count = FeedImport.select(*_IMPORT_COLUMNS).where(mine), FeedImport.count().where(mine)
    conditions = [grids.search((FeedImport.filename,), state.q)]
    if state.filter("status"):
        conditions.append(FeedImport.status == state.filter("status"))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _IMPORT_ORDER, FeedImport.id), state)
    return state.page_of([_import_out(row) for row in rows], await count)


def export_row(job: ImportOut) -> tuple[Cell, ...]:
    return (job.filename, job.file_format, job.created_at, job.finished_at, job.status,
            "all or nothing" if job.all_or_nothing else "the good rows", job.rows_total, job.rows_imported,
            job.rows_rejected, job.error)


# --- One import's rejected rows ----------------------------------------------------------------------

REJECTED_GRID = GridSpec(
    path="/vendor/imports",  # and the import's id: rejected_spec
    columns=(GridColumn("row", "Row"), GridColumn("column", "Column"), GridColumn("reason", "What to fix")),
    default_sort="row", search_label="Column or what to fix",
    filters=(GridFilter("column", "Column", kind="text"),),
    per_page=100,
)
REJECTED_EXPORT_HEADER = ("Row", "Column", "What to fix")
_REJECTED_ORDER = {"row": (FeedImportError.row_number,), "column": (FeedImportError.column,),
                   "reason": (FeedImportError.reason,)}


def rejected_spec(import_id: int) -> GridSpec:
    return replace(REJECTED_GRID, path=f"/vendor/imports/{import_id}", export_name=f"import-{import_id}-rejected",
                   sheet_title="Rejected rows")


async def rejected_grid(principal: Principal, import_id: int, state: GridState) -> GridPage:
    """The rejected rows of one of the caller's imports as the grid's state selects and orders them; another
    vendor's import is 404, as a missing one."""
    owned = await FeedImport.exists().where((FeedImport.id == import_id) & (FeedImport.vendor == principal.company_id))
    if not owned:
        raise NotFound("No such import.")
    mine = FeedImportError.feed_import == import_id
    query = FeedImportError.select(FeedImportError.row_number, FeedImportError.column, FeedImportError.reason)
    query, count = grids.narrowed(query.where(mine), FeedImportError.count().where(mine), [
        grids.search((FeedImportError.column, FeedImportError.reason), state.q),
        FeedImportError.column == state.filter("column") if state.filter("column") else None,
    ])
    rows = await grids.paged(grids.ordered(query, state, _REJECTED_ORDER, FeedImportError.id), state)
    return state.page_of([ImportRowError(row=r["row_number"], column=r["column"], reason=r["reason"]) for r in rows],
                         await count)


def rejected_export_row(error: ImportRowError) -> tuple[Cell, ...]:
    return (error.row, error.column, error.reason)
