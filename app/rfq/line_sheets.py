"""An RFQ's lines from a spreadsheet: pasted rows or an uploaded CSV/XLSX (read by `app/table_input.py`) as checked
lines of article (a SKU, GTIN or product name, or a description of the item), quantity, unit and target price; and
the template to fill in. No database: which catalog product an article names is the caller's to find.

All or nothing: every row that cannot be a line comes back with its row number and column in the buyer's words, so
the whole sheet is fixed once. A first row that names the columns (the template's) is skipped, and so are blank
rows; columns past the fourth are ignored in a file and refused in pasted text (a value in the wrong column would
go unseen). Reading a file takes CPU: callers run `text_lines` and `file_lines` in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.money import MoneyError, typed_amount
from app.rfq import rules
from app.spreadsheets import Workbook, csv_file
from app.table_input import (
    MB,
    NumberCell,
    Rows,
    TableError,
    TableLimits,
    file_table,
    table_limits,
    text_table,
)

COLUMNS = ("article", "quantity", "unit", "target price")
COLUMN_HELP = (
    "the supplier's SKU, the GTIN, the product's name, or a description of the item",
    "how many, a whole number",
    "pcs, box, kg… (pcs when empty)",
    "the unit price you aim for (optional): a number cell, or text as you type amounts (4.25; 4,25 in German)",
)
MAX_FILE_BYTES = 2 * MB  # an RFQ of 200 lines is some 20 KB as a workbook
MAX_TEXT_CHARS = 1_000_000  # pasted text
MAX_UNPACKED_BYTES = 16 * MB
MAX_SHEET_ROWS = 10_000  # rows read from a sheet, blank ones included
_HEADER_WORDS = frozenset({
    "article", "sku", "gtin", "ean", "product", "item", "description", "name", "quantity", "qty", "unit", "target",
    "price", "menge", "artikel", "einheit", "preis",
})  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


class SheetError(TableError):
    """The pasted text or file as a whole cannot be lines of an RFQ; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class SheetLine:
    """A row that is a line: its number as the sheet shows it, and its values checked."""

    row: int
    article: str
    quantity: int
    unit: str
    target_price: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one cell: its row, its column (one of COLUMNS, or "columns") and the problem."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"Row {self.row} — {self.column}: {self.problem}"


@dataclass(frozen=True, slots=True)
class SheetLines:
    lines: tuple[SheetLine, ...]
    problems: tuple[RowProblem, ...]


def is_header(values: Sequence[str]) -> bool:
    """Whether a first row names the columns: no whole quantity, and each of its values a column's name or a
    word of one ("Article", "Qty", "Target price"), so a first line with a wrong quantity is told, not skipped."""
    if len(values) > 1 and _quantity(values[1]) is not None:
        return False
    named = [value for value in values if value.strip()]
    return bool(named) and all(set(_WORD.findall(value.casefold())) & _HEADER_WORDS for value in named)


def _quantity(text: str) -> int | None:
    """A whole number as typed, Excel's "10.0" too; None unless from 1 to rules.MAX_QUANTITY."""
    digits = text.strip().removesuffix(".0")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(rules.MAX_QUANTITY)):
        return None
    quantity = int(digits)
    return quantity if 1 <= quantity <= rules.MAX_QUANTITY else None


def _price(text: str, locale: str | None) -> tuple[str, str | None]:
    """A price cell's text as the buyer's spreadsheet shows it ("1.234,50" in German, "1,234.50" in English) in
    dot-decimal text, and what is wrong with it in the buyer's words (None when fine or blank). Text that does not
    read in the locale but does as dot-decimal ("12.50" in German) is taken so; else the refusal shows how to type
    an amount in the buyer's locale. Without `locale`, dot-decimal only."""
    if locale is not None and text:
        try:
            return typed_amount(text, locale), None
        except MoneyError as exc:
            if rules.price_problem(text) is not None:
                return text, str(exc)
    return text, None


def read_row(number: int, values: Sequence[str], *, strict_width: bool,
             locale: str | None = None) -> SheetLine | list[RowProblem]:
    """One non-blank row as a line, or what is wrong with it (every problem of the row). With `locale`, a price
    written as text is read as that locale writes amounts; a workbook's number cell is a number whatever the
    locale."""
    cells = [value.strip() for value in values] + [""] * (len(COLUMNS) - len(values))
    article, quantity_text, unit, price = cells[:4]
    numeric = len(values) > 3 and isinstance(values[3], NumberCell)
    price, unreadable = _price(price, None if numeric else locale)
    problems = []
    if strict_width and any(cells[4:]):
        problems.append(RowProblem(number, "columns", f"has {len(values)} values: give only {', '.join(COLUMNS)}"))
    if not article:
        problems.append(RowProblem(number, "article", "give a SKU, GTIN or product name, or describe the item"))
    elif len(article) > rules.MAX_LINE_TEXT:
        problems.append(RowProblem(number, "article", f"must be at most {rules.MAX_LINE_TEXT:,} characters"))
    quantity = _quantity(quantity_text)
    if not quantity_text:
        problems.append(RowProblem(number, "quantity", "give how many you need"))
    elif quantity is None:
        shown = quantity_text if len(quantity_text) <= 20 else quantity_text[:19] + "…"
        problems.append(RowProblem(number, "quantity", f"must be a whole number from 1 to {rules.MAX_QUANTITY:,}, "
                                                       f"not “{shown}”"))
    if len(unit) > rules.MAX_UNIT:
        problems.append(RowProblem(number, "unit", f"must be at most {rules.MAX_UNIT} characters"))
    if price_problem := unreadable or rules.price_problem(price):
        problems.append(RowProblem(number, "target price", price_problem))
    if problems or quantity is None:
        return problems
    return SheetLine(row=number, article=article, quantity=quantity, unit=unit or "pcs", target_price=price)


def read_rows(rows: Rows, *, strict_width: bool = False, locale: str | None = None) -> SheetLines:
    """Numbered rows as lines and the problems of the others; a header first row and blank rows are skipped."""
    lines: list[SheetLine] = []
    problems: list[RowProblem] = []
    first = True
    for number, values in rows:
        if not any(value.strip() for value in values):
            continue
        if first:
            first = False
            if is_header(values):
                continue
        read = read_row(number, values, strict_width=strict_width, locale=locale)
        if isinstance(read, SheetLine):
            lines.append(read)
        else:
            problems.extend(read)
        if len(lines) + len({problem.row for problem in problems}) > rules.MAX_LINES:
            raise SheetError(f"More than {rules.MAX_LINES} lines: an RFQ has at most {rules.MAX_LINES}.")
    if not lines and not problems:
        raise SheetError("No lines found: give one line a row (article, quantity, unit, target price).")
    return SheetLines(tuple(lines), tuple(problems))


def text_lines(text: str, locale: str | None = None) -> SheetLines:
    """Pasted rows (tab-separated as copied from a spreadsheet, or with commas or semicolons); prices as the
    spreadsheet of a reader of `locale` shows them, or dot-decimal."""
    if len(text) > MAX_TEXT_CHARS:
        raise SheetError(f"The pasted text is longer than {MAX_TEXT_CHARS:,} characters: an RFQ has at most "
                         f"{rules.MAX_LINES} lines.")
    return text_table(text, len(COLUMNS) + 1, lambda rows: read_rows(rows, strict_width=True, locale=locale))


def sheet_limits() -> TableLimits:
    """The feed imports' workbook guard, with the size of an RFQ's lines."""
    return table_limits(MAX_UNPACKED_BYTES, MAX_SHEET_ROWS)


def file_lines(filename: str, content: bytes, locale: str | None = None) -> SheetLines:
    """An uploaded CSV or XLSX: its first four columns, any further one ignored; a price written as text read as
    a reader of `locale` writes amounts (a CSV's are all text), a workbook's number cell as the number it is."""
    if len(content) > MAX_FILE_BYTES:
        raise SheetError(f"The file is larger than {MAX_FILE_BYTES // MB} MB: an RFQ's {rules.MAX_LINES} lines fit "
                         "in far less; keep only the sheet of lines.")
    if not content:
        raise SheetError("The file is empty: give one line a row (article, quantity, unit, target price).")
    return file_table(filename, content, len(COLUMNS), lambda rows: read_rows(rows, locale=locale), sheet_limits())


def match_articles(
    articles: Iterable[str], offers: Iterable[tuple[str, str, int, str]]
) -> dict[str, tuple[int, str] | str]:
    """Which catalog product each article names among the visible `offers` (sku, gtin, product id, product name):
    an offer's SKU first, else a product's GTIN, else its name in any case, as (product id, name); a problem when
    the first of these that matches names several products. An article that matches nothing is left out (a
    free-text line)."""
    by_sku: dict[str, dict[int, str]] = {}
    by_gtin: dict[str, dict[int, str]] = {}
    by_name: dict[str, dict[int, str]] = {}
    for sku, gtin, product_id, name in offers:
        by_sku.setdefault(sku, {})[product_id] = name
        if gtin:
            by_gtin.setdefault(gtin, {})[product_id] = name
        by_name.setdefault(name.casefold(), {})[product_id] = name
    matches: dict[str, tuple[int, str] | str] = {}
    for article in articles:
        found = by_sku.get(article) or by_gtin.get(article) or by_name.get(article.casefold()) or {}
        if len(found) == 1:
            matches[article] = next(iter(found.items()))
        elif found:
            matches[article] = (f"names {len(found)} different catalog products: give the GTIN, or describe the "
                                "item")
    return matches


# --- the template ------------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The workbook to fill in: its first sheet holds the columns' names (a header the upload skips), a second
    sheet says what each column holds."""
    book = Workbook()
    sheet = book.sheet("RFQ lines")
    sheet.append(COLUMNS, bold=True)
    help_sheet = book.sheet("How to fill in")
    for column, said in zip(COLUMNS, COLUMN_HELP, strict=True):
        help_sheet.append([column, said])
    help_sheet.append([])
    help_sheet.append(["One line a row in the first sheet, under its header; upload it on the RFQ's page."])
    return book.to_bytes()


def template_csv() -> bytes:
    """The same columns as CSV (UTF-8 with the byte order mark, so spreadsheets read it as UTF-8)."""
    return csv_file([COLUMNS])
