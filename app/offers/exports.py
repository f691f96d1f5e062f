"""The comparison as a spreadsheet: CSV and XLSX from the same rows, no I/O."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from app.offers.schemas import ComparisonOut


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def comparison_table(data: ComparisonOut) -> list[list[Any]]:
    """One row per RFQ line, then totals; per vendor: unit price, quantity, extended price, best."""
    header: list[Any] = ["Line", "Description", "Quantity", "Unit", "Target unit price", "Best unit price"]
    for vendor in data.vendors:
        name = vendor.vendor_name
        header += [f"{name}: unit price", f"{name}: quantity", f"{name}: extended", f"{name}: best"]
    table = [header]
    for row in data.rows:
        values: list[Any] = [row.position, row.description, row.quantity, row.unit, row.target_price,
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
    ]
    for label, pick in summaries:
        values = [label, "", "", "", None, None]
        for vendor in data.vendors:
            values += [None, None, pick(vendor), ""]
        table.append(values)
    return table


def comparison_csv(data: ComparisonOut) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"RFQ {data.rfq_id}: {data.title}", f"currency {data.currency}"])
    for values in comparison_table(data):
        writer.writerow(["" if v is None else (_text(v) if isinstance(v, Decimal) else v) for v in values])
    return out.getvalue().encode("utf-8-sig")


def comparison_xlsx(data: ComparisonOut) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparison"
    sheet.append([f"RFQ {data.rfq_id}: {data.title}", f"currency {data.currency}"])
    best_fill = PatternFill("solid", fgColor="C6EFCE")
    for number, values in enumerate(comparison_table(data)):
        # openpyxl writes Decimal as a number cell from its exact text: no float on the way.
        sheet.append(values)
        if number == 0:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        for index, cell in enumerate(row):
            if cell.value == "best":
                for neighbour in row[index - 3:index]:
                    neighbour.fill = best_fill
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
