"""The approver's inbox is the one grid: what waits for the caller first, every request of its company by status,
sorted, searched and filtered by cost center in SQL, the view kept in the URL, the selection exported through the
one writer; deciding from it goes through the one approve service and comes back to the same view."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token
from tests.support.orders import check_out
from tests.support.parties import user_id


async def _three_waiting(world, api) -> list[int]:
    """Three orders of the purchaser waiting for any approver; the last one charged to cost center CC-LAB."""
    admin = await api(world.buyer_admin)
    purchaser = await user_id(world.purchaser)
    await admin.post("/api/v1/approval-rules", json={"name": "Everything", "approver_role": "approver"})
    gloves = await a_product("Gloves", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "G-1", "10.00", stock=100)
    await an_address(world.buyer.id, "delivery", is_default=True)
    buyer = await api(world.purchaser)
    orders = []
    for number, quantity in (("PO-A", 1), ("PO-B", 3)):
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": quantity})
        orders.append((await check_out(buyer, number)).json()["orders"][0]["id"])
    lab = (await admin.post("/api/v1/cost-centers", json={"code": "CC-LAB", "name": "Lab", "user_ids": [purchaser]}
                            )).json()["id"]
    await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 2})
    orders.append((await check_out(buyer, "PO-C", cost_center_id=lab)).json()["orders"][0]["id"])
    return orders


async def test_the_approver_sorts_searches_filters_and_exports_its_inbox(world, api, browser):
    orders = await _three_waiting(world, api)
    approver = await browser(world.approver)
    # given the inbox: every order waiting for the approver, each with its decision form, soonest expiry first
    inbox = await approver.get("/approvals")
    assert inbox.status_code == 200
    assert all(f"/approvals/{order}/approve" in inbox.text for order in orders)
    assert inbox.text.index("PO-A") < inbox.text.index("PO-B") < inbox.text.index("PO-C")
    assert "1\u20133 of 3" in inbox.text and 'aria-sort="ascending"' in inbox.text
    # when it sorts by net, largest first, then the 30.00 order leads
    by_net = await approver.get("/approvals?sort=-net")
    assert by_net.text.index("PO-B") < by_net.text.index("PO-C") < by_net.text.index("PO-A")
    # when it searches and filters by cost center, then only the matches show, and the URL keeps the view
    found = await approver.get("/approvals?q=po-b")
    assert "PO-B" in found.text and "PO-A" not in found.text and "1\u20131 of 1" in found.text
    centers = (await (await api(world.buyer_admin)).get("/api/v1/cost-centers")).json()
    lab = str(centers[0]["id"])
    filtered = await approver.get(f"/approvals?cost_center={lab}")
    assert "PO-C" in filtered.text and "PO-A" not in filtered.text and "CC-LAB" in filtered.text
    assert f"/approvals/export.csv?cost_center={lab}" in filtered.text
    # and the export is that selection, every page of it
    exported = await approver.get(f"/approvals/export.csv?cost_center={lab}")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert exported.status_code == 200 and rows[0][:3] == ["Order", "PO number", "Requested by"]
    assert [row[1] for row in rows[1:]] == ["PO-C"] and rows[1][4] == "EUR" and Decimal(rows[1][5]) == 20
    book = load_workbook(io.BytesIO((await approver.get("/approvals/export.xlsx?sort=-net")).content))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["PO-B", "PO-C", "PO-A"]
    # when it approves one from a filtered view, then it comes back to that view, and the order is placed
    token = csrf_token(inbox.text)
    done = await approver.post(f"/approvals/{orders[1]}/approve",
                               data={"_csrf_token": token, "next": "/approvals?sort=-net"})
    assert done.status_code == 303 and done.headers["location"] == "/approvals?sort=-net"
    waiting = await approver.get("/approvals")
    assert "PO-B" not in waiting.text and "1\u20132 of 2" in waiting.text
    approved = await approver.get("/approvals?show=approved")
    assert "PO-B" in approved.text and f"/approvals/{orders[1]}/approve" not in approved.text
    # and what the grid cannot read is a 400 that says what to send
    refused = await approver.get("/approvals?sort=price")
    assert refused.status_code == 400 and "sort must be one of" in refused.text
    assert (await approver.get("/approvals?show=everything")).status_code == 400


async def test_a_purchaser_sees_its_own_requests_and_decides_none(world, api, browser):
    await _three_waiting(world, api)
    purchaser = await browser(world.purchaser)
    # given the purchaser's inbox: nothing waits for its approval (nobody approves their own order)
    mine = await purchaser.get("/approvals")
    assert mine.status_code == 200 and "Nothing waits for your approval" in mine.text
    # when it shows every request, then its three orders show, with no decision form
    every = await purchaser.get("/approvals?show=all")
    assert all(po in every.text for po in ("PO-A", "PO-B", "PO-C")) and "/approve" not in every.text
    # and another company's admin sees none of them
    other = await browser(world.other_buyer_admin)
    assert "PO-A" not in (await other.get("/approvals?show=all")).text
    assert "PO-A" not in (await other.get("/approvals/export.csv?show=all")).text


async def test_the_approver_approves_ticked_orders_all_or_none_after_a_confirmation(world, api, browser):
    orders = await _three_waiting(world, api)
    approver = await browser(world.approver)
    inbox = await approver.get("/approvals")
    token = csrf_token(inbox.text)
    assert 'form="bulk-approvals"' in inbox.text
    # given one of the three approved already from its row
    await approver.post(f"/approvals/{orders[0]}/approve", data={"_csrf_token": token})
    # when the approver ticks the other two, then it is asked once more, each named
    ticked = {"_csrf_token": token, "order_id": [str(orders[1]), str(orders[2])], "comment": "Fine",
              "next": "/approvals?sort=-net"}
    asked = await approver.post("/approvals/bulk", data=ticked)
    assert asked.status_code == 200 and "Approve 2 orders?" in asked.text
    assert "PO-B" in asked.text and "PO-C" in asked.text and "Yes, approve them" in asked.text
    # when it ticks the approved one too and confirms, then none is approved and the message names it
    refused = await approver.post("/approvals/bulk", data={**ticked, "confirmed": "yes",
                                                           "order_id": [str(order) for order in orders]})
    assert refused.status_code == 303 and refused.headers["location"] == "/approvals?sort=-net"
    shown = await approver.get("/approvals?sort=-net")
    assert "Nothing was approved" in shown.text and "1\u20132 of 2" in shown.text
    statuses = {row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status).where(
        PurchaseOrder.id.is_in(orders[1:]))}
    assert statuses == {"pending_approval"}
    # when it confirms the two, then both are placed
    done = await approver.post("/approvals/bulk", data={**ticked, "confirmed": "yes"})
    assert done.status_code == 303
    assert "2 orders approved." in (await approver.get("/approvals?sort=-net")).text
    assert {row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status)} == {"placed"}
    # and a purchaser, who approves nothing, gets refused the same way
    purchaser = await browser(world.purchaser)
    await purchaser.post("/approvals/bulk", data={"_csrf_token": csrf_token((await purchaser.get("/approvals")).text),
                                                  "order_id": [str(orders[0])], "confirmed": "yes"})
    assert "Nothing was approved" in (await purchaser.get("/approvals")).text
