"""Requisition lists as Excel workbooks: the export, and an import that adds a workbook's rows to a list.

Spreadsheets: the export goes through the one writer (`app/spreadsheets.py`). An import reads the first sheet
(columns article, quantity, note, and vendor to tell apart two vendors' equal SKUs; other columns are ignored, so an
export imports back) in a worker thread, after the feed imports' zip-bomb check, and is all or nothing: a row whose
article names nothing the buyer may order, or whose quantity or note is wrong, is a 400 listing every row to fix,
and nothing is added. A buyer fixes the file and uploads it again, without a half-imported list counting twice.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl

from app import db
from app.auth import Principal
from app.catalog.buyer_offers import OFFER_FROM, buyer_context, placeholders
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.errors import DomainError, InvalidInput
from app.orders.requisition_lists import Entry, get_list, list_head, list_lines, merged, write_entries
from app.orders.requisition_schemas import MAX_LINES, MAX_NOTE, RequisitionLineOut, RequisitionListOut
from app.orders.schemas import MAX_QUANTITY
from app.settings import get_settings
from app.spreadsheets import FORMULA_STARTS, Workbook, cell_text
from app.vendors.feed import MB, FeedError, FeedLimits, check_workbook

MAX_IMPORT_BYTES = 2 * MB  # a list of 500 lines is some 30 KB as a workbook
MAX_ARTICLE = 100
MAX_HEADER_COLUMNS = 50
ROWS_SHOWN = 10  # rows to fix named in the 400's detail; `extra` lists them all
SHEET_TITLE = "Requisition list"
EXPORT_HEADER = ("article", "quantity", "note", "product", "vendor", "unit", "available")
NOT_FOUND_ARTICLE = "no product or offer you can order has this article"


def _article(line: RequisitionLineOut) -> str:
    """What names the line in a file: the listing's SKU, else the product's GTIN, else its MPN."""
    if not line.available:
        return ""
    if line.listing_id is not None:
        return line.sku
    return line.gtin or line.mpn


def sheet_row(line: RequisitionLineOut) -> list[Any]:
    """A line as a row of the list's files (the workbook that imports back, the page's CSV)."""
    return [_article(line), line.quantity, line.note, line.name, line.vendor, line.unit,
            "yes" if line.available else "no: no longer available to your company"]


async def export_xlsx(principal: Principal, list_id: int,
                      lines: Sequence[RequisitionLineOut] | None = None) -> bytes:
    """The list (or the page's selection of its `lines`) as a workbook whose first sheet imports back (an
    unavailable line has no article to import)."""
    await list_head(principal, list_id)
    if lines is None:
        lines = await list_lines(principal, list_id)
    book = Workbook()
    sheet = book.sheet(SHEET_TITLE)
    sheet.append(EXPORT_HEADER, bold=True)
    for line in lines:
        sheet.append(sheet_row(line))
    return await asyncio.to_thread(book.to_bytes)


@dataclass(slots=True)
class SheetRow:
    """A data row of an imported sheet: its number as the spreadsheet shows it, its cells, what is wrong with it."""

    number: int
    article: str
    quantity: int | None
    note: str
    vendor: str
    problems: list[str] = field(default_factory=list)


class ListFileError(ValueError):
    """The file as a whole cannot be read as a list; the message says what to fix."""


def import_limits() -> FeedLimits:
    """The feed imports' bounds of what a workbook may unpack to, tightened for a list of at most MAX_LINES."""
    limits = FeedLimits.of(get_settings())
    return replace(limits, max_unpacked_bytes=min(limits.max_unpacked_bytes, 32 * MB),
                   max_entry_bytes=min(limits.max_entry_bytes, 16 * MB), max_rows=MAX_LINES)


def _text(value: Any) -> str:
    """A cell as text, a text our export neutralized (`'=…`) as it was."""
    text = cell_text(value)
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _quantity(value: Any) -> int | None:
    """A whole number of units from 1 to MAX_QUANTITY, written as a number or as digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = int(value) if math.isfinite(value) and value.is_integer() else None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 9:
        number = int(value.strip())
    else:
        number = None
    return number if number is not None and 1 <= number <= MAX_QUANTITY else None


def read_sheet(content: bytes, limits: FeedLimits) -> list[SheetRow]:
    """The non-blank rows of the workbook's first sheet under its header (article and quantity; note and vendor if
    given; any other column ignored), each with what is wrong with it. `ListFileError` when the file cannot be a
    list. Bounded work whatever the file: the feed imports' check of the workbook's zip runs before openpyxl opens
    it, rows are streamed, and reading stops past MAX_LINES rows. Blocking: call it in a worker thread."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.xlsx"
        path.write_bytes(content)
        try:
            check_workbook(path, limits)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
            try:
                return _rows_of(book)
            finally:
                book.close()
        except ListFileError:
            raise
        except FeedError as exc:
            raise ListFileError(str(exc)) from None
        except Exception as exc:  # whatever a hostile workbook makes zipfile or openpyxl raise: it is unreadable
            raise ListFileError(f"the file is not a readable Excel .xlsx workbook ({type(exc).__name__})") from None


def _rows_of(book: Any) -> list[SheetRow]:
    if not book.worksheets:
        raise ListFileError("the workbook has no sheet: the first sheet must hold the list")
    sheet = book.worksheets[0]
    header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), None)
    names = [_text(value).lower() for value in header or ()]
    columns = {name: names.index(name) for name in ("article", "quantity", "note", "vendor") if name in names}
    if "article" not in columns or "quantity" not in columns:
        raise ListFileError("the first row must name the columns: article (a SKU, GTIN or MPN) and quantity, and "
                            "optionally note")
    width = max(columns.values()) + 1
    found = []
    for number, raw in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in raw):
            continue
        if len(found) == MAX_LINES:
            raise ListFileError(f"the sheet has more than {MAX_LINES} rows: a requisition list holds at most "
                                f"{MAX_LINES} lines")
        cell = {name: raw[index] if index < len(raw) else None for name, index in columns.items()}
        row = SheetRow(number, _text(cell["article"]), _quantity(cell["quantity"]), _text(cell.get("note")),
                       _text(cell.get("vendor")))
        if not row.article:
            row.problems.append("article is empty: give the SKU, GTIN or MPN")
        elif len(row.article) > MAX_ARTICLE:
            row.problems.append(f"article must be at most {MAX_ARTICLE} characters long")
        if row.quantity is None:
            row.problems.append(f"quantity must be a whole number from 1 to {MAX_QUANTITY}")
        if len(row.note) > MAX_NOTE:
            row.problems.append(f"note must be at most {MAX_NOTE} characters long")
        found.append(row)
    if not found:
        raise ListFileError("the sheet has no row under its header: one row per product, with article and quantity")
    return found


async def _resolve(principal: Principal, rows: Sequence[SheetRow]) -> list[Entry]:
    """Each row's article as what the buyer may order: a visible listing by its SKU (narrowed by the row's vendor
    when two vendors use it), else a visible product by its GTIN, else by its MPN. A row naming nothing visible, or
    several different products, gets a problem; unknown and hidden articles get the same one."""
    articles = sorted({row.article for row in rows if row.article and not row.problems})
    if not articles:
        return []
    visible, args = visible_offer_sql(buyer_context(principal).buyer.segment_id)
    marks = placeholders(articles)  # type: ignore[arg-type]
    offers = await Listing.raw(
        f"SELECT l.id AS id, l.sku AS sku, l.product AS product_id, v.name AS vendor_name {OFFER_FROM}"
        f" WHERE l.sku IN ({marks}) AND {visible}",
        *articles, *args,
    )
    products = await Listing.raw(
        f"SELECT DISTINCT p.id AS id, p.gtin AS gtin, p.mpn AS mpn {OFFER_FROM}"
        f" WHERE (p.gtin IN ({marks}) OR p.mpn IN ({marks})) AND {visible}",
        *articles, *articles, *args,
    )
    by_sku: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for offer in offers:
        by_sku[offer["sku"]].append(offer)
    by_gtin: dict[str, set[int]] = defaultdict(set)
    by_mpn: dict[str, set[int]] = defaultdict(set)
    for product in products:
        by_gtin[product["gtin"]].add(product["id"])
        by_mpn[product["mpn"]].add(product["id"])
    entries = []
    for row in rows:
        if row.problems:
            continue
        assert row.quantity is not None
        matches = by_sku.get(row.article, [])
        vendor = [offer for offer in matches if row.vendor and offer["vendor_name"].casefold() == row.vendor.casefold()]
        matches = vendor or matches
        if len(matches) == 1:
            entries.append(Entry(matches[0]["product_id"], matches[0]["id"], row.quantity, row.note))
            continue
        found = ({offer["product_id"] for offer in matches} or by_gtin.get(row.article)
                 or by_mpn.get(row.article) or set())
        if len(found) == 1:
            entries.append(Entry(next(iter(found)), None, row.quantity, row.note))
        elif found:
            row.problems.append(f"the article names {len(found)} different products: give the vendor's SKU and "
                                "its vendor, or the GTIN")
        else:
            row.problems.append(NOT_FOUND_ARTICLE)
    return entries


def _rows_to_fix(rows: Sequence[SheetRow]) -> DomainError | None:
    wrong = [row for row in rows if row.problems]
    if not wrong:
        return None
    said = "; ".join(f"row {row.number}: {', '.join(row.problems)}" for row in wrong[:ROWS_SHOWN])
    more = f"; and {len(wrong) - ROWS_SHOWN} more rows" if len(wrong) > ROWS_SHOWN else ""
    return InvalidInput(
        f"{len(wrong)} row{'' if len(wrong) == 1 else 's'} to fix, nothing was added: {said}{more}.",
        extra=[{"row": row.number, "article": row.article, "message": ", ".join(row.problems)} for row in wrong],
    )


async def import_xlsx(principal: Principal, list_id: int, filename: str, content: bytes) -> RequisitionListOut:
    """Add the rows of a workbook to the list, all or nothing: a row to fix is a 400 naming every such row."""
    await list_head(principal, list_id, change=True)  # 404 or 403 before the file is looked at
    name = Path(filename or "file").name[:100]
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"{name}: the file is larger than {MAX_IMPORT_BYTES // MB} MB; a list of "
                           f"{MAX_LINES} lines is far smaller")
    if not content.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{name}: the file is not an Excel .xlsx workbook; save the sheet as .xlsx")
    try:
        rows = await asyncio.to_thread(read_sheet, content, import_limits())
    except ListFileError as exc:
        raise InvalidInput(f"{name}: {exc}") from None
    entries = merged(await _resolve(principal, rows))
    problem = _rows_to_fix(rows)
    if problem is not None:
        raise problem
    async with db.transaction():
        await list_head(principal, list_id, change=True, lock=True)
        await write_entries(list_id, entries)
    return await get_list(principal, list_id)
