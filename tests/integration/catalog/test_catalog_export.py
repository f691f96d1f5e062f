"""The catalog page sorts by name and price, pages in SQL, and downloads its whole selection as CSV or Excel: the
buyer's own prices (the one resolver: a segment's price list shows), never a product its segment hides."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.support.catalog import a_category, a_listing, a_price_list, a_product, a_segment
from tests.support.pages import main_of


@pytest.fixture
async def shop(world):
    """Three products the buyer sees (one at a segment price), one its segment hides, one with a hostile name."""
    office, medical = await a_category("Office"), await a_category("Medical")
    ids = {
        "paper": await a_product("Copy paper", brand="Navigator", category=office),
        "pens": await a_product("ballpoint pens", brand="Bic", category=office),
        "stapler": await a_product("Stapler", brand="Rapid", category=office),
        "scalpel": await a_product("Scalpel blades", brand="Swann", category=medical),
        "evil": await a_product("=HYPERLINK(\"http://x\")", brand="Evil", category=office),
    }
    paper = await a_listing(world.vendor.id, ids["paper"], "PAPER-1", "4.00", stock=10)
    await a_listing(world.vendor.id, ids["pens"], "PENS-1", "2.50", stock=0)
    await a_listing(world.vendor.id, ids["stapler"], "STAP-1", "9.00")
    await a_listing(world.vendor.id, ids["scalpel"], "SCAL-1", "1.00")
    await a_listing(world.vendor.id, ids["evil"], "EVIL-1", "99.00")
    segment = await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "category", medical)])
    await a_price_list([(paper, 1, "3.10")], segment=segment, name="Schools paper")
    return ids


def names_in(html: str, *names: str) -> list[int]:
    return [main_of(html).index(f">{name}</a>") for name in names]


async def test_the_page_sorts_by_name_either_way_and_by_price(world, browser, shop):
    session = await browser(world.purchaser)
    page = (await session.get("/catalog", params={"sort": "name_asc"})).text
    assert names_in(page, "ballpoint pens", "Copy paper", "Stapler") == sorted(
        names_in(page, "ballpoint pens", "Copy paper", "Stapler"))
    assert "Scalpel" not in page
    descending = (await session.get("/catalog", params={"sort": "name_desc"})).text
    assert names_in(descending, "Stapler", "Copy paper", "ballpoint pens") == sorted(
        names_in(descending, "Stapler", "Copy paper", "ballpoint pens"))
    assert 'value="name_desc" selected' in descending
    cheapest = (await session.get("/catalog", params={"sort": "price_asc"})).text
    assert names_in(cheapest, "ballpoint pens", "Copy paper", "Stapler") == sorted(
        names_in(cheapest, "ballpoint pens", "Copy paper", "Stapler"))
    paged = await session.get("/catalog", params={"sort": "name_asc", "per_page": "2", "page": "2"})
    # "=HYPERLINK…" and "ballpoint pens" on the first page
    assert "Page 2 of 2" in paged.text and ">Stapler</a>" in paged.text and ">ballpoint pens</a>" not in paged.text


async def test_the_export_is_the_whole_selection_at_the_buyers_prices(world, browser, shop):
    session = await browser(world.purchaser)
    page = (await session.get("/catalog", params={"sort": "name_asc", "per_page": "2", "brand": ""})).text
    assert 'href="/catalog/export.xlsx?sort=name_asc"' in page
    xlsx = await session.get("/catalog/export.xlsx", params={"sort": "name_asc"})
    assert xlsx.status_code == 200 and 'filename="catalog.xlsx"' in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Catalog"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Product", "Brand", "MPN", "GTIN", "Your best price")
    # every page of the selection, the segment's price for the paper, the hidden product absent, the formula text
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "ballpoint pens", "Copy paper", "Stapler"]
    paper = next(row for row in rows if row[0] == "Copy paper")
    assert Decimal(str(paper[4])) == Decimal("3.10") and paper[5] == "EUR" and paper[7] == "PAPER-1"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # the CSV of a narrower search: in stock only
    text = (await session.get("/catalog/export.csv", params={"in_stock": "1", "sort": "name_asc"})).content.decode(
        "utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["Product", "'=HYPERLINK(\"http://x\")",
                                                                "Copy paper", "Stapler"]


async def test_another_buyer_exports_its_own_catalog(world, browser, shop):
    # the other buyer has no segment: it sees the scalpel, at the list price of the paper
    text = (await (await browser(world.other_buyer_admin)).get("/catalog/export.csv?q=paper scalpel")).text
    assert "Scalpel blades" not in text  # every word must match
    rows = list(csv.reader(io.StringIO((await (await browser(world.other_buyer_admin)).get(
        "/catalog/export.csv?sort=name_asc")).content.decode("utf-8-sig"))))
    assert "Scalpel blades" in [row[0] for row in rows]
    assert Decimal(next(row for row in rows if row[0] == "Copy paper")[4]) == Decimal("4.00")


async def test_vendors_get_no_catalog_export(world, browser):
    assert (await (await browser(world.vendor_admin)).get("/catalog/export.csv")).status_code == 403


@pytest.mark.parametrize("query", ["sort=popular", "sort=-name", "page=-1", "page=100001", "page=abc",
                                   "page=0", "page=%20%20", "per_page=0", "category=tools", "vendor=1.5",
                                   "min_price=cheap", "per_page=1000"])
async def test_hostile_parameters_are_a_clear_400(world, browser, shop, query):
    session = await browser(world.purchaser)
    page = await session.get(f"/catalog?{query}")
    assert page.status_code == 400, (query, page.status_code)
    assert '<p class="flash flash-error" role="alert">' in page.text
    if "per_page" not in query and "page=" not in query:
        assert (await session.get(f"/catalog/export.csv?{query}")).status_code == 400
