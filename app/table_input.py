"""Tables that buyers paste or upload (a CSV or an XLSX) read as numbered rows of cell text, for every area that takes
lines from a spreadsheet (quick order, an RFQ's lines): no database, bounded work whatever the file.

A CSV is UTF-8 with or without a byte order mark, its delimiter sniffed (`,`, `;` or a tab); an XLSX is read from its
first sheet after its zip directory passed the feed imports' guard (`vendors.feed.check_workbook`), so a zip bomb is
refused before anything is unpacked, and its rows are counted as they stream (blank ones too: a sheet can jump from
row 1 to row 1,048,576). Each reader hands the rows, numbered as the spreadsheet shows them and cut to `width`
cells, to the caller's `read`, which decides what a row means. Reading a file takes CPU: callers run these functions
in a worker thread.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from app.settings import get_settings
from app.spreadsheets import cell_text
from app.vendors.feed import MB, FeedError, FeedLimits, FileFormat, check_workbook, detect_format

__all__ = ["MB", "NumberCell", "Rows", "TableError", "TableLimits", "csv_table", "file_table", "sentence",
           "sniff_delimiter", "table_limits", "text_table", "xlsx_table"]
T = TypeVar("T")
Rows = Iterator[tuple[int, list[str]]]
"""Numbered rows (from 1) of cell text."""

_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, OSError, ValueError, TypeError,
               ParseError, InvalidFileException, NotImplementedError)  # fmt: skip


class TableError(ValueError):
    """The table as a whole cannot be read; the message says what to fix. A caller's `read` raises its own
    subclass for what its rows may not be (too many lines, nothing to read), and it passes through unchanged."""


@dataclass(frozen=True, slots=True)
class TableLimits:
    """How far a workbook may go: what its zip may unpack to (the feed imports' guard) and the rows read."""

    workbook: FeedLimits
    max_sheet_rows: int


def table_limits(max_unpacked_bytes: int, max_sheet_rows: int) -> TableLimits:
    """The feed imports' workbook guard (parts count, packing ratio and row width from the settings) with the
    caller's unpacked size and number of rows: far smaller than a feed's."""
    settings = get_settings()
    return TableLimits(
        workbook=FeedLimits(
            max_unpacked_bytes=max_unpacked_bytes, max_entry_bytes=max_unpacked_bytes,
            max_ratio=settings.feed_max_ratio, max_entries=settings.feed_max_entries, max_rows=max_sheet_rows,
            max_row_chars=settings.feed_max_row_kb * 1024,
        ),
        max_sheet_rows=max_sheet_rows,
    )


def sentence(text: str, filename: str = "") -> str:
    """A guard's reason as a sentence (the file's name, when it starts with it, unchanged)."""
    if not (filename and text.startswith(filename)):
        text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def sniff_delimiter(text: str) -> str:
    """The CSV's delimiter as the csv module sniffs it from the first lines; else the one the first line holds
    most of (Excel writes `;` in many European locales); else a comma."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        counts = {separator: first.count(separator) for separator in (";", "\t", ",")}
        best = max(counts, key=lambda separator: counts[separator])
        return best if counts[best] else ","


class NumberCell(str):
    """A cell's text that the workbook stored as a number (9.95 as "9.95"): dot-decimal whatever the reader's locale,
    so a reader of amounts takes it as it is and reads only text cells as its user types amounts."""

    __slots__ = ()


def _cell(value: Any) -> str:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return NumberCell(cell_text(value))
    return cell_text(value)


def _cut(rows: Iterable[Sequence[Any]], width: int) -> Rows:
    for number, row in enumerate(rows, start=1):
        yield number, [_cell(value) for value in list(row)[:width]]


def text_table(text: str, width: int, read: Callable[[Rows], T]) -> T:
    """Pasted text as a CSV (a block copied from a spreadsheet comes tab-separated), a row a line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return read(_cut(reader, width))
    except csv.Error as exc:
        raise TableError(f"Line {reader.line_num} cannot be read: {exc}.") from None


def csv_table(content: bytes, width: int, read: Callable[[Rows], T]) -> T:
    """A CSV file's rows: UTF-8 with or without the byte order mark, its delimiter sniffed."""
    if b"\x00" in content:
        raise TableError("The file is not UTF-8 text (it holds NUL bytes: UTF-16?): save it as 'CSV UTF-8'.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"The file is not UTF-8 (byte {exc.start + 1} cannot be read; Windows-1252 or Latin-1?): "
                         "save it as 'CSV UTF-8'.") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return read(_cut(reader, width))
    except csv.Error as exc:
        raise TableError(f"Row {reader.line_num} is not valid CSV: {exc}.") from None


def xlsx_table(content: bytes, width: int, read: Callable[[Rows], T], limits: TableLimits) -> T:
    """The first `width` columns of an XLSX workbook's first sheet. Its zip directory is checked before the
    workbook is opened, so what it can unpack to is bounded."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as stored:
        stored.write(content)
        stored.flush()
        path = Path(stored.name)
        try:
            check_workbook(path, limits.workbook)
        except FeedError as exc:
            raise TableError(sentence(str(exc))) from None
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except _UNREADABLE as exc:
            raise TableError(f"The file is not a readable Excel .xlsx workbook ({exc}).") from None
        try:
            if not workbook.worksheets:
                raise TableError("The workbook has no sheet: put the lines in its first sheet.")
            rows = workbook.worksheets[0].iter_rows(max_col=width, values_only=True)
            return read(_cut(_bounded(rows, limits.max_sheet_rows), width))
        except TableError:
            raise
        except _UNREADABLE as exc:
            raise TableError(f"The first sheet of the workbook cannot be read ({exc}).") from None
        finally:
            workbook.close()


def file_table(filename: str, content: bytes, width: int, read: Callable[[Rows], T], limits: TableLimits) -> T:
    """An uploaded CSV or XLSX (told apart by its name and first bytes) read as `csv_table` or `xlsx_table`."""
    try:
        file_format = detect_format(filename, content[:64 * 1024])
    except FeedError as exc:
        raise TableError(sentence(str(exc), filename)) from None
    if file_format is FileFormat.XLSX:
        return xlsx_table(content, width, read, limits)
    return csv_table(content, width, read)


def _bounded(rows: Iterable[Sequence[Any]], limit: int) -> Iterator[Sequence[Any]]:
    for number, row in enumerate(rows, start=1):
        if number > limit:
            raise TableError(f"The sheet has more than {limit:,} rows (blank ones count): copy the lines into a "
                             "new sheet.")
        yield row
