"""Invoices through the API: the vendor bills what it shipped (never more, never above the order's price, one number
once), the buyer and operator read, others get a missing invoice's 404; payments add up to paid and never past the
open amount; a credit note gives the units back; the daily job marks overdue once and tells the buyer; exposure
follows invoices and payments at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.auth import load_principal
from app.billing.credit import exposure_of
from app.billing.invoice_states import InvoiceStatus
from app.billing.tables import Invoice
from app.clock import utcnow
from app.invoicing.access import InvoiceHead, may_see, scope_sql
from app.invoicing.overdue import mark_overdue
from app.notifications.tables import OutboxEmail
from app.orders.tables import PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import make_company, make_user
from tests.support.invoices import shipped_order
from tests.support.parties import user_id


@pytest.fixture
async def gloves(world):
    """Gloves at 10.00 net (11.90 gross with 19 %) from the world's vendor, and the buyer's delivery address."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    return await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)


async def test_the_vendor_invoices_a_shipment_and_the_buyer_pays_it_in_parts(world, api, gloves):
    buyer, vendor, operator = await api(world.purchaser), await api(world.vendor_admin), await api(world.operator)
    await operator.put(f"/api/v1/companies/{world.buyer.id}/payment-terms", json={"terms": "net_60"})
    # given 5 ordered (59.50 gross), 3 shipped
    order = await shipped_order(buyer, vendor, gloves, ordered=5, shipped=3)
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("59.50")
    # when the vendor invoices the shipment
    response = await vendor.post("/api/v1/invoices", json={"number": "INV-1",
                                                           "shipment_ids": [order["shipments"][0]["id"]]})
    # then 3 x 10.00 + 19 % tax, due in 60 days, and the buyer's admins are told
    assert response.status_code == 201, response.text
    invoice = response.json()
    head = invoice["invoice"]
    assert (head["net"], head["tax"], head["gross"], head["status"], head["terms"]) == (
        "30.00", "5.70", "35.70", "issued", "net_60")
    assert head["due_on"] == (utcnow().date() + timedelta(days=60)).isoformat()
    assert [(line["quantity"], line["unit_price"]) for line in invoice["lines"]] == [(3, "10.0000")]
    assert await OutboxEmail.count().where(OutboxEmail.subject.like("Invoice INV-1 from%")) >= 1
    # and the exposure is unchanged: what was invoiced moved from the order to the invoice
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("59.50")
    # when nothing more was shipped, nothing more can be invoiced, and the number is taken
    line_id = order["lines"][0]["id"]
    response = await vendor.post("/api/v1/invoices", json={"number": "INV-2",
                                                           "lines": [{"order_line_id": line_id, "quantity": 1}]})
    assert response.status_code == 400 and "only 0 shipped and not yet invoiced" in response.json()["detail"]
    response = await vendor.post("/api/v1/invoices", json={"number": "INV-1",
                                                           "shipment_ids": [order["shipments"][0]["id"]]})
    assert response.status_code == 409 and "INV-1" in response.json()["detail"]
    # when the vendor records 20.00, then 15.70
    invoice_id = head["id"]
    response = await vendor.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "20.00"})
    assert response.status_code == 201, response.text
    assert response.json()["invoice"]["status"] == "issued" and response.json()["invoice"]["open_amount"] == "15.70"
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("39.50")
    # a payment above the open amount is refused, saying what is open
    response = await operator.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "15.71"})
    assert response.status_code == 409 and "15.70" in response.json()["detail"]
    response = await operator.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "15.70",
                                                                                    "reference": "Bank 42"})
    assert response.json()["invoice"]["status"] == "paid"
    assert len(response.json()["payments"]) == 2
    assert (await exposure_of(world.buyer.id, "EUR")).total == Decimal("23.80")
    # and a paid invoice takes no more payment
    response = await vendor.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "1"})
    assert response.status_code == 409 and "it is paid" in response.json()["detail"]


async def test_lines_are_never_above_the_order_price_nor_more_than_shipped(world, api, gloves):
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, gloves, ordered=5, shipped=3)
    line_id = order["lines"][0]["id"]
    for lines, why in (([{"order_line_id": line_id, "quantity": 1, "unit_price": "10.01"}], "unit price"),
                       ([{"order_line_id": line_id, "quantity": 4}], "only 3 shipped"),
                       ([{"order_line_id": line_id, "quantity": 2}, {"order_line_id": line_id, "quantity": 2}],
                        "only 3 shipped"),
                       ([{"order_line_id": line_id, "quantity": 0}], "at least 1")):
        response = await vendor.post("/api/v1/invoices", json={"number": "INV-X", "lines": lines})
        assert response.status_code == 400 and why in response.json()["detail"], response.text
    # a discount is fine
    response = await vendor.post("/api/v1/invoices", json={
        "number": "INV-D", "lines": [{"order_line_id": line_id, "quantity": 2, "unit_price": "9.50"}]})
    assert response.status_code == 201 and response.json()["invoice"]["net"] == "19.00"
    # another vendor cannot invoice this order's lines: they are as missing as any
    rival = await make_company("vendor")
    rival_client = await api(await make_user(rival.id, "vendor_sales"))
    response = await rival_client.post("/api/v1/invoices", json={
        "number": "R-1", "lines": [{"order_line_id": line_id, "quantity": 1}]})
    assert response.status_code == 404


async def test_who_sees_which_invoice(world, api, gloves):
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, gloves, ordered=2, shipped=2)
    invoice_id = (await vendor.post("/api/v1/invoices", json={
        "number": "INV-1", "shipment_ids": [order["shipments"][0]["id"]]})).json()["invoice"]["id"]
    rival = await make_company("vendor")
    outsiders = [world.other_buyer_admin, await make_user(rival.id, "vendor_admin")]
    for email in (world.purchaser, world.buyer_admin, world.vendor_admin, world.operator):
        client = await api(email)
        assert (await client.get(f"/api/v1/invoices/{invoice_id}")).status_code == 200, email
        assert (await client.get("/api/v1/invoices")).json()["total"] == 1
        pdf = await client.get(f"/api/v1/invoices/{invoice_id}/document.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for email in outsiders:
        client = await api(email)
        assert (await client.get(f"/api/v1/invoices/{invoice_id}")).status_code == 404
        assert (await client.get(f"/api/v1/invoices/{invoice_id}/document.pdf")).status_code == 404
        assert (await client.get("/api/v1/invoices")).json()["total"] == 0
    rival_client = await api(outsiders[1])
    response = await rival_client.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "1"})
    assert response.status_code == 404
    # the buyer reads, but records no payment
    assert (await buyer.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "1"})).status_code == 403


async def test_a_credit_note_gives_the_units_back_to_invoice_again(world, api, gloves):
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, gloves, ordered=2, shipped=2)
    shipment = order["shipments"][0]["id"]
    invoice_id = (await vendor.post("/api/v1/invoices", json={"number": "INV-1", "shipment_ids": [shipment]})
                  ).json()["invoice"]["id"]
    assert (await vendor.post(f"/api/v1/invoices/{invoice_id}/cancel", json={"reason": " "})).status_code == 400
    response = await vendor.post(f"/api/v1/invoices/{invoice_id}/cancel", json={"reason": "Wrong address"})
    assert response.status_code == 200 and response.json()["invoice"]["status"] == "cancelled"
    again = await vendor.post("/api/v1/invoices", json={"number": "INV-2", "shipment_ids": [shipment]})
    assert again.status_code == 201, again.text
    assert (await vendor.post(f"/api/v1/invoices/{invoice_id}/cancel", json={"reason": "x"})).status_code == 409


async def test_the_daily_job_marks_overdue_once_and_tells_the_buyer(world, api, gloves):
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, gloves, ordered=2, shipped=2)
    today = utcnow().date()
    invoice = (await vendor.post("/api/v1/invoices", json={
        "number": "INV-1", "shipment_ids": [order["shipments"][0]["id"]],
        "issued_on": (today - timedelta(days=31)).isoformat()})).json()["invoice"]
    assert invoice["status"] == "issued" and invoice["days_overdue"] == 1 and invoice["ageing"] == "1-30"
    # when the job runs twice
    assert await mark_overdue(today) == [invoice["id"]]
    assert await mark_overdue(today) == []
    # then the invoice is overdue, and the buyer heard once
    assert (await Invoice.select(Invoice.status).first())["status"] == "overdue"
    assert await OutboxEmail.count().where(OutboxEmail.subject.like("%INV-1%overdue")) == len(
        {world.buyer_admin, world.approver})
    listed = (await (await api(world.buyer_admin)).get("/api/v1/invoices?status=overdue")).json()
    assert [i["number"] for i in listed["items"]] == ["INV-1"]
    # and an overdue invoice can still be paid in full
    response = await vendor.post(f"/api/v1/invoices/{invoice['id']}/payments", json={"amount": "23.80"})
    assert response.json()["invoice"]["status"] == "paid"


@pytest.mark.parametrize("body", [
    {"number": "", "shipment_ids": [1]}, {"number": "A", "shipment_ids": [], "lines": []},
    {"number": "A", "shipment_ids": [1], "lines": [{"order_line_id": 1, "quantity": 1}]},
    {"number": "A", "shipment_ids": [999999]}, {"number": "A", "lines": [{"order_line_id": 999999, "quantity": 1}]},
    {"number": "A", "shipment_ids": [1], "issued_on": "2999-01-01"},
])
async def test_an_invoice_that_makes_no_sense_is_refused_with_what_to_fix(world, api, body):
    vendor = await api(world.vendor_admin)
    response = await vendor.post("/api/v1/invoices", json=body)
    assert response.status_code in (400, 404), response.text
    assert await Invoice.count() == 0


async def test_amounts_that_are_not_numbers_are_refused_not_crashed_on(world, api, gloves):
    buyer, vendor, operator = await api(world.purchaser), await api(world.vendor_admin), await api(world.operator)
    order = await shipped_order(buyer, vendor, gloves, ordered=2, shipped=2)
    line_id = order["lines"][0]["id"]
    for price in ("NaN", "Infinity", "-Infinity", "1e400"):
        response = await vendor.post("/api/v1/invoices", json={
            "number": "X", "lines": [{"order_line_id": line_id, "quantity": 1, "unit_price": price}]})
        assert response.status_code == 400, (price, response.text)
    invoice_id = (await vendor.post("/api/v1/invoices", json={
        "number": "INV-1", "shipment_ids": [order["shipments"][0]["id"]]})).json()["invoice"]["id"]
    for amount in ("NaN", "Infinity", "1e400", "0.00001", "-5", "0"):
        response = await vendor.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": amount})
        assert response.status_code in (400, 409), (amount, response.text)
        limit = await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                                   json={"currency": "EUR", "limit": amount})
        assert limit.status_code == 400 or amount == "0", (amount, limit.text)


async def test_who_may_see_an_invoice_says_the_same_in_python_and_in_sql(world, api, gloves):
    # given an invoice, and a user of every kind
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)
    order = await shipped_order(buyer, vendor, gloves, ordered=2, shipped=2)
    await vendor.post("/api/v1/invoices", json={"number": "INV-1", "shipment_ids": [order["shipments"][0]["id"]]})
    row = await Invoice.select().first()
    head = InvoiceHead(id=row["id"], number=row["number"], vendor_id=row["vendor"], buyer_id=row["buyer"],
                       status=InvoiceStatus(row["status"]), currency=row["currency"], gross=row["gross"],
                       paid=row["paid"])
    rival = await make_company("vendor")
    emails = [world.operator, world.buyer_admin, world.purchaser, world.approver, world.other_buyer_admin,
              world.vendor_admin, await make_user(rival.id, "vendor_sales")]
    seen = []
    for email in emails:
        principal = await load_principal(await user_id(email))
        scope, args = scope_sql(principal)
        in_sql = bool(await Invoice.raw(f"SELECT id FROM invoice i WHERE i.id = {{}} AND {scope}", head.id, *args))
        # then the list's SQL and the Python rule agree, for everyone
        assert in_sql is may_see(principal, head), email
        seen.append(in_sql)
    assert seen == [True, True, True, True, False, True, False]


async def test_an_order_billed_in_full_leaves_the_exposures_scan_and_a_credit_note_brings_it_back(world, api, gloves):
    buyer, vendor = await api(world.purchaser), await api(world.vendor_admin)

    async def billed_in_full() -> bool:
        return bool((await PurchaseOrder.select(PurchaseOrder.billed_in_full).first())["billed_in_full"])

    # given 5 ordered (59.50 gross) and shipped, invoiced in two parts
    order = await shipped_order(buyer, vendor, gloves, ordered=5, shipped=5)
    line_id = order["lines"][0]["id"]
    first = await vendor.post("/api/v1/invoices", json={"number": "INV-A",
                                                        "lines": [{"order_line_id": line_id, "quantity": 2}]})
    assert first.status_code == 201, first.text
    # then the order still holds its uninvoiced rest, and is read by the exposure
    assert not await billed_in_full()
    assert (await exposure_of(world.buyer.id, "EUR")).orders == Decimal("35.70")
    # when the rest is invoiced, the order is billed in full: the exposure is the invoices alone, unchanged in total
    second = await vendor.post("/api/v1/invoices", json={"number": "INV-B",
                                                         "lines": [{"order_line_id": line_id, "quantity": 3}]})
    assert second.status_code == 201, second.text
    assert await billed_in_full()
    exposure = await exposure_of(world.buyer.id, "EUR")
    assert (exposure.orders, exposure.invoices) == (Decimal(0), Decimal("59.50"))
    # when the vendor cancels one with a credit note, its units hold credit through the order again
    cancelled = await vendor.post(f"/api/v1/invoices/{second.json()['invoice']['id']}/cancel",
                                  json={"reason": "wrong quantity"})
    assert cancelled.status_code == 200, cancelled.text
    assert not await billed_in_full()
    exposure = await exposure_of(world.buyer.id, "EUR")
    assert (exposure.orders, exposure.invoices) == (Decimal("35.70"), Decimal("23.80"))
