"""An order's lines are a grid on each party's page of it: sorted, searched, filtered by what is left to ship or
receive, exported as selected; whoever may not see the order gets its 404, pages and files alike."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.orders.tables import OrderLine
from tests.support.accounts import an_address
from tests.support.catalog import a_listing, a_product
from tests.support.orders import check_out
from tests.support.pages import main_of


@pytest.fixture
async def order(world, api):
    """One order of the vendor's: 10 gloves at 10.00 (all shipped) and 5 gel at 3.00 (none shipped)."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    gloves = await a_listing(world.vendor.id, await a_product("Nitrile gloves M"), "A-GLOVE", "10.00", stock=100)
    gel = await a_listing(world.vendor.id, await a_product("Hand gel"), "B-GEL", "3.00", stock=50)
    buyer = await api(world.purchaser)
    for listing, quantity in ((gloves, 10), (gel, 5)):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": quantity})
    placed = await check_out(buyer, "PO-GRID")
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orders"][0]["id"]
    await OrderLine.update({OrderLine.shipped_qty: 10}).where(OrderLine.sku == "A-GLOVE")
    return order_id


def grid_of(html: str) -> str:
    """The grid's table alone (the receipt form below it lists lines too)."""
    return main_of(html).split('id="grid"', 1)[1].split("</table>", 1)[0]


async def test_an_orders_lines_sort_filter_and_export_for_each_party(world, browser, order):
    buyer = await browser(world.purchaser)
    path = f"/orders/{order}"
    # sorted by gross, smallest first: the gel before the gloves
    cheapest = grid_of((await buyer.get(f"{path}?sort=gross")).text)
    assert cheapest.index("Hand gel") < cheapest.index("Nitrile gloves M")
    # filtered to what is left to ship, and searched by SKU
    left = grid_of((await buyer.get(f"{path}?progress=to_ship")).text)
    assert "Hand gel" in left and "Nitrile gloves M" not in left
    assert "Hand gel" not in grid_of((await buyer.get(f"{path}?q=a-glove")).text)
    # the vendor's page has the same grid; its export is the selection, in the grid's order
    vendor = await browser(world.vendor_admin)
    rows = list(csv.reader(io.StringIO((await vendor.get(f"/vendor/orders/{order}/export.csv?sort=-quantity")
                                        ).content.decode("utf-8-sig"))))
    assert [(row[1], row[3], row[12]) for row in rows[1:]] == [("A-GLOVE", "10", "10"), ("B-GEL", "5", "0")]
    book = openpyxl.load_workbook(io.BytesIO((await buyer.get(f"{path}/export.xlsx?progress=to_ship")).content))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["B-GEL"]
    operator = await browser(world.operator)
    assert (await operator.get(f"/operator/orders/{order}/export.csv")).status_code == 200
    # a bad parameter is a 400; another buyer company gets the order's 404
    assert (await buyer.get(f"{path}?progress=lost")).status_code == 400
    stranger = await browser(world.other_buyer_admin)
    for url in (path, f"{path}/export.csv", f"{path}/export.xlsx"):
        assert (await stranger.get(url)).status_code == 404, url
