"""Invoice pages: the buyer's payables with their ageing, the vendor records a payment from the invoice's page (a
refusal shown beside the amount), the PDF and the XLSX export from the pages, and the company's credit page."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest

from app.clock import utcnow
from app.spreadsheets import FORMULA_STARTS
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token
from tests.support.invoices import shipped_order


@pytest.fixture
async def invoice_id(world, api):
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, listing, ordered=4, shipped=4)
    response = await vendor.post("/api/v1/invoices", json={
        "number": "INV-<b>1</b>", "shipment_ids": [order["shipments"][0]["id"]],
        "issued_on": (utcnow().date() - timedelta(days=45)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["invoice"]["id"]


async def test_the_buyer_reads_its_payables_with_their_ageing_and_downloads_them(world, browser, invoice_id):
    page = await browser(world.buyer_admin)
    listed = await page.get("/invoices")
    assert listed.status_code == 200
    assert "Payables" in listed.text and "INV-&lt;b&gt;1&lt;/b&gt;" in listed.text and "<b>1</b>" not in listed.text
    assert "1-30 days" in listed.text and "47.60" in listed.text
    detail = await page.get(f"/invoices/{invoice_id}")
    assert detail.status_code == 200 and "15 days overdue" in detail.text
    assert 'action="/invoices/' not in detail.text  # the buyer records no payment
    pdf = await page.get(f"/invoices/{invoice_id}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    export = await page.get("/invoices/export.xlsx")
    assert export.status_code == 200 and export.content.startswith(b"PK")
    credit = await page.get(f"/companies/{world.buyer.id}/credit")
    assert credit.status_code == 200 and "INV-&lt;b&gt;1&lt;/b&gt;" in credit.text and "47.60" in credit.text
    stranger = await browser(world.other_buyer_admin)
    assert (await stranger.get(f"/invoices/{invoice_id}")).status_code == 404
    assert "INV-" not in (await stranger.get("/invoices")).text


async def test_the_vendor_records_a_payment_from_the_page(world, browser, invoice_id):
    page = await browser(world.vendor_admin)
    detail = await page.get(f"/invoices/{invoice_id}")
    assert "Receivables" not in detail.text and 'action="/invoices/' in detail.text
    token = csrf_token(detail.text)
    too_much = await page.post(f"/invoices/{invoice_id}/payments", data={"amount": "50.00", "_csrf_token": token},
                               headers={"x-market-csrf": token})
    assert too_much.status_code == 200 and 'id="amount-error"' in too_much.text and "47.60" in too_much.text
    paid = await page.post(f"/invoices/{invoice_id}/payments", data={"amount": "47.60", "reference": "SEPA"},
                           headers={"x-market-csrf": token}, follow_redirects=True)
    assert paid.status_code == 200 and "The payment is recorded." in paid.text and ">paid<" in paid.text


async def test_an_invoice_number_that_looks_like_a_formula_is_exported_as_text(world, api, browser):
    # given an invoice numbered like a formula
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Hand gel", category=await a_category("Gel"))
    listing = await a_listing(world.vendor.id, product, "A-GEL", "3.00", stock=100)
    vendor = await api(world.vendor_admin)
    order = await shipped_order(await api(world.purchaser), vendor, listing, ordered=1, shipped=1)
    response = await vendor.post("/api/v1/invoices", json={"number": "=HYPERLINK(\"x\")",
                                                           "shipment_ids": [order["shipments"][0]["id"]]})
    assert response.status_code == 201, response.text
    # when the vendor exports its receivables
    export = await (await browser(world.vendor_admin)).get("/invoices/export.xlsx")
    # then the number is text, and the amounts are numbers
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert not str(row[header.index("Invoice")]).startswith(FORMULA_STARTS)
    assert isinstance(row[header.index("Gross")], int | float)
