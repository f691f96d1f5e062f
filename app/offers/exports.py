"""The comparison as a spreadsheet: CSV and XLSX from the same rows, through app/spreadsheets.py; no I/O."""

from __future__ import annotations

from typing import Any

from app.offers.schemas import ComparisonOut
from app.spreadsheets import Cell, Workbook, csv_file

BEST_FILL = "C6EFCE"
_FIRST_VENDOR_COLUMN = 7  # counted from 1, after the line's six columns
_VENDOR_COLUMNS = 4  # unit price, quantity, extended, best


def comparison_table(data: ComparisonOut) -> list[list[Cell]]:
    """One row per RFQ line, then totals; per vendor: unit price, quantity, extended price, best."""
    header: list[Cell] = ["Line", "Description", "Quantity", "Unit", "Target unit price", "Best unit price"]
    for vendor in data.vendors:
        name = vendor.vendor_name
        header += [f"{name}: unit price", f"{name}: quantity", f"{name}: extended", f"{name}: best"]
    table = [header]
    for row in data.rows:
        values: list[Cell] = [row.position, row.description, row.quantity, row.unit, row.target_price,
                             row.best_unit_price]
        for cell in row.cells:
            if cell is None:
                values += [None, None, None, ""]
            else:
                values += [cell.unit_price, cell.quantity, cell.extended_price, "best" if cell.best else ""]
        table.append(values)
    summaries: list[tuple[str, Any]] = [
        ("Total", lambda v: v.total),
        ("Coverage (lines offered)", lambda v: f"{v.lines_offered}/{v.line_count}"),
        ("Lead time (days)", lambda v: v.lead_time_days),
        ("Savings against target", lambda v: v.savings),
        ("Payment terms (days)", lambda v: v.payment_terms_days),
        # Prices above are in the RFQ's currency; an offer in another was converted at this rate.
        ("Offered in", lambda v: v.currency),
        ("Exchange rate used", lambda v: v.rate or ""),
    ]
    for label, pick in summaries:
        values = [label, "", "", "", None, None]
        for vendor in data.vendors:
            values += [None, None, pick(vendor), ""]
        table.append(values)
    return table


def _title_row(data: ComparisonOut) -> list[Cell]:
    return [f"{data.rfq_number}: {data.title}" if data.rfq_number else data.title, f"currency {data.currency}"]


def comparison_csv(data: ComparisonOut) -> bytes:
    return csv_file([_title_row(data), *comparison_table(data)])


def comparison_xlsx(data: ComparisonOut) -> bytes:
    workbook = Workbook()
    sheet = workbook.sheet("Comparison")
    sheet.append(_title_row(data))
    for number, values in enumerate(comparison_table(data)):
        row = sheet.append(values, bold=number == 0)
        if number == 0:
            continue
        for first in range(_FIRST_VENDOR_COLUMN, len(values) + 1, _VENDOR_COLUMNS):
            if values[first + 2] == "best":  # the "best" marker lights up the vendor's price, quantity and extended
                for column in range(first, first + 3):
                    sheet.emphasize(row, column, fill=BEST_FILL)
    return workbook.to_bytes()
