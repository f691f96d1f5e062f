"""The requisition lists page is a grid: the caller's own lists and its company's shared ones, sorted by any column
(the number of lines and the keeper's name too), searched, filtered, paged in SQL and exported; a colleague's private
list and another company's never appear, in the page or the file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.support.catalog import a_listing, a_product
from tests.support.pages import main_of

API = "/api/v1/requisition-lists"


async def a_list(client, name: str, *, shared: bool = False, products=()) -> int:  # type: ignore[no-untyped-def]
    lines = [{"product_id": product, "quantity": 1} for product in products]
    made = await client.post(API, json={"name": name, "shared": shared, "lines": lines})
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.fixture
async def lists(world, api):
    """The purchaser's "Ward 3" (private, two lines) and "Theatre" (shared, one line); the buyer admin's shared
    "Admin stock" (three lines) and private "Admin secret"; another company's shared "Rival ward"."""
    products = [await a_product(f"Product {n}") for n in range(3)]
    for number, product in enumerate(products):
        await a_listing(world.vendor.id, product, f"SKU-{number}", "10.00", stock=100)
    purchaser, admin = await api(world.purchaser), await api(world.buyer_admin)
    await a_list(purchaser, "Ward 3", products=products[:2])
    await a_list(purchaser, "Theatre", shared=True, products=products[:1])
    await a_list(admin, "Admin stock", shared=True, products=products)
    await a_list(admin, "Admin secret")
    await a_list(await api(world.other_buyer_admin), "Rival ward", shared=True)


def order_of(html: str, *names: str) -> list[int]:
    return [main_of(html).index(f">{name}</a>") for name in names]


async def test_the_grid_sorts_by_every_column_it_shows(world, browser, lists):
    session = await browser(world.purchaser)
    by_name = (await session.get("/requisition-lists")).text
    assert order_of(by_name, "Admin stock", "Theatre", "Ward 3") == sorted(order_of(by_name, "Admin stock",
                                                                                     "Theatre", "Ward 3"))
    for hidden in ("Admin secret", "Rival ward"):
        assert hidden not in by_name
    most_lines = order_of((await session.get("/requisition-lists?sort=-lines")).text, "Admin stock", "Ward 3",
                          "Theatre")
    assert most_lines == sorted(most_lines)
    by_keeper = order_of((await session.get("/requisition-lists?sort=owner")).text, "Admin stock", "Ward 3")
    assert by_keeper == sorted(by_keeper)  # "Buyer Admin" before "Purchaser"
    shared_first = order_of((await session.get("/requisition-lists?sort=-shared")).text, "Theatre", "Ward 3")
    assert shared_first == sorted(shared_first)
    assert (await session.get("/requisition-lists?sort=-updated")).status_code == 200


async def test_search_and_filters(world, browser, lists):
    session = await browser(world.purchaser)
    searched = main_of((await session.get("/requisition-lists?q=WARD")).text)
    assert "Ward 3" in searched and "Theatre" not in searched and "Rival ward" not in searched
    mine = main_of((await session.get("/requisition-lists?kept=mine")).text)
    assert "Ward 3" in mine and "Theatre" in mine and "Admin stock" not in mine
    colleagues = main_of((await session.get("/requisition-lists?kept=colleagues")).text)
    assert "Admin stock" in colleagues and "Ward 3" not in colleagues and "Admin secret" not in colleagues
    private = main_of((await session.get("/requisition-lists?shared=private")).text)
    assert "Ward 3" in private and "Theatre" not in private and "Admin secret" not in private


async def test_the_grid_pages_in_sql(world, api, browser):
    purchaser = await api(world.purchaser)
    for number in range(27):
        await a_list(purchaser, f"List {number:02d}")
    session = await browser(world.purchaser)
    first = main_of((await session.get("/requisition-lists")).text)
    assert "1\u201325 of 27" in first and "List 24" in first and "List 25" not in first
    second = await session.get("/requisition-lists?page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == "/requisition-lists?page=2"
    assert "List 25" in second.text and "List 26" in second.text and "List 24</a>" not in second.text


async def test_the_export_is_the_callers_selection_neutralized(world, api, browser, lists):
    await a_list(await api(world.purchaser), "=SUM(A1:A9)")
    session = await browser(world.purchaser)
    xlsx = await session.get("/requisition-lists/export.xlsx?sort=-lines")
    assert xlsx.status_code == 200 and 'filename="requisition-lists.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("List", "Shared", "Kept by", "Lines", "Created (UTC)", "Updated (UTC)")
    assert [row[:4] for row in rows[1:4]] == [("Admin stock", "shared", "Buyer Admin", 3),
                                              ("Ward 3", "private", "You", 2), ("Theatre", "shared", "You", 1)]
    assert {row[0] for row in rows[1:]} == {"Admin stock", "Ward 3", "Theatre", "'=SUM(A1:A9)"}
    text = (await session.get("/requisition-lists/export.csv?q=ward")).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["List", "Ward 3"]
    # the other company's buyer exports only its own
    rival = (await (await browser(world.other_buyer_admin)).get("/requisition-lists/export.csv")).text
    assert "Rival ward" in rival and "Ward 3" not in rival and "Admin stock" not in rival


@pytest.mark.parametrize("query", ["sort=company", "sort=owner_id", "page=0", "page=x", "kept=all", "shared=yes",
                                   "q=" + "z" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.purchaser)
    for path in ("/requisition-lists", "/requisition-lists/export.csv"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
