"""Reading a vendor's feed file (CSV or XLSX) row by row, streaming: pure file handling, no database.

The file is never loaded whole: CSV goes through the csv module over a text stream, XLSX
through openpyxl's read-only mode, so memory stays flat whatever the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.vendors.listing_rules import FIELDS, REQUIRED, FieldError, ListingInvalid, ListingValues, check_listing

HEAD_BYTES = 64 * 1024


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class FeedError(ValueError):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class FeedColumn:
    name: str
    required: bool
    meaning: str
    example: str


COLUMNS = (
    FeedColumn("sku", True, "Your article number; a row with a SKU you already have updates that listing", "AB-1001"),
    FeedColumn("title", True, "Product title (up to 300 characters)", "Nitrile gloves, size M, box of 100"),
    FeedColumn("base_price", True, "Unit price as a decimal with at most 4 decimals, dot as separator", "12.50"),
    FeedColumn("currency", True, "ISO 4217 code", "EUR"),
    FeedColumn("brand", False, "Brand", "Acme"),
    FeedColumn("mpn", False, "Manufacturer part number", "NG-M-100"),
    FeedColumn("gtin", False, "GTIN/EAN/UPC, 8, 12, 13 or 14 digits with a valid check digit", "4006381333931"),
    FeedColumn("category_id", False, "Suggested category id (operators decide)", "12"),
    FeedColumn("description", False, "Description", "Powder-free, EN 455"),
    FeedColumn("unit", False, "Unit of measure (default pcs)", "box"),
    FeedColumn("pack_size", False, "Units per pack, at least 1 (default 1)", "100"),
    FeedColumn("min_order_qty", False, "Minimum order quantity, at least 1 (default 1)", "5"),
    FeedColumn("stock", False, "Units in stock, 0 or more (default 0)", "1200"),
    FeedColumn("lead_time_days", False, "Days to ship, 0 or more (default 0)", "2"),
    FeedColumn("tiers", False, "Volume prices min_qty:unit_price separated by |; min_qty 2+", "10:11.90|100:10.50"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
assert set(COLUMN_NAMES) == set(FIELDS) and set(REQUIRED) <= set(COLUMN_NAMES)


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One data row: its number as a spreadsheet shows it (the header is row 1) and its cells by column."""

    number: int
    cells: dict[str, str]


# --- recognising the file ---------------------------------------------------------------------------


def detect_format(filename: str, head: bytes) -> FileFormat:
    """CSV or XLSX from the name and the first bytes; anything else is refused with the reason."""
    suffix = Path(filename or "").suffix.lower()
    is_zip = head.startswith(b"PK\x03\x04")
    if suffix == ".xlsx":
        if not is_zip:
            raise FeedError(f"{filename} is named .xlsx but is not an Excel workbook; save it again as .xlsx")
        return FileFormat.XLSX
    if suffix == ".xls":
        raise FeedError("old Excel .xls files are not supported: save the sheet as .xlsx or as CSV UTF-8")
    if suffix in {".csv", ".txt"}:
        if is_zip:
            raise FeedError(f"{filename} is a zip or Excel file, not a CSV: upload it as .xlsx or export CSV UTF-8")
        check_utf8(head)
        return FileFormat.CSV
    raise FeedError(f"{filename or 'the file'} is neither a CSV (.csv) nor an Excel workbook (.xlsx)")


def check_utf8(head: bytes) -> None:
    """The first bytes decode as UTF-8 (a character cut at the end is fine); else say how to fix it."""
    if b"\x00" in head:
        raise FeedError("the file is not UTF-8 text (it contains NUL bytes; UTF-16?): export it as CSV UTF-8")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise FeedError(
            f"the file is not UTF-8 (byte {exc.start + 1} cannot be decoded; Windows-1252 or Latin-1?): "
            "save it as 'CSV UTF-8'"
        ) from None


def check_header(raw: list[Any]) -> list[str]:
    """The column names of the header row, or a `FeedError` naming missing, unknown or repeated ones."""
    names = [_cell(value).lower().replace(" ", "_") for value in raw]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise FeedError("the first row must be the header with the column names; it is empty")
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name or "(empty)" for name in names if name not in COLUMN_NAMES]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"required columns missing: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)} (the columns are {', '.join(COLUMN_NAMES)})")
    if repeated:
        problems.append(f"columns given twice: {', '.join(repeated)}")
    if problems:
        raise FeedError("; ".join(problems))
    return names


# --- reading rows ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: XLSX numbers come as int/float (a float's shortest repr keeps 9.95 as 9.95)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _delimiter(first_line: str) -> str:
    # Excel in many European locales writes ";"-separated "CSV".
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_header(path: Path, file_format: FileFormat) -> list[str]:
    """The checked header row: raises `FeedError` when the file is empty or the columns are wrong."""
    rows = _rows(path, file_format, header_only=True)
    try:
        names = next(rows, None)
    finally:
        rows.close()
    if names is None:
        raise FeedError("the file is empty: the first row must be the header with the column names")
    return names


def check_row(row: FeedRow) -> ListingValues:
    """The listing of one data row, or `ListingInvalid` with every wrong cell of it."""
    extra = row.cells.get("__extra__")
    try:
        values = check_listing(row.cells)
    except ListingInvalid as exc:
        if extra:
            exc.errors.append(FieldError("", extra))
        raise
    if extra:
        raise ListingInvalid([FieldError("", extra)])
    return values


def iter_rows(path: Path, file_format: FileFormat) -> Iterator[FeedRow]:
    """Every non-blank data row, streamed; `FeedError` if the file turns out unreadable midway."""
    rows = _rows(path, file_format)
    names = next(rows, None)
    if names is None:
        raise FeedError("the file is empty: the first row must be the header with the column names")
    width = len(names)
    for number, raw in enumerate(rows, start=2):
        if not any(value not in (None, "") for value in raw):
            continue
        cells = {name: _cell(raw[i]) if i < len(raw) else "" for i, name in enumerate(names)}
        if len(raw) > width and any(_cell(value) for value in raw[width:]):
            cells["__extra__"] = f"has {len(raw)} cells but the header names {width} columns"
        yield FeedRow(number, cells)


def count_rows(path: Path, file_format: FileFormat) -> int:
    """Data rows of the file (blank rows included), streamed without keeping any."""
    return sum(1 for _ in iter_rows(path, file_format))


def _rows(path: Path, file_format: FileFormat, header_only: bool = False) -> Iterator[list[Any]]:
    """The header's names first, then every row's raw cells."""
    if file_format is FileFormat.CSV:
        yield from _csv_rows(path, header_only)
    else:
        yield from _xlsx_rows(path, header_only)


def _csv_rows(path: Path, header_only: bool) -> Iterator[list[Any]]:
    number = 1
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as stream:
            first_line = stream.readline()
            stream.seek(0)
            reader = csv.reader(stream, delimiter=_delimiter(first_line))
            header = next(reader, None)
            if header is None:
                return
            yield check_header(header)
            if header_only:
                return
            for number, row in enumerate(reader, start=2):  # noqa: B007 - read in the except below
                yield row
    except UnicodeDecodeError:
        raise FeedError(
            f"the file is not UTF-8 near row {number + 1} (Windows-1252 or Latin-1?): save it as 'CSV UTF-8'"
        ) from None
    except csv.Error as exc:
        raise FeedError(f"row {number + 1} is not valid CSV: {exc}") from None


def _xlsx_rows(path: Path, header_only: bool) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # lazy: a heavy import that only XLSX feeds need

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FeedError(f"the file is not a readable Excel .xlsx workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        yield check_header(list(header))
        if header_only:
            return
        for row in rows:
            yield list(row)
    finally:
        workbook.close()
