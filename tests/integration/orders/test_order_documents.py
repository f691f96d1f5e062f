"""A purchase order's PDF and the order list's XLSX, through the API and the pages, for whoever may see the orders
and nobody else; and a contract's lines showing what was ordered at their price and what remains."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import unescape

import openpyxl
import pytest
from piccolo.apps.user.tables import BaseUser
from pypdf import PdfReader

from app import db
from app.accounts.tables import Membership
from app.clock import format_day
from app.contracts.tables import Contract, ContractLine, ContractPrice
from app.files import XLSX
from app.orders import documents
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import World, make_company, make_user
from tests.support.orders import check_out

MISSING = 2_147_483_000  # an order id no test reaches


@dataclass
class Placed:
    """One checkout of a purchaser: 30 gloves at the contract price from the vendor, 10 gel from the rival."""

    world: World
    contract_id: int
    contract_number: str
    order_id: int  # the vendor's order
    rival_order_id: int
    rival: int
    rival_sales: str
    colleague: str  # another purchaser of the same buyer company
    requested: date


@pytest.fixture
async def placed(world: World, api) -> Placed:
    # given gloves of the vendor under a contract of 100 at 8.00, and gel of a rival vendor at 3.00
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel", category=category)
    rival = await make_company("vendor", name="Rival Supplies")
    rival_sales = await make_user(rival.id, "vendor_sales")
    glove_listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    gel_listing = await a_listing(rival.id, gel, "B-GEL", "3.00", stock=50)
    await an_address(world.buyer.id, "delivery", is_default=True)
    await an_address(world.buyer.id, "billing", is_default=True, street="Rechnungsweg 7", attention="Accounts")
    rfq_id, (line_id,) = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 100, gloves)])
    offer_id = await offer(api, world.vendor_admin, rfq_id, {line_id: "8.00"})
    assert (await award(api, world.buyer_admin, rfq_id, {line_id: offer_id})).status_code == 200
    line = await ContractLine.select(ContractLine.id, ContractLine.listing).first()
    if line["listing"] is None:  # the vendor links its listing to the line
        await ContractLine.update({ContractLine.listing: glove_listing}).where(ContractLine.id == line["id"])
        await ContractPrice.update({ContractPrice.listing: glove_listing}).where(
            ContractPrice.contract_line == line["id"])
    contract = await Contract.select(Contract.id, Contract.number).first()
    # and a purchaser's cart of 30 gloves and 10 gel, checked out with a note and a delivery date
    purchaser = await api(world.purchaser)
    await purchaser.post("/api/v1/cart/lines", json={"listing_id": glove_listing, "quantity": 30})
    await purchaser.post("/api/v1/cart/lines", json={"listing_id": gel_listing, "quantity": 10})
    requested = (await db.db_now()).date() + timedelta(days=14)
    response = await check_out(purchaser, "PO-DOC-1", note="Dock 3, ring twice",
                               requested_delivery_date=requested.isoformat())
    assert response.status_code == 201, response.text
    orders = {o["vendor_id"]: o["id"] for o in response.json()["orders"]}
    return Placed(world=world, contract_id=contract["id"], contract_number=contract["number"],
                  order_id=orders[world.vendor.id], rival_order_id=orders[rival.id], rival=rival.id,
                  rival_sales=rival_sales, colleague=await make_user(world.buyer.id, "purchaser"),
                  requested=requested)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sheet_rows(content: bytes) -> list[list[openpyxl.cell.cell.Cell]]:
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(content))["Orders"].iter_rows()]


def values(rows: list[list[openpyxl.cell.cell.Cell]]) -> list[list[object]]:
    return [[cell.value for cell in row] for row in rows]


# --- the PDF ------------------------------------------------------------------------------------


async def test_the_pdf_holds_the_numbers_parties_addresses_lines_and_totals(placed, api):
    world = placed.world
    # when the purchaser downloads its order to the vendor
    response = await (await api(world.purchaser)).get(f"/api/v1/orders/{placed.order_id}/document.pdf")
    # then it is a PDF named by the order's number
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    order = (await (await api(world.purchaser)).get(f"/api/v1/orders/{placed.order_id}")).json()
    assert f'filename="{order["number"]}.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    # with both numbers, both parties, both addresses, the date and the note
    for expected in (order["number"], "PO-DOC-1", world.buyer.name, world.vendor.name, "Lagerstraße 12",
                     "Rechnungsweg 7", format_day(placed.requested), "Dock 3, ring twice"):
        assert expected in text, expected
    # and the line with its SKU, price and why, and the totals in euros: 30 x 8.00 = 240.00 net, 19 % tax
    for expected in ("A-GLOVE", "Nitrile gloves M", f"Contract price {placed.contract_number}", "8.00 EUR",
                     "19.00 %", "240.00 EUR", "45.60 EUR", "285.60 EUR"):
        assert expected in text, expected
    # and nothing of the rival's order of the same checkout
    assert "Hand gel" not in text and "Rival Supplies" not in text
    # and a reader of German in Berlin gets the amounts and the date written their way
    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == world.purchaser).first()
    await Membership.update({Membership.locale: "de_DE", Membership.time_zone: "Europe/Berlin"}).where(
        Membership.user == user["id"])
    german = pdf_text((await (await api(world.purchaser)).get(
        f"/api/v1/orders/{placed.order_id}/document.pdf")).content)
    assert "8,00 EUR" in german and "285,60 EUR" in german
    assert format_day(placed.requested, "Europe/Berlin", "de_DE") in german
    assert " CET" in german or " CEST" in german  # the moment it was placed, in Berlin time


async def test_the_vendor_and_an_operator_download_it_from_the_api_and_the_pages(placed, api, browser):
    world = placed.world
    for email in (world.vendor_admin, world.operator, world.buyer_admin):
        response = await (await api(email)).get(f"/api/v1/orders/{placed.order_id}/document.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), email
    buyer_page = await (await browser(world.approver)).get(f"/orders/{placed.order_id}/document.pdf")
    assert buyer_page.status_code == 200 and "PO-DOC-1" in pdf_text(buyer_page.content)
    vendor_page = await (await browser(world.vendor_admin)).get(f"/vendor/orders/{placed.order_id}/document.pdf")
    assert vendor_page.status_code == 200 and vendor_page.headers["content-type"] == "application/pdf"
    rival_page = await (await browser(placed.rival_sales)).get(f"/vendor/orders/{placed.rival_order_id}/document.pdf")
    assert rival_page.status_code == 200 and "Hand gel" in pdf_text(rival_page.content)


async def test_the_rival_vendor_another_buyer_and_a_colleague_get_the_404_of_a_missing_order(placed, api, browser):
    world = placed.world
    for email in (placed.rival_sales, world.other_buyer_admin, placed.colleague):
        # when someone who may not see the order asks for its PDF, and for a missing order's
        client = await api(email)
        theirs = await client.get(f"/api/v1/orders/{placed.order_id}/document.pdf")
        missing = await client.get(f"/api/v1/orders/{MISSING}/document.pdf")
        # then the two answers are the same 404
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json()) == (
            404, {"detail": "No such order."}), email
        # and the pages answer the same for both too
        pages = await browser(email)
        for prefix in ("/orders", "/vendor/orders"):
            page = await pages.get(f"{prefix}/{placed.order_id}/document.pdf")
            gone = await pages.get(f"{prefix}/{MISSING}/document.pdf")
            assert page.status_code == gone.status_code == 404, (email, prefix)
            assert "No such order." in page.text and "No such order." in gone.text
            assert "%PDF" not in page.text


async def test_the_pdf_needs_a_signed_in_caller(placed, client):
    assert (await client.get(f"/api/v1/orders/{placed.order_id}/document.pdf")).status_code == 401
    page = await client.get(f"/orders/{placed.order_id}/document.pdf")
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


# --- the XLSX export ----------------------------------------------------------------------------


async def test_the_export_has_one_row_per_order_the_caller_may_see(placed, api):
    world = placed.world
    # when the buyer's admin exports its orders
    response = await (await api(world.buyer_admin)).get("/api/v1/orders/export.xlsx")
    # then it is a workbook: a summary row, the headings and one row per order, newest first
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert 'filename="orders.xlsx"' in response.headers["content-disposition"]
    rows = sheet_rows(response.content)
    table = values(rows)
    assert table[0][0] == "Matching orders: 2."
    assert tuple(table[1]) == documents.EXPORT_HEADINGS
    by_vendor = {row[4]: row for row in table[2:]}
    assert set(by_vendor) == {world.vendor.name, "Rival Supplies"}
    gloves = by_vendor[world.vendor.name]
    assert gloves[1:5] == ["PO-DOC-1", "placed", world.buyer.name, world.vendor.name]
    assert gloves[6:9] == [world.purchaser, None, "EUR"] and gloves[12] == 1 and gloves[13] is None
    assert isinstance(gloves[5], datetime)
    # and the amounts and counts are number cells
    row = next(r for r in rows[2:] if r[4].value == world.vendor.name)
    assert [(cell.data_type, cell.value) for cell in row[9:13]] == [("n", 240), ("n", 45.6), ("n", 285.6), ("n", 1)]


async def test_the_export_takes_the_lists_filters_and_scope(placed, api):
    world = placed.world
    admin = await api(world.buyer_admin)

    async def exported(client, **params) -> list[list[object]]:  # type: ignore[no-untyped-def]
        response = await client.get("/api/v1/orders/export.xlsx", params=params)
        assert response.status_code == 200, response.text
        return values(sheet_rows(response.content))[2:]

    today = (await db.db_now()).date()
    assert [r[4] for r in await exported(admin, vendor_id=placed.rival)] == ["Rival Supplies"]
    assert len(await exported(admin, po_number="PO-DOC-1", status="placed", placed_from=today.isoformat(),
                              placed_to=today.isoformat())) == 2
    assert await exported(admin, po_number="PO-OTHER") == []
    assert await exported(admin, status="delivered") == []
    assert await exported(admin, placed_from=(today + timedelta(days=1)).isoformat()) == []
    # and each caller gets what its list shows: the rival its own order, a colleague and another buyer nothing
    assert [r[4] for r in await exported(await api(placed.rival_sales))] == ["Rival Supplies"]
    assert await exported(await api(placed.colleague)) == []
    assert await exported(await api(world.other_buyer_admin)) == []
    assert len(await exported(await api(world.operator), buyer_id=world.buyer.id)) == 2
    # and a bad filter is a 400, as for the list
    assert (await admin.get("/api/v1/orders/export.xlsx", params={"status": "lost"})).status_code == 400


async def test_an_export_past_the_cap_says_so_in_its_first_row(placed, api, monkeypatch):
    # given a cap of one order
    monkeypatch.setattr(documents, "MAX_EXPORT_ROWS", 1)
    # when the buyer's admin exports its two orders
    response = await (await api(placed.world.buyer_admin)).get("/api/v1/orders/export.xlsx")
    # then the newest one is there, and the first row says the export was cut
    table = values(sheet_rows(response.content))
    assert table[0][0].startswith("The first 1 of 2 matching orders") and len(table) == 3


async def test_the_pages_export_for_buyers_and_vendors_with_the_filter_forms_empty_fields(placed, browser):
    # when the buyer's filter form is sent with a status and its other fields empty
    buyer = await (await browser(placed.world.buyer_admin)).get("/orders/export.xlsx", params={
        "status": "placed", "vendor_id": "", "buyer_id": "", "po_number": "", "placed_from": "", "placed_to": ""})
    # then the empty fields filter nothing
    assert buyer.status_code == 200 and len(values(sheet_rows(buyer.content))) == 3  # the headings and two orders
    # and a filter that cannot be read is a 400 page
    bad = await (await browser(placed.world.buyer_admin)).get("/orders/export.xlsx", params={"placed_to": "soon"})
    assert bad.status_code == 400 and "must be a date such as" in bad.text
    vendor = await (await browser(placed.world.vendor_admin)).get("/vendor/orders/export.xlsx")
    assert vendor.status_code == 200
    assert [r[4] for r in values(sheet_rows(vendor.content))[1:]] == [placed.world.vendor.name]
    # and the same selection as CSV
    csv_text = (await (await browser(placed.world.vendor_admin)).get("/vendor/orders/export.csv")).text
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("Order,PO number,Status,Buyer,Vendor")


@pytest.mark.parametrize(("who", "page", "rows"), [("buyer_admin", "/orders", 3), ("vendor_admin", "/vendor/orders", 2),
                                                  ("operator", "/operator/orders", 3)])
async def test_each_order_list_links_the_export_of_its_orders_as_filtered(placed, browser, who, page, rows):
    # given the order list of each side, filtered to the placed orders
    client = await browser(getattr(placed.world, who))
    listing = await client.get(page, params={"status": "placed"})
    assert listing.status_code == 200, listing.text[:300]
    # when its "Download these: Excel" link is followed with the page's session
    link = re.search(r'<a href="([^"]+)" download>Excel</a>', listing.text)
    assert link is not None
    download = await client.get(unescape(link.group(1)))
    # then it is the list's orders, as filtered
    assert download.status_code == 200 and download.headers["content-type"].startswith(XLSX)
    assert "status=placed" in link.group(1) and len(values(sheet_rows(download.content))) == rows


# --- the contract's consumption -----------------------------------------------------------------


async def test_the_contract_lines_show_what_was_ordered_and_what_remains(placed, api, browser):
    # when the buyer reads the contract after 30 of its 100 gloves were ordered at the contract price
    contract = (await (await api(placed.world.buyer_admin)).get(f"/api/v1/contracts/{placed.contract_id}")).json()
    # then the line says 30 ordered, 70 remaining
    (line,) = contract["lines"]
    assert (line["committed_qty"], line["ordered_qty"], line["remaining_qty"]) == (100, 30, 70)
    # and the page shows both, for the vendor too
    page = await (await browser(placed.world.vendor_admin)).get(f"/contracts/{placed.contract_id}")
    assert page.status_code == 200
    assert ">Ordered</a></th>" in page.text and ">Remaining</a></th>" in page.text  # the lines' grid sorts by both
    assert "<td>30</td>" in page.text and "<td>70</td>" in page.text
