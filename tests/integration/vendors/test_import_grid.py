"""The vendor's imports page lists its feed imports as a grid: sort, search by file name, status filter, paging in
SQL, export of the selection; never another vendor's imports, in the page or the file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.support.fixtures import make_company, make_user
from tests.support.pages import main_of
from tests.support.vendors import an_import


async def test_a_vendor_sorts_searches_and_filters_its_own_imports(world, browser):
    # given three imports of the vendor's and one of a competitor's
    await an_import(world.vendor.id, "spring.csv", imported=30, minutes=1)
    await an_import(world.vendor.id, "summer.csv", imported=10, rejected=2, minutes=2)
    await an_import(world.vendor.id, "broken.xlsx", status="failed", minutes=3)
    rival = await make_company("vendor", name="Rival")
    await an_import(rival.id, "rival-secret.csv", imported=99, minutes=4)
    session = await browser(world.vendor_admin)
    # when it opens its imports: newest first, the rival's is absent
    page = main_of((await session.get("/vendor/imports/")).text)
    assert page.index("broken.xlsx") < page.index("summer.csv") < page.index("spring.csv")
    assert "rival-secret" not in page
    # sorted by rows imported, most first
    by_imported = main_of((await session.get("/vendor/imports/?sort=-imported")).text)
    assert by_imported.index("spring.csv") < by_imported.index("summer.csv") < by_imported.index("broken.xlsx")
    # searched by file name, and filtered by status
    searched = main_of((await session.get("/vendor/imports/?q=SUM")).text)
    assert "summer.csv" in searched and "spring.csv" not in searched
    failed = main_of((await session.get("/vendor/imports/?status=failed")).text)
    assert "broken.xlsx" in failed and "summer.csv" not in failed


async def test_the_imports_page_in_sql(world, browser):
    for number in range(23):
        await an_import(world.vendor.id, f"feed-{number:02d}.csv", minutes=number)
    session = await browser(world.vendor_admin)
    first = main_of((await session.get("/vendor/imports/")).text)
    assert "1\u201320 of 23" in first and "feed-22.csv" in first and "feed-02.csv" not in first
    second = await session.get("/vendor/imports/?page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == "/vendor/imports?page=2"
    assert "feed-02.csv" in second.text and "feed-03.csv" not in second.text


async def test_the_export_holds_the_vendors_own_imports_neutralized(world, browser):
    await an_import(world.vendor.id, "=cmd|'/c calc'!A1.csv", imported=3, minutes=1)
    await an_import(world.vendor.id, "plain.csv", imported=5, minutes=2)
    rival = await make_company("vendor", name="Rival")
    await an_import(rival.id, "rival-secret.csv", minutes=3)
    session = await browser(world.vendor_admin)
    xlsx = await session.get("/vendor/imports/export.xlsx?sort=imported")
    assert xlsx.status_code == 200 and 'filename="imports.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "File"
    assert [(row[0], row[7]) for row in rows[1:]] == [("'=cmd|'/c calc'!A1.csv", 3), ("plain.csv", 5)]
    text = (await session.get("/vendor/imports/export.csv?q=plain")).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["File", "plain.csv"]
    # a colleague of the rival sees only the rival's
    rival_session = await browser(await make_user(rival.id, "vendor_admin"))
    theirs = (await rival_session.get("/vendor/imports/export.csv")).content.decode("utf-8-sig")
    assert "rival-secret.csv" in theirs and "plain.csv" not in theirs


async def test_buyers_get_no_imports_grid(world, browser):
    session = await browser(world.buyer_admin)
    assert (await session.get("/vendor/imports/")).status_code == 403
    assert (await session.get("/vendor/imports/export.csv")).status_code == 403


@pytest.mark.parametrize("query", ["sort=stored_path", "sort=--file", "page=-1", "page=1.5", "status=deleted",
                                   "q=" + "y" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.vendor_admin)
    for path in ("/vendor/imports/", "/vendor/imports/export.xlsx"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
