"""One requisition list's lines are a grid: sorted, searched (never by the text of a product the buyer may no longer
see), filtered by whether they can be ordered, paged in SQL and exported as selected; another's list is a 404."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.catalog.tables import Listing
from tests.support.catalog import a_listing, a_product
from tests.support.pages import main_of

API = "/api/v1/requisition-lists"


@pytest.fixture
async def ward(world, api):
    """The purchaser's list of three lines: Apron (2), Bandage (30, note "urgent"), Catheter (5), whose only offer is
    then suspended: the buyer may no longer order nor see it."""
    products = {name: await a_product(name) for name in ("Apron", "Bandage", "Catheter")}
    for number, product in enumerate(products.values()):
        await a_listing(world.vendor.id, product, f"W-{number}", "10.00", stock=100)
    lines = [{"product_id": products["Apron"], "quantity": 2},
             {"product_id": products["Bandage"], "quantity": 30, "note": "urgent"},
             {"product_id": products["Catheter"], "quantity": 5}]
    made = await (await api(world.purchaser)).post(API, json={"name": "Ward 7", "lines": lines})
    assert made.status_code == 201, made.text
    await Listing.update({Listing.status: "suspended"}).where(Listing.sku == "W-2")
    return made.json()["id"]


def positions(html: str, *names: str) -> list[int]:
    return [main_of(html).index(name) for name in names]


async def test_a_lists_lines_sort_search_filter_and_export_as_selected(world, browser, ward):
    session = await browser(world.purchaser)
    path = f"/requisition-lists/{ward}"
    # sorted by quantity, largest first
    by_quantity = (await session.get(f"{path}?sort=-quantity")).text
    assert 'aria-sort="descending"' in by_quantity
    assert positions(by_quantity, ">Bandage<", ">Apron<") == sorted(positions(by_quantity, ">Bandage<", ">Apron<"))
    # by product name: the line no longer available shows no name and sorts last
    by_name = (await session.get(f"{path}?sort=product")).text
    assert "Catheter" not in by_name and "No longer available" in by_name
    assert positions(by_name, ">Apron<", ">Bandage<", "No longer available") == sorted(
        positions(by_name, ">Apron<", ">Bandage<", "No longer available"))
    # searched by the note, and never by the name of what the buyer may no longer see
    urgent = main_of((await session.get(f"{path}?q=urgent")).text)
    assert "Bandage" in urgent and "Apron" not in urgent and "1\u20131 of 1" in urgent
    assert "None found" in main_of((await session.get(f"{path}?q=cathet")).text)
    # filtered to what can no longer be ordered
    gone = main_of((await session.get(f"{path}?availability=unavailable")).text)
    assert "No longer available" in gone and "Apron" not in gone
    # the selection downloads as CSV and as the workbook that imports back, in the grid's order
    rows = list(csv.reader(io.StringIO((await session.get(f"{path}/export.csv?sort=-quantity&availability=available")
                                        ).content.decode("utf-8-sig"))))
    assert [(row[3], row[1]) for row in rows[1:]] == [("Bandage", "30"), ("Apron", "2")]
    book = openpyxl.load_workbook(io.BytesIO((await session.get(f"{path}/export.xlsx?q=urgent")).content))
    assert [row[3] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["Bandage"]
    # hostile parameters are a 400 that says what to send; another company's buyer gets the list's 404
    assert (await session.get(f"{path}?sort=visible")).status_code == 400
    assert (await session.get(f"{path}?availability=maybe")).status_code == 400
    stranger = await browser(world.other_buyer_admin)
    for url in (path, f"{path}/export.csv", f"{path}/export.xlsx"):
        assert (await stranger.get(url)).status_code == 404, url
