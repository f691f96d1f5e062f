"""Every CSV and XLSX the app produces is written here, so that no user text can become a live formula in them; and
the one way a cell of an uploaded sheet is read as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | Decimal | date | bool | None
"""What a cell may hold: text, a number, a date or moment, a boolean, or nothing."""

# OWASP's CSV injection rule: a spreadsheet reads a cell that starts with one of these as a formula (or, for tab and
# carriage return, strips them and reads what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)


def neutralized(text: str) -> str:
    """The text kept as text: one that a spreadsheet would evaluate gets a leading `'`, any other is unchanged."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_text(value: object) -> str:
    """An uploaded sheet's cell as text: XLSX numbers come as int or float (a float's shortest repr keeps 9.95 as
    9.95, and a GTIN typed as a number keeps all its digits); dates as ISO dates."""
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


def _moment(value: datetime, zone: tzinfo | None = None) -> datetime:
    # Spreadsheets have no time zones: an aware moment is written as the reader's wall-clock time in `zone` (UTC
    # when none is given), and the column's header names the zone (`zoned_header`).
    return value if value.tzinfo is None else value.astimezone(zone or UTC).replace(tzinfo=None)


UTC_MARK = "(UTC)"
"""How a header names a column of moments: "Deadline (UTC)". A file written for a reader in another zone names it."""


def zoned_header(text: str, zone_name: str) -> str:
    """A column's header for a reader in `zone_name`: "Deadline (UTC)" becomes "Deadline (Europe/Berlin)"."""
    return text.replace(UTC_MARK, f"({zone_name})") if zone_name != "UTC" else text


# --- CSV ----------------------------------------------------------------------------------------


def _csv_cell(value: Cell, zone: tzinfo | None = None) -> str | int:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralized(value)
    if isinstance(value, bool):  # before int: a bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, and never "1E+2"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return _moment(value, zone).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a spreadsheet cell cannot hold {type(value).__name__}")


def csv_text(rows: Iterable[Sequence[Cell]], zone: tzinfo | None = None) -> str:
    """Rows as CSV lines (Excel's dialect), for a file written whole or streamed a part at a time; moments as the
    wall-clock time in `zone` (UTC when none)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_cell(value, zone) for value in row])
    return out.getvalue()


CSV_BOM = "\ufeff"
"""Starts a CSV file so that spreadsheets read it as UTF-8."""


def csv_file(rows: Iterable[Sequence[Cell]], zone: tzinfo | None = None) -> bytes:
    """A whole CSV file: UTF-8 with the byte order mark; moments in `zone` (UTC when none)."""
    return (CSV_BOM + csv_text(rows, zone)).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------


class Sheet:
    """One worksheet, written a row at a time; text is always a text cell, numbers and dates are typed cells."""

    def __init__(self, worksheet: Worksheet, zone: tzinfo | None = None) -> None:
        self._sheet = worksheet
        self._rows = 0
        self._zone = zone

    def append(self, values: Sequence[Cell], *, bold: bool = False) -> int:
        """Adds a row below the last one (an empty sequence leaves a blank row); returns its number, from 1."""
        self._rows += 1
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = self._sheet.cell(row=self._rows, column=column)
            if isinstance(value, str):
                # The XML cannot hold control characters: each becomes U+FFFD, before the formula check.
                cell.value = neutralized(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
                cell.data_type = "s"  # never a formula ("=") nor an error value ("#N/A")
            elif isinstance(value, datetime):
                cell.value = _moment(value, self._zone)
            elif isinstance(value, bool | int | float | Decimal | date):
                cell.value = value  # openpyxl writes a Decimal from its exact text: no float on the way
            else:
                raise TypeError(f"a spreadsheet cell cannot hold {type(value).__name__}")
            if bold:
                cell.font = _BOLD
        return self._rows

    def emphasize(self, row: int, column: int, *, bold: bool = False, fill: str | None = None) -> None:
        """Bold text and/or a background colour (hex RGB, "C6EFCE") for one cell, counted from 1."""
        cell = self._sheet.cell(row=row, column=column)
        if bold:
            cell.font = _BOLD
        if fill is not None:
            cell.fill = PatternFill("solid", fgColor=fill)


class Workbook:
    """An XLSX workbook of named sheets, in the order they were added."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        """`zone`: where its reader's clocks are; its sheets write moments as that wall-clock time (UTC when none)."""
        self._book = openpyxl.Workbook()
        self._sheets = 0
        self._zone = zone

    def sheet(self, title: str) -> Sheet:
        """A new, empty sheet named `title`."""
        worksheet = self._book.active if self._sheets == 0 else self._book.create_sheet()
        worksheet.title = title
        self._sheets += 1
        return Sheet(worksheet, self._zone)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()
