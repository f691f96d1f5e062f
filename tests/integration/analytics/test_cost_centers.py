"""An RFQ's cost center: chosen on create and edit (the buyer's own only: another company's is refused like one that
does not exist), defaulted to the buyer user's only one; its awards' savings group by it, and the contract value
that orders consume groups by the orders' own cost centers. Each buyer sees its own cost centers only."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl

from app.contracts.tables import ContractLine, ContractPrice
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import award, offer
from tests.support.fixtures import csrf_token
from tests.support.orders import check_out
from tests.support.parties import user_id
from tests.support.rfq import a_draft, body, new_form

D = Decimal


async def a_cost_center(admin, code: str, user_ids: list[int] | None = None) -> int:
    response = await admin.post("/api/v1/cost-centers", json={"code": code, "name": f"Ward {code}",
                                                              "user_ids": user_ids or []})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_an_rfq_takes_its_buyers_cost_center_and_refuses_anothers_like_a_missing_one(world, api):
    # given a cost center of the buyer and one of the other buyer
    admin = await api(world.buyer_admin)
    ours = await a_cost_center(admin, "CC-10")
    theirs = await a_cost_center(await api(world.other_buyer_admin), "CC-90")
    # when drafts are made with ours, theirs and one that does not exist
    draft = await a_draft(admin, world, cost_center_id=ours)
    refused = await admin.post("/api/v1/rfqs", json=_body(world, cost_center_id=theirs))
    missing = await admin.post("/api/v1/rfqs", json=_body(world, cost_center_id=theirs + 1000))
    # then ours is kept and shown, the other two get the same 400
    assert (draft["cost_center_id"], draft["cost_center"]) == (ours, "CC-10 Ward CC-10")
    assert refused.status_code == missing.status_code == 400
    assert refused.json()["detail"] == missing.json()["detail"]
    assert "cost_center_id" in refused.json()["detail"]
    for hostile in (0, -1, 2**40, "CC-10"):  # out of any id's range, or not a number: a 400, never a 500
        assert (await admin.post("/api/v1/rfqs", json=_body(world, cost_center_id=hostile))).status_code == 400
    # and an edit changes it, clears it, and refuses theirs the same way
    patched = await admin.patch(f"/api/v1/rfqs/{draft['id']}", json={"cost_center_id": None})
    assert patched.status_code == 200 and patched.json()["cost_center_id"] is None
    foreign = await admin.patch(f"/api/v1/rfqs/{draft['id']}", json={"cost_center_id": theirs})
    assert foreign.status_code == 400 and foreign.json()["detail"] == refused.json()["detail"]
    again = await admin.patch(f"/api/v1/rfqs/{draft['id']}", json={"cost_center_id": ours})
    assert again.json()["cost_center_id"] == ours
    # and a draft without one answers as before (the field is optional)
    plain = await a_draft(admin, world)
    assert plain["cost_center_id"] is None


async def test_the_buyers_only_cost_center_is_the_default(world, api):
    # given the purchaser is a member of one cost center, the admin of none
    admin = await api(world.buyer_admin)
    only = await a_cost_center(admin, "CC-11", [await user_id(world.purchaser)])
    await a_cost_center(admin, "CC-12")
    # when each drafts an RFQ without choosing
    mine = await a_draft(await api(world.purchaser), world)
    admins = await a_draft(admin, world)
    # then the purchaser's is on its only cost center, the admin's on none
    assert mine["cost_center_id"] == only
    assert admins["cost_center_id"] is None


def _body(world, **overrides):
    return body([world.vendor.id], **overrides)


async def _awarded(api, world, admin, cost_center_id: int | None, price: str,
                   awarder: str | None = None) -> tuple[int, int]:
    """An RFQ of 10 gloves published, offered at `price` and awarded (by `awarder`, the buyer admin unless said);
    its id and its line id."""
    draft = await a_draft(admin, world, lines=[{"description": "Gloves", "quantity": 10, "target_price": "15.00"}],
                          **({"cost_center_id": cost_center_id} if cost_center_id else {}))
    assert (await admin.post(f"/api/v1/rfqs/{draft['id']}/publish")).status_code == 200
    line_id = draft["lines"][0]["id"]
    offer_id = await offer(api, world.vendor_admin, draft["id"], {line_id: price})
    assert (await award(api, awarder or world.buyer_admin, draft["id"], {line_id: offer_id})).status_code == 200
    return draft["id"], line_id


async def test_savings_group_by_the_rfqs_cost_center(world, api):
    # given two awarded RFQs on cost center CC-20 and one without a cost center
    admin = await api(world.buyer_admin)
    center = await a_cost_center(admin, "CC-20")
    await _awarded(api, world, admin, center, "12.00")
    await _awarded(api, world, admin, center, "11.00")
    await _awarded(api, world, admin, None, "14.00")
    # when the buyer groups its savings by cost center
    response = await admin.get("/api/v1/analytics/savings?group_by=cost_center")
    # then each cost center is a group, the RFQ without one is "No cost center"
    assert response.status_code == 200, response.text
    groups = {g["key"]: g for g in response.json()["groups"]}
    assert set(groups) == {str(center), "none"}
    assert groups[str(center)]["label"] == "CC-20 Ward CC-20"
    assert D(groups[str(center)]["awarded_value"]) == D("230")
    assert D(groups[str(center)]["against_target"]["savings"]) == D("70")
    assert (groups["none"]["label"], D(groups["none"]["awarded_value"])) == ("No cost center", D("140"))
    assert response.json()["consumed_by_order_cost_center"] == []
    # and the other buyer sees none of it, the operator the marketplace's
    other = (await (await api(world.other_buyer_admin)).get("/api/v1/analytics/savings?group_by=cost_center")).json()
    assert other["groups"] == [] and other["totals"] == []
    operator = (await (await api(world.operator)).get("/api/v1/analytics/savings?group_by=cost_center")).json()
    assert {g["key"] for g in operator["groups"]} == {str(center), "none"}
    assert (await (await api(world.vendor_admin)).get(
        "/api/v1/analytics/savings?group_by=cost_center")).status_code == 404


async def test_the_savings_page_shows_the_buyers_cost_centers_and_exports_them(world, api, browser):
    # given Acme's two awarded RFQs on CC-50 and one without a cost center, and the other buyer's RFQ on its CC-59
    admin = await api(world.buyer_admin)
    center = await a_cost_center(admin, "CC-50")
    await _awarded(api, world, admin, center, "12.00")
    await _awarded(api, world, admin, center, "11.00")
    await _awarded(api, world, admin, None, "14.00")
    other_admin = await api(world.other_buyer_admin)
    await _awarded(api, world, other_admin, await a_cost_center(other_admin, "CC-59"), "10.00",
                   awarder=world.other_buyer_admin)
    client = await browser(world.buyer_admin)
    # when Acme's admin opens its savings page
    page = await client.get("/analytics/savings")
    # then the "by cost center" table and its chart show Acme's cost centers, never the other buyer's
    assert page.status_code == 200, page.text
    table = re.search(r"<caption>Savings by cost center</caption>.*?</table>", page.text, re.S)
    assert table is not None
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)]
    assert [row[:3] for row in rows if row] == [["CC-50 Ward CC-50", "EUR", "2"], ["No cost center", "EUR", "1"]]
    chart = re.search(r"<h2 id=\"cost-center-heading\">.*?</section>", page.text, re.S).group(0)
    assert "<svg" in chart and "CC-50 Ward CC-50" in chart
    assert "CC-59" not in page.text
    # and its CSV and XLSX carry the same figures, exact
    as_csv = await client.get("/analytics/savings/export.csv?table=cost_center")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    title, header, *exported = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"), newline="")))
    assert title == ["Savings by cost center"]
    assert header[:8] == ["Cost center", "Currency", "Lines", "Awarded value", "Consumed by orders", "Consumed %",
                          "Target value", "Saved against target"]
    assert [[row[0], row[1], row[2], D(row[3]), D(row[6]), D(row[7]), row[8]] for row in exported] == [
        ["CC-50 Ward CC-50", "EUR", "2", D("230"), D("300"), D("70"), "23.3"],
        ["No cost center", "EUR", "1", D("140"), D("150"), D("10"), "6.7"],
    ]
    as_xlsx = await client.get("/analytics/savings/export.xlsx?table=cost_center")
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))["Savings by cost center"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][:3] == ["Cost center", "Currency", "Lines"]
    assert [(row[0], row[2], D(str(row[3])), D(str(row[7]))) for row in cells[1:]] == [
        ("CC-50 Ward CC-50", 2, D("230"), D("70")), ("No cost center", 1, D("140"), D("10"))]
    # and the other buyer's page and export show its own cost center only
    theirs = await (await browser(world.other_buyer_admin)).get("/analytics/savings/export.csv?table=cost_center")
    assert b"CC-59 Ward CC-59" in theirs.content and b"CC-50" not in theirs.content
    assert b"No cost center" not in theirs.content


async def test_consumed_contract_value_groups_by_the_orders_cost_center(world, api):
    # given an RFQ on CC-30 awarded at 12.00 for 10 gloves, and the purchaser's own cost center CC-31
    admin = await api(world.buyer_admin)
    rfq_center = await a_cost_center(admin, "CC-30")
    order_center = await a_cost_center(admin, "CC-31", [await user_id(world.purchaser)])
    gloves = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "20.00", stock=100)
    await an_address(world.buyer.id, "delivery", is_default=True)
    draft = await a_draft(admin, world, lines=[{"description": "Gloves", "quantity": 10, "product_id": gloves}],
                          cost_center_id=rfq_center)
    assert (await admin.post(f"/api/v1/rfqs/{draft['id']}/publish")).status_code == 200
    line_id = draft["lines"][0]["id"]
    offer_id = await offer(api, world.vendor_admin, draft["id"], {line_id: "12.00"})
    assert (await award(api, world.buyer_admin, draft["id"], {line_id: offer_id})).status_code == 200
    contract_line = await ContractLine.select(ContractLine.id, ContractLine.listing).first()
    if contract_line["listing"] is None:
        await ContractLine.update({ContractLine.listing: listing}).where(ContractLine.id == contract_line["id"])
        await ContractPrice.update({ContractPrice.listing: listing}).where(
            ContractPrice.contract_line == contract_line["id"])
    # when the purchaser orders 4 at the contract price, charged to its cost center
    buyer = await api(world.purchaser)
    await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 4})
    placed = await check_out(buyer, "PO-CC1")
    assert placed.status_code == 201, placed.text
    # then the savings by cost center are the RFQ's, the consumed value the order's
    body = (await admin.get("/api/v1/analytics/savings?group_by=cost_center")).json()
    assert [g["key"] for g in body["groups"]] == [str(rfq_center)]
    assert D(body["groups"][0]["consumed_value"]) == D("48")
    assert [(c["key"], c["label"], c["currency"], D(c["consumed_value"]))
            for c in body["consumed_by_order_cost_center"]] == [(str(order_center), "CC-31 Ward CC-31", "EUR", D(48))]
    # and the other buyer sees none of it
    other = (await (await api(world.other_buyer_admin)).get("/api/v1/analytics/savings?group_by=cost_center")).json()
    assert other["consumed_by_order_cost_center"] == []


async def test_the_rfq_form_offers_the_buyers_cost_centers_and_refuses_anothers_beside_the_field(world, api, browser):
    # given the purchaser's only cost center, another of its company, and one of the other buyer
    admin = await api(world.buyer_admin)
    only = await a_cost_center(admin, "CC-40", [await user_id(world.purchaser)])
    await a_cost_center(admin, "CC-41")
    theirs = await a_cost_center(await api(world.other_buyer_admin), "CC-99")
    client = await browser(world.purchaser)
    # when the purchaser opens the new-RFQ form
    page = await client.get("/rfqs/new")
    # then its cost centers are offered, its own chosen, the other buyer's not offered
    assert f'<option value="{only}" selected>CC-40 Ward CC-40</option>' in page.text
    assert "CC-41 Ward CC-41" in page.text and "CC-99" not in page.text
    # when it saves the form with the other buyer's cost center
    refused = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                           cost_center_id=str(theirs)))
    # then the page says so beside the field, and nothing is saved
    assert refused.status_code == 400
    assert "choose one of your company&#39;s cost centers" in refused.text or \
        "choose one of your company's cost centers" in refused.text
    for hostile in ("999999999999", "0", "x"):
        answer = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                              cost_center_id=hostile))
        assert answer.status_code == 400, hostile
    # and with its own the draft is saved on it and shows it
    saved = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                         cost_center_id=str(only)))
    assert saved.status_code == 303, saved.text[:2000]
    detail = await client.get(saved.headers["location"])
    assert "CC-40 Ward CC-40" in detail.text
