"""The operators' price lists page is a grid: sort by every column it shows (the number of prices too), search by
name, segment or company, filters, paging in SQL, export of the selection; only operators see it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.support.curation import a_listing
from tests.support.pages import main_of

API = "/api/v1/price-lists"


@pytest.fixture
async def price_lists(world, api):
    """"Schools" for segment Education (two prices), "Acme deal" for the buyer (one price, USD), "Empty" for
    segment Hospitals (none)."""
    client = await api(world.operator)
    education = (await client.post("/api/v1/segments", json={"name": "Education"})).json()["id"]
    hospitals = (await client.post("/api/v1/segments", json={"name": "Hospitals"})).json()["id"]
    paper = await a_listing(world.vendor.id, "P-1", "Paper", status="approved")
    pens = await a_listing(world.vendor.id, "P-2", "Pens", status="approved")
    dollars = await a_listing(world.vendor.id, "P-3", "Ink", status="approved", currency="USD")
    for body in (
        {"name": "Schools", "currency": "EUR", "segment_id": education,
         "entries": [{"listing_id": paper, "min_qty": 1, "unit_price": "4.20"},
                     {"listing_id": pens, "min_qty": 1, "unit_price": "1.10"}]},
        {"name": "Acme deal", "currency": "USD", "company_id": world.buyer.id,
         "entries": [{"listing_id": dollars, "min_qty": 1, "unit_price": "9.00"}]},
        {"name": "Empty", "currency": "EUR", "segment_id": hospitals},
    ):
        made = await client.post(API, json=body)
        assert made.status_code == 201, made.text
    return {"education": education, "hospitals": hospitals}


def positions(html: str, *names: str) -> list[int]:
    return [main_of(html).index(f">{name}</a>") for name in names]


async def test_an_operator_sorts_searches_and_filters_price_lists(world, browser, price_lists):
    session = await browser(world.operator)
    by_name = (await session.get("/operator/curation/price-lists")).text
    assert positions(by_name, "Acme deal", "Empty", "Schools") == sorted(positions(by_name, "Acme deal", "Empty",
                                                                                   "Schools"))
    most_prices = (await session.get("/operator/curation/price-lists?sort=-prices")).text
    assert positions(most_prices, "Schools", "Acme deal", "Empty") == sorted(
        positions(most_prices, "Schools", "Acme deal", "Empty"))
    by_currency = (await session.get("/operator/curation/price-lists?sort=-currency")).text
    assert positions(by_currency, "Acme deal", "Schools") == sorted(positions(by_currency, "Acme deal", "Schools"))
    for key in ("for", "valid", "created"):
        assert (await session.get(f"/operator/curation/price-lists?sort={key}")).status_code == 200
    # searched by the segment's name, filtered by whom it is for, segment and currency
    education = main_of((await session.get("/operator/curation/price-lists?q=educ")).text)
    assert "Schools" in education and "Empty" not in education
    companies = main_of((await session.get("/operator/curation/price-lists?for=company")).text)
    assert "Acme deal" in companies and "Schools" not in companies
    hospitals = main_of((await session.get(
        f"/operator/curation/price-lists?segment={price_lists['hospitals']}")).text)
    assert ">Empty</a>" in hospitals and "Schools" not in hospitals
    dollars = main_of((await session.get("/operator/curation/price-lists?currency=usd")).text)
    assert "Acme deal" in dollars and "Schools" not in dollars


async def test_the_export_is_the_selection_neutralized(world, api, browser, price_lists):
    await (await api(world.operator)).post(API, json={"name": "@evil", "currency": "EUR",
                                                      "segment_id": price_lists["education"]})
    session = await browser(world.operator)
    xlsx = await session.get("/operator/curation/price-lists/export.xlsx?sort=-prices&for=segment")
    assert xlsx.status_code == 200 and 'filename="price-lists.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Name", "For", "Segment or company", "Currency")
    assert (rows[1][0], rows[1][2], rows[1][6]) == ("Schools", "Education", 2)
    assert {row[0] for row in rows[1:]} == {"Schools", "Empty", "'@evil"}
    text = (await session.get("/operator/curation/price-lists/export.csv?q=acme")).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["Name", "Acme deal"]


async def test_the_grid_pages_in_sql(world, api, browser):
    client = await api(world.operator)
    segment = (await client.post("/api/v1/segments", json={"name": "All"})).json()["id"]
    for number in range(52):
        await client.post(API, json={"name": f"List {number:02d}", "currency": "EUR", "segment_id": segment})
    session = await browser(world.operator)
    first = main_of((await session.get("/operator/curation/price-lists")).text)
    assert "1\u201350 of 52" in first and "List 49" in first and "List 50" not in first
    second = await session.get("/operator/curation/price-lists?page=2", headers={"HX-Request": "true"})
    assert second.headers["HX-Push-Url"] == "/operator/curation/price-lists?page=2"
    assert "List 50" in second.text and "List 49<" not in second.text


async def test_only_operators_see_price_lists(world, browser):
    for user in (world.buyer_admin, world.vendor_admin):
        session = await browser(user)
        assert (await session.get("/operator/curation/price-lists")).status_code == 403
        assert (await session.get("/operator/curation/price-lists/export.csv")).status_code == 403


@pytest.mark.parametrize("query", ["sort=segment_id", "sort=-", "page=0", "page=two", "for=vendor", "segment=99999",
                                   "segment=x", "q=" + "v" * 101, "currency=" + "E" * 101])
async def test_hostile_grid_parameters_are_a_clear_400(world, browser, query):
    session = await browser(world.operator)
    for path in ("/operator/curation/price-lists", "/operator/curation/price-lists/export.xlsx"):
        response = await session.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)


async def test_a_price_lists_prices_are_a_grid_with_an_export(world, api, browser):
    client = await api(world.operator)
    segment = (await client.post("/api/v1/segments", json={"name": "Education"})).json()["id"]
    listings = [await a_listing(world.vendor.id, f"SKU-{n}", title, status="approved")
                for n, title in enumerate(["Paper", "=Pens", "Stapler"])]
    made = await client.post(API, json={"name": "Schools", "currency": "EUR", "segment_id": segment, "entries": [
        {"listing_id": listings[0], "min_qty": 1, "unit_price": "4.20"},
        {"listing_id": listings[0], "min_qty": 10, "unit_price": "3.90"},
        {"listing_id": listings[1], "min_qty": 1, "unit_price": "1.10"},
        {"listing_id": listings[2], "min_qty": 1, "unit_price": "9.00"}]})
    other = await client.post(API, json={"name": "Other", "currency": "EUR", "segment_id": segment, "entries": [
        {"listing_id": listings[2], "min_qty": 5, "unit_price": "0.01"}]})
    path = f"/operator/curation/price-lists/{made.json()['price_list']['id']}"
    session = await browser(world.operator)
    # the most expensive first; another price list's price is not among them
    page = main_of((await session.get(f"{path}?sort=-price")).text)
    assert page.index("SKU-2 ·") < page.index("SKU-0 ·") < page.index("SKU-1 ·")
    assert "1\u20134 of 4" in page
    searched = main_of((await session.get(f"{path}?q=stapler")).text)
    assert "SKU-2" in searched and "SKU-0" not in searched
    xlsx = await session.get(f"{path}/export.xlsx?sort=min_qty")
    assert xlsx.status_code == 200
    assert f'filename="price-list-{made.json()["price_list"]["id"]}.xlsx"' in xlsx.headers["content-disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Prices"].iter_rows(values_only=True))
    assert rows[0] == ("Listing #", "SKU", "Title", "Vendor", "From quantity", "Unit price", "Currency")
    assert [row[4] for row in rows[1:]] == [1, 1, 1, 10]
    assert "'=Pens" in [row[2] for row in rows[1:]]
    assert (await session.get(f"{path}?sort=listing")).status_code == 400
    missing = f"/operator/curation/price-lists/{other.json()['price_list']['id'] + 100}"
    assert (await session.get(f"{missing}/export.csv")).status_code == 404
