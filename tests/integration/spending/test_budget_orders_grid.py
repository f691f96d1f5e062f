"""The orders behind one budget (/spending/budgets/{id}) are the one grid (#16): sorted, searched and filtered by the
figure they are in, in SQL, paged, the view in the URL, the selection exported with its times in the reader's zone;
another company's budget is the 404 of a missing one."""

from __future__ import annotations

import csv
import io

import openpyxl

from app.accounts.tables import Membership
from app.clock import utcnow
from app.orders.tables import PurchaseOrder
from app.spending.rules import Period, period_start
from app.spending.store import FIGURES, figure_of
from app.spending.tables import Budget, CostCenter, CostCenterMember
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.orders import check_out
from tests.support.pages import main_of
from tests.support.parties import user_id

ORDERS = 30


def table_of(html: str) -> str:
    return main_of(html).split('id="budget-orders"', 1)[1].split("</table>", 1)[0]


async def test_the_orders_behind_a_budget_sort_filter_search_page_and_export(world, api, browser):
    # given a monthly budget of a cost center and thirty orders charged to it (1 to 30 units at 10.00), two of them
    # cancelled (released) and three waiting for approval (reserved)
    await an_address(world.buyer.id, "delivery", is_default=True)
    listing = await a_listing(world.vendor.id, await a_product("Gloves", category=await a_category("Gloves")),
                              "A-GLOVE", "10.00", stock=10_000)
    now = utcnow()
    center = (await CostCenter.insert(CostCenter(company=world.buyer.id, code="CC-WARD", name="Ward",
                                                 created_at=now)).returning(CostCenter.id))[0]["id"]
    await CostCenterMember.insert(CostCenterMember(cost_center=center, user=await user_id(world.purchaser)))
    budget = (await Budget.insert(Budget(cost_center=center, period=Period.MONTH.value,
                                         starts_on=period_start(Period.MONTH, now.date()), currency="EUR",
                                         amount=100_000_0000, hard=True, created_at=now, updated_at=now)
                                  ).returning(Budget.id))[0]["id"]
    buyer = await api(world.purchaser)
    for n in range(1, ORDERS + 1):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": n})
        assert (await check_out(buyer, f"PO-B{n}", cost_center_id=center)).status_code == 201
    ids = [row["id"] for row in await PurchaseOrder.select(PurchaseOrder.id).order_by(PurchaseOrder.id)]
    await PurchaseOrder.update({PurchaseOrder.status: "cancelled"}).where(PurchaseOrder.id.is_in(ids[:2]))
    await PurchaseOrder.update({PurchaseOrder.status: "pending_approval"}).where(PurchaseOrder.id.is_in(ids[2:5]))
    admin = await browser(world.buyer_admin)
    path = f"/spending/budgets/{budget}"
    # then the first page holds 25 of 30, in the order of their day, and the second the other five
    first = await admin.get(path)
    assert first.status_code == 200 and "1\u201325 of 30" in main_of(first.text)
    assert table_of(first.text).count("<tr>") == 26  # the header and 25 rows
    assert "26\u201330 of 30" in main_of((await admin.get(f"{path}?page=2")).text)
    # sorted by net, largest first: PO-B30 heads the page
    largest = table_of((await admin.get(f"{path}?sort=-net")).text)
    assert largest.index("PO-B30<") < largest.index("PO-B29<")
    # searched by PO number, filtered by the figure the orders are in (the filters add up to the whole)
    assert "1\u20131 of 1" in main_of((await admin.get(f"{path}?q=po-b7")).text)
    counts = {}
    for figure in ("spent", "reserved", "released"):
        page = await admin.get(f"{path}?figure={figure}")
        counts[figure] = int(main_of(page.text).split(" of ", 1)[1].split()[0])
        assert all(f"<td>{other}</td>" not in table_of(page.text) for other in FIGURES if other != figure)
    assert counts == {"spent": 25, "reserved": 3, "released": 2}
    # the export is the selection, every page of it, its times in the reader's zone (named in the header)
    await Membership.update({Membership.time_zone: "Europe/Berlin"}).where(
        Membership.user == await user_id(world.buyer_admin))
    rows = list(csv.reader(io.StringIO((await admin.get(f"{path}/export.csv?figure=spent")).content.decode(
        "utf-8-sig"))))
    assert rows[0] == ["Order", "PO number", "Day", "Status", "In", "Placed (Europe/Berlin)", "Currency", "Net"]
    assert len(rows) == 26 and {row[4] for row in rows[1:]} == {"spent"}
    book = openpyxl.load_workbook(io.BytesIO((await admin.get(f"{path}/export.xlsx?q=PO-B3")).content))
    assert sorted(row[1] for row in book.active.iter_rows(min_row=2, values_only=True)) == ["PO-B3", "PO-B30"]
    # what the grid cannot read is a 400; another company's budget is the 404 of a missing one, page and export
    assert (await admin.get(f"{path}?sort=figure")).status_code == 400
    assert (await admin.get(f"{path}?figure=lost")).status_code == 400
    stranger = await browser(world.other_buyer_admin)
    missing = await stranger.get("/spending/budgets/999999")
    assert missing.status_code == 404
    for url in (path, f"{path}/export.csv", f"{path}/export.xlsx"):
        assert (await stranger.get(url)).status_code == 404, url


def test_the_figure_filter_reads_the_statuses_figure_of_reads() -> None:
    # the SQL filter is made of the same status sets: every status is in exactly one figure
    from app.order_statuses import OrderStatus

    assert {status: figure_of(status.value) for status in OrderStatus} == {
        status: next((f for f, statuses in FIGURES.items() if status in statuses), "spent") for status in OrderStatus}
