"""The budgets at /spending are the one grid: sorted, searched and filtered in SQL, paged, the view in the URL, the
selection exported; another company's budgets are never in it."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from app.clock import utcnow
from app.money import to_minor
from app.spending.tables import Budget, CostCenter
from tests.support.pages import main_of


async def a_budget(company: int, code: str, name: str, period: str, starts_on: date, amount: str,
                   hard: bool = True) -> None:
    center = await CostCenter.select(CostCenter.id).where(
        (CostCenter.company == company) & (CostCenter.code == code)).first()
    if center is None:
        made = CostCenter(company=company, code=code, name=name, created_at=utcnow())
        await made.save()
        center = {"id": made.id}
    await Budget(cost_center=center["id"], period=period, starts_on=starts_on, currency="EUR",
                 amount=to_minor(Decimal(amount)), hard=hard, created_at=utcnow(), updated_at=utcnow()).save()


def table_of(html: str) -> str:
    return main_of(html).split('id="grid"', 1)[1].split("</table>", 1)[0]


async def test_the_budgets_sort_filter_search_page_and_export(world, browser):
    # given three budgets of the buyer (two cost centers) and one of another buyer company
    await a_budget(world.buyer.id, "CC-WARD", "Ward supplies", "month", date(2027, 1, 1), "500")
    await a_budget(world.buyer.id, "CC-WARD", "Ward supplies", "quarter", date(2027, 4, 1), "1500", hard=False)
    await a_budget(world.buyer.id, "CC-LAB", "Laboratory", "year", date(2026, 1, 1), "9000")
    await a_budget(world.other_buyer.id, "CC-SECRET", "Other company", "year", date(2027, 1, 1), "1")
    admin = await browser(world.buyer_admin)
    # newest period first by default; the other company's budget is not there
    page = table_of((await admin.get("/spending")).text)
    assert page.index("2027") < page.index("2026") and "CC-SECRET" not in page
    # sorted by budget, largest first
    largest = table_of((await admin.get("/spending?sort=-amount")).text)
    assert largest.index("CC-LAB") < largest.index("CC-WARD")
    # searched by the cost center's name, filtered by kind and by period
    assert "CC-WARD" not in table_of((await admin.get("/spending?q=labor")).text)
    soft = table_of((await admin.get("/spending?kind=soft")).text)
    assert "quarter" in soft and "CC-LAB" not in soft
    assert "CC-WARD" not in table_of((await admin.get("/spending?period=year")).text)
    assert "CC-LAB" not in table_of((await admin.get("/spending?from=2027-01-01")).text)
    # the export is the selection: CSV and XLSX
    rows = list(csv.reader(io.StringIO((await admin.get("/spending/export.csv?q=ward")).content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Cost center", "Period", "From"] and sorted(row[1] for row in rows[1:]) == ["month",
                                                                                                     "quarter"]
    book = openpyxl.load_workbook(io.BytesIO((await admin.get("/spending/export.xlsx?period=year")).content))
    assert [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["CC-LAB"]
    assert (await admin.get("/spending/budgets/export.xlsx")).status_code == 200
    # what the grid cannot read is a 400, never a 500
    assert (await admin.get("/spending?sort=spent")).status_code == 400
    assert (await admin.get("/spending?from=someday")).status_code == 400
