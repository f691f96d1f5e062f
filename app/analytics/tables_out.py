"""The tables behind the charts, as rows of cells: shown on the pages and written as CSV and XLSX through the one
neutralizing writer (app/spreadsheets.py). No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from app.analytics.competitiveness import Month
from app.analytics.marketplace import Activity
from app.analytics.savings import Baseline
from app.analytics.services import Group
from app.analytics.spread import LineOffers, spread_of
from app.spreadsheets import Cell, Workbook, csv_file

BASELINE_COLUMNS = (
    (Baseline.TARGET, "Target value", "Saved against target"),
    (Baseline.LAST_CONTRACT, "Last contract value", "Saved against last contract"),
    (Baseline.MEDIAN_FIRST_OFFER, "Median first offer value", "Saved against median first offer"),
    (Baseline.FIRST_OFFER, "First offer value", "Negotiation gain"),
)


def savings_table(groups: Sequence[Group], first: str) -> list[list[Cell]]:
    """One row per group and currency: awarded, consumed, and each baseline with its saving and percentage."""
    header: list[Cell] = [first, "Currency", "Lines", "Awarded value", "Consumed by orders", "Consumed %"]
    for _, base, saved in BASELINE_COLUMNS:
        header += [base, saved, f"{saved} %"]
    table = [header]
    for group in groups:
        f = group.figures
        row: list[Cell] = [group.label, f.currency, f.lines, f.awarded, f.consumed, f.consumed_percent]
        for baseline, _, _ in BASELINE_COLUMNS:
            c = f.against(baseline)
            row += [c.baseline, c.saving, c.percent] if c.lines else [None, None, None]
        table.append(row)
    return table


def competitiveness_table(months: Sequence[Month]) -> list[list[Cell]]:
    table: list[list[Cell]] = [["Month", "Currency", "Lines quoted", "Lines where best", "Best %", "Offered value",
                                "Best offers' value", "Above the best %"]]
    table += [[m.month, m.currency, m.lines, m.best_lines, m.best_percent, m.offered, m.best, m.premium_percent]
              for m in months]
    return table


def spread_table(lines: Sequence[LineOffers]) -> list[list[Cell]]:
    table: list[list[Cell]] = [["Line", "Description", "Quantity", "Offers", "Lowest", "Median", "Highest",
                                "Spread %", "Target unit price", "Awarded unit price"]]
    for line in lines:
        s = spread_of(line.prices)
        table.append([line.position, line.description, line.quantity, len(line.prices), s.lowest, s.median,
                      s.highest, s.percent, line.target_price, line.awarded_price])
    return table


def activity_table(activity: Activity) -> list[list[Cell]]:
    return [
        ["Figure", "Value"],
        ["RFQs published", activity.rfqs_published],
        ["RFQs awarded", activity.rfqs_awarded],
        ["Invitations", activity.invitations],
        ["Invitations answered with an offer", activity.invitations_answered],
        ["Response rate %", activity.response_percent],
        ["Active vendors (made an offer)", activity.active_vendors],
        ["Active buyers (published an RFQ)", activity.active_buyers],
    ]


def as_csv(title: str, table: list[list[Cell]]) -> bytes:
    return csv_file([[title], *table])


def as_xlsx(title: str, table: list[list[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.sheet(title[:31])
    for number, row in enumerate(table):
        sheet.append(row, bold=number == 0)
    return workbook.to_bytes()
