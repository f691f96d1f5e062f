"""Quick order's input read into numbered lines of (article, quantity): pasted text, a CSV or an XLSX; no database.

Pasted text is one line per article, the article and the quantity separated by a tab (a block copied from Excel),
a semicolon, a comma or spaces (then the last word is the quantity, so an article may hold spaces). A file is a
table read by `app/table_input.py` (a CSV sniffed, an XLSX's zip checked before it is unpacked): its first two
columns are the article and the quantity, any further column is ignored. Blank lines are skipped, and so is a
first line that is a header ("sku;qty"). A line that is not an article and a quantity, or whose quantity is not a
whole number from 1 to `MAX_QUANTITY`, comes back with its fault; the input as a whole is refused (`InputError`)
when it is empty, has more than `MAX_LINES` lines, or is a file that cannot be read. Reading a file takes CPU:
callers run these functions in a worker thread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.orders.schemas import MAX_QUANTITY
from app.table_input import MB, TableError, TableLimits, csv_table, file_table, table_limits, xlsx_table

MAX_LINES = 5_000
MAX_TEXT_CHARS = 1_000_000  # pasted text: 5,000 lines of 200 characters
MAX_FILE_BYTES = 4 * MB  # a 5,000-line workbook saved by Excel is about 100 KB
# What a quick-order workbook may unpack to: a sheet of 5,000 two-cell rows is under 1 MB of XML.
MAX_UNPACKED_BYTES = 16 * MB
# Rows read from a sheet, blank ones included: a sheet can jump from row 1 to row 1,048,576.
MAX_SHEET_ROWS = 10 * MAX_LINES
MAX_ARTICLE_CHARS = 100  # the longest SKU, MPN or GTIN a listing or a product holds
SHOWN_CHARS = 200  # what a line's echo keeps of an overlong value
_DIGITS_OF_MAX = len(str(MAX_QUANTITY))

# Words a header line is made of, in the languages buyers paste from; compared by their letters only.
HEADER_WORDS = frozenset({
    "sku", "article", "articles", "art", "artnr", "artikel", "artikelnummer", "item", "items", "part", "partno",
    "product", "code", "gtin", "ean", "upc", "mpn", "number", "nr", "no", "ref", "reference", "référence",
    "qty", "quantity", "quantities", "menge", "anzahl", "amount", "count", "pcs", "units", "stk", "stück",
    "qté", "quantité", "cantidad",
})  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_QUANTITY = re.compile(r"\+?([0-9]+)(?:[.,]0+)?")  # "10", "+10", and Excel's "10.0" or "10,00"


class InputError(TableError):
    """The input as a whole cannot be taken; the message says what to fix."""


class LineFault(StrEnum):
    """Why a single line cannot be read (the input goes on without it)."""

    MALFORMED = "malformed_line"
    BAD_QUANTITY = "bad_quantity"


@dataclass(frozen=True, slots=True)
class InputLine:
    """One line: its number (in the text, or the row of the file), the article and the quantity as typed, and
    either the quantity read or the fault."""

    number: int
    article: str
    quantity_text: str
    quantity: int | None = None
    fault: LineFault | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class ReadInput:
    """The lines to order and the line skipped as a header, if any."""

    lines: tuple[InputLine, ...]
    header_line: int | None = None


# --- one line --------------------------------------------------------------------------------------


def parse_quantity(text: str) -> int | None:
    """The quantity a buyer typed, or None unless it is a whole number from 1 to `MAX_QUANTITY`."""
    match = _QUANTITY.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1).lstrip("0")
    if not digits or len(digits) > _DIGITS_OF_MAX:  # never int() of thousands of digits
        return None
    quantity = int(digits)
    return quantity if quantity <= MAX_QUANTITY else None


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def read_line(number: int, article: str, quantity_text: str) -> InputLine | None:
    """A line from its two values (None when both are empty: a blank line)."""
    article, quantity_text = article.strip(), quantity_text.strip()
    if not article and not quantity_text:
        return None
    shown = {"number": number, "article": _shown(article), "quantity_text": _shown(quantity_text)}
    if not article:
        return InputLine(**shown, fault=LineFault.MALFORMED,
                         message="The line has no article: give the article, then the quantity.")
    if not quantity_text:
        return InputLine(**shown, fault=LineFault.MALFORMED,
                         message="The line has no quantity: give the article, then the quantity.")
    if _has_control_characters(article):
        return InputLine(**shown, fault=LineFault.MALFORMED,
                         message="The article holds control characters: type it again as text.")
    quantity = parse_quantity(quantity_text)
    if quantity is None:
        return InputLine(**shown, fault=LineFault.BAD_QUANTITY,
                         message=f"The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, "
                                 f"not \"{shown['quantity_text']}\".")
    return InputLine(**shown, quantity=quantity)


def text_fields(line: str) -> list[str]:
    """A pasted line's values: split at tabs, else semicolons, else commas, else at the last run of spaces."""
    for separator in ("\t", ";", ","):
        if separator in line:
            fields = [field.strip() for field in line.split(separator)]
            break
    else:
        fields = line.rsplit(None, 1)
    while fields and not fields[-1]:
        fields.pop()  # Excel pads a copied block with empty cells
    return fields


def is_header(article: str, quantity_text: str) -> bool:
    """Whether a first line names the columns ("sku;qty", "Article number\tQuantity") instead of ordering."""
    if parse_quantity(quantity_text) is not None:
        return False
    words = set(_WORD.findall(f"{article} {quantity_text}".casefold()))
    return bool(words & HEADER_WORDS)


# --- many lines ------------------------------------------------------------------------------------


def read_lines(rows: Iterable[tuple[int, Sequence[str]]]) -> ReadInput:
    """Numbered rows of values (pasted lines split, or a file's rows) read into lines: the first non-blank row
    skipped if it is a header, blank rows skipped, a row of more than two values malformed."""
    lines: list[InputLine] = []
    header_line = None
    first = True
    for number, values in rows:
        article, quantity_text = (values[0] if values else ""), (values[1] if len(values) > 1 else "")
        if first and any(value.strip() for value in values):
            first = False
            if is_header(article, quantity_text):
                header_line = number
                continue
        line = read_line(number, article, quantity_text)
        if line is None:
            continue
        if len(values) > 2:
            line = InputLine(number=number, article=line.article, quantity_text=line.quantity_text,
                             fault=LineFault.MALFORMED,
                             message=f"The line has {len(values)} values: give only the article and the quantity.")
        lines.append(line)
        if len(lines) > MAX_LINES:
            raise InputError(f"More than {MAX_LINES:,} lines: split them into several quick orders.")
    if not lines:
        raise InputError("Nothing to order: give one article and its quantity a line, e.g. \"AB-1001 10\".")
    return ReadInput(lines=tuple(lines), header_line=header_line)


def text_lines(text: str) -> ReadInput:
    """Pasted or typed text, a line per article."""
    return read_lines((number, text_fields(line)) for number, line in enumerate(text.splitlines(), start=1))


# --- files -----------------------------------------------------------------------------------------


def file_lines(filename: str, content: bytes) -> ReadInput:
    """An uploaded CSV or XLSX (by its name and first bytes), read into lines."""
    if len(content) > MAX_FILE_BYTES:
        raise InputError(f"The file is larger than {MAX_FILE_BYTES // MB} MB: a quick order has at most "
                         f"{MAX_LINES:,} lines; split it.")
    if not content:
        raise InputError("The file is empty: give one article and its quantity a row.")
    return _table(file_table, filename, content, 2, read_lines, xlsx_limits())


def csv_lines(content: bytes) -> ReadInput:
    """A CSV file: UTF-8 with or without the byte order mark, `,`, `;` or tab between the values (sniffed)."""
    return _table(csv_table, content, 2, read_lines)


def xlsx_limits() -> TableLimits:
    """The feed imports' workbook guard, with a quick order's size: the parts count and packing ratio as for
    feeds, the unpacked size far smaller."""
    return table_limits(MAX_UNPACKED_BYTES, MAX_SHEET_ROWS)


def xlsx_lines(content: bytes) -> ReadInput:
    """An XLSX workbook: the first two columns of its first sheet. Its zip directory is checked before the
    workbook is opened, so what it can unpack to is bounded."""
    return _table(xlsx_table, content, 2, read_lines, xlsx_limits())


def _table(reader: Callable[..., ReadInput], *args: Any) -> ReadInput:
    try:
        return reader(*args)
    except InputError:
        raise
    except TableError as exc:
        raise InputError(str(exc)) from None
