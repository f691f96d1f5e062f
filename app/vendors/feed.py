"""Reading a vendor's feed file (CSV or XLSX) row by row, streaming and within limits: pure file handling, no database.

The file is never loaded whole: CSV goes through the csv module over a text stream, XLSX through openpyxl's
read-only mode, so memory stays flat whatever the number of rows. A feed comes from outside, so every read is
bounded (`FeedLimits`): a workbook's zip directory is checked before openpyxl opens it (a few hundred KB can
unpack to gigabytes), its first sheet is streamed without ever being sized (openpyxl reads a whole sheet to size
it when the sheet has no <dimension>), a CSV row has a maximum length, a file a maximum number of rows, and a
reading run can be given a `Deadline`.
"""

from __future__ import annotations

import codecs
import csv
import re
import struct
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.defined_name import DefinedNameList
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from app.settings import Settings
from app.spreadsheets import cell_text
from app.vendors.listing_rules import FIELDS, REQUIRED, FieldError, ListingInvalid, ListingValues, check_listing

HEAD_BYTES = 64 * 1024
MB = 1024 * 1024
# A part smaller than this is never called a bomb, whatever its ratio: a few KB of zeros are harmless.
RATIO_FROM_BYTES = MB
# A zip directory record is 46 bytes plus the part's name and extras: far less than this per part.
DIRECTORY_BYTES_PER_ENTRY = 1024
UNKNOWN_SHOWN = 10
# What a damaged or hostile workbook raises from the zip, the XML parser or openpyxl's typed fields.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, OSError, ValueError, ParseError,
               NotImplementedError)  # fmt: skip


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class FeedError(ValueError):
    """The file as a whole cannot be read; the message says what to fix."""


class FeedLimitReached(FeedError):
    """Reading stopped at a limit of one import (rows, time); the message names the limit."""


@dataclass(frozen=True, slots=True)
class FeedLimits:
    """How much a feed file may hold and unpack to; from the settings in the app (`FeedLimits.of`)."""

    max_unpacked_bytes: int  # XLSX: all parts of the workbook, unpacked
    max_entry_bytes: int  # XLSX: any one part, unpacked
    max_ratio: int  # XLSX: unpacked size / stored size of a part (of RATIO_FROM_BYTES or more)
    max_entries: int  # XLSX: parts in the zip
    max_rows: int  # rows after the header, blank ones included
    max_row_chars: int  # CSV: characters of one row (a line, or several inside quotes)

    @classmethod
    def of(cls, settings: Settings) -> FeedLimits:
        return cls(
            max_unpacked_bytes=settings.feed_max_unpacked_mb * MB,
            max_entry_bytes=settings.feed_max_entry_mb * MB,
            max_ratio=settings.feed_max_ratio,
            max_entries=settings.feed_max_entries,
            max_rows=settings.feed_max_rows,
            max_row_chars=settings.feed_max_row_kb * 1024,
        )


@dataclass(frozen=True, slots=True)
class Deadline:
    """A time limit for reading, counted from `started` (`time.monotonic()`)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise FeedLimitReached(
                f"the import took longer than {_duration(self.seconds)}, the time limit of one import: "
                "split the file into smaller ones"
            )


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} second{'' if seconds == 1 else 's'}"


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
    FeedColumn("tax_rate", False, "Percent, 0 to 100; empty: the marketplace default", "19"),
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
    names = [cell_text(value).lower().replace(" ", "_") for value in raw]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise FeedError("the first row must be the header with the column names; it is empty")
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name or "(empty)" for name in names if name not in COLUMN_NAMES]
    repeated = sorted(name for name, times in Counter(names).items() if name and times > 1)
    problems = []
    if missing:
        problems.append(f"required columns missing: {', '.join(missing)}")
    if unknown:
        more = f" and {len(unknown) - UNKNOWN_SHOWN:,} more" if len(unknown) > UNKNOWN_SHOWN else ""
        problems.append(
            f"unknown columns: {', '.join(unknown[:UNKNOWN_SHOWN])}{more} (the columns are {', '.join(COLUMN_NAMES)})"
        )
    if repeated:
        problems.append(f"columns given twice: {', '.join(repeated[:UNKNOWN_SHOWN])}")
    if problems:
        raise FeedError("; ".join(problems))
    return names


# --- a workbook's zip, checked before openpyxl opens it -------------------------------------------------


def check_workbook(path: Path, limits: FeedLimits) -> None:
    """The zip's own directory says the workbook is small enough to open: its parts' count, sizes and ratios.

    Python's zipfile never unpacks more than a part's size as the directory states it (a part that claims less
    fails its CRC check), so these sizes bound what openpyxl can read.
    """
    with path.open("rb") as stream:
        declared, directory_bytes = _zip_directory(stream)
    if declared > limits.max_entries or directory_bytes > limits.max_entries * DIRECTORY_BYTES_PER_ENTRY:
        raise _too_many_parts(declared, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FeedError(f"the file is not a readable Excel .xlsx workbook ({exc})") from None
    if len(parts) > limits.max_entries:
        raise _too_many_parts(len(parts), limits)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise FeedError(
            f"the workbook unpacks to more than {limits.max_unpacked_bytes // MB:,} MB ({unpacked / MB:,.0f} MB): "
            "keep only the sheet of listings, or split them into several files"
        )
    for part in parts:
        if part.file_size > limits.max_entry_bytes:
            raise FeedError(
                f"the part {part.filename} of the workbook unpacks to more than {limits.max_entry_bytes // MB:,} MB "
                f"({part.file_size / MB:,.0f} MB): split the listings into several files"
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= RATIO_FROM_BYTES and ratio > limits.max_ratio:
            raise FeedError(
                f"the part {part.filename} of the workbook unpacks to {ratio:,.0f} times its packed size, more than "
                f"the {limits.max_ratio:,} times a spreadsheet does (a zip bomb?): save it again from Excel as .xlsx"
            )


def _too_many_parts(count: int, limits: FeedLimits) -> FeedError:
    return FeedError(
        f"the workbook has {count:,} parts (sheets, pictures, …), more than the {limits.max_entries:,} a feed may "
        "have: save the sheet of listings alone as a new .xlsx"
    )


def _zip_directory(stream: IO[bytes]) -> tuple[int, int]:
    """The number of parts and the size of the directory, as the zip's end record states them."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_size = min(size, 22 + 0xFFFF)  # the end record, then a comment of at most 64 KB
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise FeedError("the file is not a readable Excel .xlsx workbook (its zip directory is missing)")
    entries, directory_bytes = struct.unpack("<10xHL6x", tail[at : at + 22])
    return entries, directory_bytes  # zip64 marks (0xFFFF, 0xFFFFFFFF) are lower bounds, refused as too many


# --- reading rows ---------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    # Excel in many European locales writes ";"-separated "CSV".
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read_header(path: Path, file_format: FileFormat, limits: FeedLimits) -> list[str]:
    """The checked header row: raises `FeedError` when the file is empty, too big or the columns are wrong.

    Reads the header only: a workbook's directory and the start of its first sheet, a CSV's first row.
    """
    rows = _rows(path, file_format, limits, header_only=True)
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


def iter_rows(
    path: Path, file_format: FileFormat, limits: FeedLimits, deadline: Deadline | None = None
) -> Iterator[FeedRow]:
    """Every non-blank data row, streamed; `FeedError` if the file turns out unreadable midway.

    `FeedLimitReached` past `limits.max_rows` rows (blank rows count: a sheet can jump to row 1,048,576)
    or past the deadline.
    """
    rows = _rows(path, file_format, limits)
    try:
        names = next(rows, None)
        if names is None:
            raise FeedError("the file is empty: the first row must be the header with the column names")
        width = len(names)
        for number, raw in enumerate(rows, start=2):
            if number - 1 > limits.max_rows:
                raise FeedLimitReached(
                    f"the file has more than {limits.max_rows:,} rows, the limit of one import: "
                    f"split it into files of at most {limits.max_rows:,} rows"
                )
            if deadline is not None:
                deadline.check()
            if not any(value not in (None, "") for value in raw):
                continue
            cells = {name: cell_text(raw[i]) if i < len(raw) else "" for i, name in enumerate(names)}
            if len(raw) > width and any(cell_text(value) for value in raw[width:]):
                cells["__extra__"] = f"has {len(raw)} cells but the header names {width} columns"
            yield FeedRow(number, cells)
    finally:
        rows.close()


def _rows(path: Path, file_format: FileFormat, limits: FeedLimits, header_only: bool = False) -> Iterator[list[Any]]:
    """The header's names first, then every row's raw cells."""
    if file_format is FileFormat.CSV:
        yield from _csv_rows(path, limits, header_only)
    else:
        yield from _xlsx_rows(path, limits, header_only)


class _RowTooLong(Exception):
    """A row is longer than the limit of one row (its caller knows which row)."""


class _Lines:
    """A text's lines for the csv module, none longer than `limit` characters, nor a row of several lines."""

    def __init__(self, stream: IO[str], limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.row_chars = 0  # of the row being read; the reader of rows sets it back to 0 after each

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > self.limit:
            raise _RowTooLong
        return line


def _csv_rows(path: Path, limits: FeedLimits, header_only: bool) -> Iterator[list[Any]]:
    done = 0  # rows read whole (the header is row 1): an error is in the next one
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as stream:
            first_line = stream.readline(limits.max_row_chars + 1)
            stream.seek(0)
            lines = _Lines(stream, limits.max_row_chars)
            reader = csv.reader(lines, delimiter=_delimiter(first_line))
            header = next(reader, None)
            if header is None:
                return
            done, lines.row_chars = 1, 0
            yield check_header(header)
            if header_only:
                return
            for done, row in enumerate(reader, start=2):  # noqa: B007 - read in the except below
                lines.row_chars = 0
                yield row
    except _RowTooLong:
        raise FeedError(
            f"row {done + 1} is longer than {limits.max_row_chars // 1024:,} KB, the limit of one row: "
            "is the file a CSV with one listing a line?"
        ) from None
    except UnicodeDecodeError:
        raise FeedError(
            f"the file is not UTF-8 near row {done + 1} (Windows-1252 or Latin-1?): save it as 'CSV UTF-8'"
        ) from None
    except csv.Error as exc:
        raise FeedError(f"row {done + 1} is not valid CSV: {exc}") from None


def _xlsx_rows(path: Path, limits: FeedLimits, header_only: bool) -> Iterator[list[Any]]:
    check_workbook(path, limits)
    try:
        reader = _FirstSheetReader(path, limits.max_row_chars)
    except (zipfile.BadZipFile, OSError, InvalidFileException) as exc:
        raise FeedError(f"the file is not a readable Excel .xlsx workbook ({exc})") from None
    done = 0  # rows read whole (the header is row 1): an error is in the next one
    try:
        try:
            reader.read()
        except (*_UNREADABLE, TypeError) as exc:
            raise FeedError(f"the file is not a readable Excel .xlsx workbook ({exc})") from None
        if not reader.wb.worksheets:
            raise FeedError("the workbook has no sheet: the first sheet must hold the listings")
        sheet = reader.wb.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        done, sheet.meter.row_bytes = 1, 0
        yield check_header(list(header))
        if header_only:
            return
        for done, row in enumerate(rows, start=2):  # noqa: B007 - read in the except below
            sheet.meter.row_bytes = 0
            yield list(row)
    except _RowTooLong:
        raise FeedError(
            f"row {done + 1} of the sheet is longer than {limits.max_row_chars // 1024:,} KB (as the workbook stores "
            "it), the limit of one row: keep one listing a row"
        ) from None
    except FeedError:
        raise
    except _UNREADABLE as exc:
        raise FeedError(f"the first sheet of the workbook cannot be read ({exc})") from None
    finally:
        reader.close()


class _FirstSheetReader(ExcelReader):
    """openpyxl's read-only reader, where a hostile workbook could make it slow changed to stream instead.

    Only the first worksheet is opened, never sized, its rows metered (`_UnsizedSheet`); shared strings are
    parsed as far as the sheet's cells need them (the header needs the first few); defined names, links and
    macros are skipped.
    """

    def __init__(self, path: Path, max_row_bytes: int) -> None:
        super().__init__(path, read_only=True, data_only=True, keep_links=False, keep_vba=False)
        self.max_row_bytes = max_row_bytes
        self.shared_strings: Any = []

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            self.shared_strings = _SharedStrings(self.archive.open(part.PartName[1:]))

    def read_worksheets(self) -> None:
        self.parser.defined_names = DefinedNameList()  # print areas and names of other sheets: not a feed's
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(
                    _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings, self.max_row_bytes)
                )
                return

    def close(self) -> None:
        if isinstance(self.shared_strings, _SharedStrings):
            self.shared_strings.close()
        self.archive.close()


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that never sizes itself, each row as long as its own cells, read through a meter.

    openpyxl sizes a sheet from its <dimension>, and without one reads the whole sheet to find its size; a
    declared dimension is not to be trusted either (A1:XFD1048576 pads every row to 16,384 cells).
    """

    def __init__(self, parent: Any, title: str, path: str, shared_strings: Any, max_row_bytes: int) -> None:
        self.max_row_bytes = max_row_bytes
        self.meter = _RowMeter(None, max_row_bytes)
        super().__init__(parent, title, path, shared_strings)

    def _get_size(self) -> None:
        return None

    def _get_source(self) -> Any:
        self.meter = _RowMeter(super()._get_source(), self.max_row_bytes)
        return self.meter


class _RowMeter:
    """A sheet's XML as openpyxl parses it, counting the bytes read since the last row came out (its reader sets
    `row_bytes` back to 0): past `limit`, `_RowTooLong`. A row is parsed whole before it comes out, so one huge
    row would be held whole; the header too is read within this limit. After </sheetData> nothing is counted."""

    END_OF_ROWS = re.compile(rb"</(?:\w+:)?sheetData>")

    def __init__(self, source: IO[bytes] | None, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.row_bytes = 0
        self.in_rows = True
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        assert self.source is not None
        data = self.source.read(self.limit + 1 if size < 0 else size)
        if self.in_rows:
            self.row_bytes += len(data)
            if self.END_OF_ROWS.search(self.tail + data):
                self.in_rows = False
            elif self.row_bytes > self.limit:
                raise _RowTooLong
            self.tail = data[-32:]
        return data

    def close(self) -> None:
        if self.source is not None:
            self.source.close()

    def __enter__(self) -> _RowMeter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SharedStrings:
    """A workbook's shared strings, parsed from its part only as far as the cells read so far need."""

    TAG = f"{{{SHEET_MAIN_NS}}}si"

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.strings: list[str] = []
        self.parsed = self._parse()

    def _parse(self) -> Iterator[str]:
        for _, node in iterparse(self.source):
            if node.tag == self.TAG:
                yield Text.from_tree(node).content.replace("x005F_", "")  # as openpyxl's read_string_table
                node.clear()

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(f"shared string {index}")
        while len(self.strings) <= index:
            text = next(self.parsed, None)
            if text is None:
                raise IndexError(f"the workbook has no shared string {index}")
            self.strings.append(text)
        return self.strings[index]

    def close(self) -> None:
        self.parsed.close()
        self.source.close()
