"""An import's rejected rows on its page are a grid: sort by row, column or reason, search, the column filter,
paging in SQL, export of the selection; another vendor's import answers as a missing one, page and file alike."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.vendors.tables import FeedImportError
from tests.support.fixtures import make_company, make_user
from tests.support.pages import main_of
from tests.support.vendors import an_import


@pytest.fixture
async def report(world):
    job = await an_import(world.vendor.id, "feed.csv", rejected=130)
    for number in range(130):
        column, reason = (("base_price", f"'{number}x' is not a price") if number % 2
                          else ("title", "title is required"))
        await FeedImportError(feed_import=job, row_number=number + 2, column=column, reason=reason).save()
    await FeedImportError(feed_import=job, row_number=500, column="=cmd", reason="@SUM(1)").save()
    return job


async def test_the_rejected_rows_sort_search_filter_and_page(world, browser, report):
    session = await browser(world.vendor_admin)
    first = main_of((await session.get(f"/vendor/imports/{report}")).text)
    assert "1\u2013100 of 131" in first and "<td>2</td><td>title</td>" in first and "<td>102</td>" not in first
    second = await session.get(f"/vendor/imports/{report}?page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == f"/vendor/imports/{report}?page=2"
    assert "<td>102</td>" in second.text and "<td>500</td>" in second.text
    last_first = main_of((await session.get(f"/vendor/imports/{report}?sort=-row")).text)
    assert last_first.index("<td>500</td>") < last_first.index("<td>131</td>")
    prices = main_of((await session.get(f"/vendor/imports/{report}?column=base_price")).text)
    assert "1\u201365 of 65" in prices and "<td>title</td>" not in prices
    searched = main_of((await session.get(f"/vendor/imports/{report}?q=77x")).text)
    assert "1\u20131 of 1" in searched and "<td>79</td>" in searched


async def test_the_export_is_the_selection_neutralized(world, browser, report):
    session = await browser(world.vendor_admin)
    xlsx = await session.get(f"/vendor/imports/{report}/export.xlsx?sort=-row")
    assert xlsx.status_code == 200
    assert f'filename="import-{report}-rejected.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Rejected rows"].iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "What to fix") and len(rows) == 132
    assert rows[1] == (500, "'=cmd", "'@SUM(1)")
    text = (await session.get(f"/vendor/imports/{report}/export.csv?column=title&q=required")).content.decode(
        "utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 66


async def test_another_vendors_import_answers_as_a_missing_one(world, browser, report):
    rival = await make_company("vendor", name="Rival")
    session = await browser(await make_user(rival.id, "vendor_admin"))
    for path in (f"/vendor/imports/{report}", f"/vendor/imports/{report}/export.csv"):
        stolen, missing = await session.get(path), await session.get(path.replace(str(report), str(report + 999)))
        assert stolen.status_code == missing.status_code == 404
        assert stolen.text == missing.text.replace(str(report + 999), str(report))


@pytest.mark.parametrize("query", ["sort=feed_import", "page=0", "page=x", "column=" + "c" * 101, "q=" + "q" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, report, query):
    session = await browser(world.vendor_admin)
    for path in (f"/vendor/imports/{report}", f"/vendor/imports/{report}/export.csv"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
