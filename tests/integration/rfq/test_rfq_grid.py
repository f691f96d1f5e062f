"""The buyer's RFQ list as a grid: sorted, searched, filtered and paged in SQL, exported as selected, own RFQs only."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.support.pages import main_of
from tests.support.rfq import a_draft, a_published


def titles_in(html: str) -> list[str]:
    main = main_of(html)
    return [chunk.split("</a>", 1)[0].split(">", 1)[1] for chunk in main.split('<td><a href="/rfqs/')[1:]]


async def test_the_list_sorts_searches_filters_and_pages(world, api, browser):
    # given three RFQs of the buyer, one of them published, and one of another buyer
    buyer = await api(world.purchaser)
    for title in ("Copper cable", "Nitrile gloves", "Safety boots"):
        await a_draft(buyer, world, title=title)
    await a_published(buyer, world, title="Hand gel")
    await a_draft(await api(world.other_buyer_admin), world, title="Secret gloves")
    client = await browser(world.purchaser)
    # when the buyer sorts by title
    page = await client.get("/rfqs?sort=title")
    # then its four RFQs come in that order, and none of the other buyer's
    assert titles_in(page.text) == ["Copper cable", "Hand gel", "Nitrile gloves", "Safety boots"]
    assert 'aria-sort="ascending"' in page.text and 'href="/rfqs?sort=-title"' in page.text
    # when it searches, in any letter case, and filters
    assert titles_in((await client.get("/rfqs?q=GLOVES")).text) == ["Nitrile gloves"]
    assert titles_in((await client.get("/rfqs?status=published")).text) == ["Hand gel"]
    assert titles_in((await client.get("/rfqs?status=draft&sort=-title")).text) == [
        "Safety boots", "Nitrile gloves", "Copper cable"]
    # and a search that matches nothing says so
    assert "Nothing matches" in (await client.get("/rfqs?q=zebra")).text


async def test_pages_do_not_overlap_and_the_pager_keeps_the_state(world, api, browser):
    buyer = await api(world.purchaser)
    for number in range(23):
        await a_draft(buyer, world, title=f"Lot {number:02d}")
    client = await browser(world.purchaser)
    first = await client.get("/rfqs?sort=title&q=lot")
    assert "1\u201320 of 23" in first.text and 'href="/rfqs?sort=title&amp;q=lot&amp;page=2"' in first.text
    second = await client.get("/rfqs?sort=title&q=lot&page=2")
    assert titles_in(first.text) + titles_in(second.text) == [f"Lot {n:02d}" for n in range(23)]


async def test_the_export_is_the_selection_on_every_page_in_csv_and_excel(world, api, browser):
    buyer = await api(world.purchaser)
    for number in range(23):
        await a_draft(buyer, world, title=f"Lot {number:02d}")
    await a_draft(buyer, world, title="=HYPERLINK(\"http://x\") gloves")
    await a_draft(await api(world.other_buyer_admin), world, title="Lot 99 of another buyer")
    client = await browser(world.purchaser)
    page = await client.get("/rfqs?q=lot&sort=-title")
    assert 'href="/rfqs/export.csv?sort=-title&amp;q=lot"' in page.text
    # when the buyer downloads its selection
    response = await client.get("/rfqs/export.csv?sort=-title&q=lot")
    # then every matching RFQ is in it, across pages, in the page's order, and nothing of another buyer
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="rfqs.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Number", "Title", "Company", "Status"]
    assert [row[1] for row in rows[1:]] == [f"Lot {n:02d}" for n in reversed(range(23))]
    assert all(row[0].startswith("RFQ-") for row in rows[1:])
    # and the Excel file holds the same, its hostile title kept as text
    workbook = openpyxl.load_workbook(io.BytesIO((await client.get("/rfqs/export.xlsx?q=gloves")).content))
    sheet = workbook["RFQs"]
    assert sheet["B2"].value == "'=HYPERLINK(\"http://x\") gloves" and sheet["B2"].data_type == "s"


async def test_a_query_it_cannot_read_is_a_400_that_says_what_to_send(world, browser):
    client = await browser(world.purchaser)
    for query, says in (("sort=password", "sort must be one of number, title, buyer, status, deadline, mode"),
                        ("status=deleted", "Status must be one of draft"), ("page=x", "page must be"),
                        ("q=" + "x" * 101, "at most 100")):
        response = await client.get(f"/rfqs?{query}")
        assert response.status_code == 400, query
        assert says in response.text
        assert (await client.get(f"/rfqs/export.csv?{query}")).status_code == 400
