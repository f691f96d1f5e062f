"""The on-behalf lists are the one grid (#16): the customers an acting user may order for (an operator's holds every
buyer company's users) and a buyer company's sales representatives sort, search, page in SQL and export; neither ever
shows what its reader may not see."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.support.fixtures import make_company, make_user
from tests.support.pages import main_of


def table_of(html: str) -> str:
    return main_of(html).split('id="grid"', 1)[1].split("</table>", 1)[0]


async def test_the_customers_and_sales_reps_are_grids(world, api, browser):
    # given two vendor sales users assigned to the buyer, and a third buyer company nobody assigned
    rival = await make_company("vendor", name="Aardvark Supplies")
    sam = await make_user(world.vendor.id, "vendor_sales", email="sam.sales@vendor-a.example")
    rita = await make_user(rival.id, "vendor_sales", email="rita@rival.example")
    other = await make_company("buyer", name="Zeta Schools")
    await make_user(other.id, "purchaser", email="zoe@zeta.example")
    admin = await api(world.buyer_admin)
    for email in (sam, rita):
        assert (await admin.post(f"/api/v1/companies/{world.buyer.id}/sales-reps", json={"email": email})
                ).status_code == 201
    # the buyer admin's sales representatives: sorted, searched, exported
    page = await browser(world.buyer_admin)
    by_vendor = table_of((await page.get("/team/sales-reps?sort=vendor")).text)
    assert by_vendor.index("rita@rival.example") < by_vendor.index("sam.sales@vendor-a.example")
    searched = table_of((await page.get("/team/sales-reps?q=aardvark")).text)
    assert "rita@rival.example" in searched and "sam.sales" not in searched
    rows = list(csv.reader(io.StringIO((await page.get("/team/sales-reps/export.csv")).content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "E-mail", "Vendor", "Since (UTC)"] and len(rows) == 3
    # the sales user's customers: only the buyer company that assigned it, searchable, exported
    sales = await browser(sam)
    mine = table_of((await sales.get("/on-behalf")).text)
    assert world.purchaser in mine and "zoe@zeta.example" not in mine
    assert world.purchaser not in table_of((await sales.get("/on-behalf?q=nobody-like-this")).text)
    book = openpyxl.load_workbook(io.BytesIO((await sales.get("/on-behalf/export.xlsx")).content))
    emails = [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert world.purchaser in emails and "zoe@zeta.example" not in emails
    # an operator's list holds every buyer company's users, a page at a time, sorted by e-mail
    operator = await browser(world.operator)
    everyone = table_of((await operator.get("/on-behalf?sort=-email")).text)
    assert everyone.index("zoe@zeta.example") < everyone.index(world.purchaser)
    # a sort the grid does not offer is a 400
    assert (await operator.get("/on-behalf?sort=cart")).status_code == 400
    assert (await page.get("/team/sales-reps?sort=remove")).status_code == 400
