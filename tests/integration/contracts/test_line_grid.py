"""A contract's lines on its page are a grid: sorted, searched, filtered by whether a listing is linked, exported as
selected; a stranger gets the contract's 404 for the page and its exports."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.support.pages import main_of


def grid_of(html: str) -> str:
    """The lines' grid alone (the versions below it name the lines too)."""
    return main_of(html).split('id="grid"', 1)[1].split("<h2", 1)[0]


async def test_a_contracts_lines_sort_filter_search_and_export(awarded, browser):
    # given the contract: line 1 gloves at 8.00 (linked to A-GLOVE), line 2 hand gel at 3.00 (waiting)
    session = await browser(awarded.world.buyer_admin)
    path = f"/contracts/{awarded.contract_id}"
    # when sorted by unit price, cheapest first
    by_price = grid_of((await session.get(f"{path}?sort=price")).text)
    # then the gel comes before the gloves, and the header says how it is sorted
    assert by_price.index("Hand gel") < by_price.index("Nitrile gloves M") and 'aria-sort="ascending"' in by_price
    # filtered to lines waiting for the vendor, and searched by SKU
    waiting = grid_of((await session.get(f"{path}?listing=waiting")).text)
    assert "Hand gel" in waiting and "Nitrile gloves M" not in waiting
    by_sku = grid_of((await session.get(f"{path}?q=a-glove")).text)
    assert "Nitrile gloves M" in by_sku and "Hand gel" not in by_sku
    # the selection downloads, in the grid's order
    rows = list(csv.reader(io.StringIO((await session.get(f"{path}/export.csv?sort=-price")).content.decode(
        "utf-8-sig"))))
    assert [(row[0], row[1], row[5]) for row in rows[1:]] == [("1", "Nitrile gloves M", "8.0000"),
                                                               ("2", "Hand gel, 1 litre bottles", "3.0000")]
    book = openpyxl.load_workbook(io.BytesIO((await session.get(f"{path}/export.xlsx?listing=linked")).content))
    assert [row[3] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["A-GLOVE"]
    # hostile parameters are a 400; another company gets the contract's 404
    assert (await session.get(f"{path}?sort=consumed_qty")).status_code == 400
    stranger = await browser(awarded.world.other_buyer_admin)
    for url in (path, f"{path}/export.csv", f"{path}/export.xlsx"):
        assert (await stranger.get(url)).status_code == 404, url
