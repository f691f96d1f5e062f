"""A vendor invoices what it shipped from its order's page, through the one `issuing.issue`: the shipments ticked,
its number and issue date; a refusal beside its field with every value kept; a buyer gets the 404 of a missing page,
another vendor the 404 of a missing order. The payment form reads the amount as its reader writes amounts."""

from __future__ import annotations

from app.billing.tables import Invoice
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.invoices import shipped_order


async def test_the_vendor_invoices_its_shipments_from_the_order_page(world, api, browser):
    # given an order of four boxes, shipped
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)
    order = await shipped_order(await api(world.purchaser), await api(world.vendor_admin), listing, ordered=4,
                                shipped=4)
    vendor = await browser(world.vendor_admin)
    detail = await vendor.get(f"/vendor/orders/{order['id']}")
    assert f"/invoices/new?order={order['id']}" in detail.text
    form = await vendor.get(f"/invoices/new?order={order['id']}")
    assert form.status_code == 200 and 'name="shipment_ids"' in form.text and " checked" in form.text
    token = csrf_token(form.text)
    shipment = str(order["shipments"][0]["id"])
    # when it issues one dated in the future, then it is refused beside the date, values kept
    refused = await vendor.post("/invoices/new", data={"_csrf_token": token, "order": str(order["id"]),
                                                       "number": "INV-77", "issued_on": "2999-01-01",
                                                       "shipment_ids": [shipment], "note": "Thanks"})
    assert refused.status_code == 400 and 'id="issued_on-error"' in refused.text
    assert 'value="INV-77"' in refused.text and ">Thanks</textarea>" in refused.text
    # and ticking nothing is refused beside the shipments
    nothing = await vendor.post("/invoices/new", data={"_csrf_token": token, "order": str(order["id"]),
                                                       "number": "INV-77"})
    assert nothing.status_code == 400 and 'id="shipment_ids-error"' in nothing.text
    # when it issues it, then the invoice bills the four boxes
    made = await vendor.post("/invoices/new", data={"_csrf_token": token, "order": str(order["id"]),
                                                    "number": "INV-77", "issued_on": "", "shipment_ids": [shipment]})
    assert made.status_code == 303, made.text
    invoice = await Invoice.select().where(Invoice.number == "INV-77").first()
    assert made.headers["location"] == f"/invoices/{invoice['id']}" and invoice["net"] == 40_0000
    # and the payment form reads a German reader's amount
    assert (await (await api(world.vendor_admin)).patch("/api/v1/me", json={"locale": "de_DE"})).status_code == 200
    paid = await vendor.post(f"/invoices/{invoice['id']}/payments", data={"_csrf_token": token, "amount": "10,50"})
    assert paid.status_code == 303, paid.text
    assert await Invoice.select(Invoice.paid).where(Invoice.id == invoice["id"]).first() == {"paid": 10_5000}


async def test_only_the_orders_vendor_may_invoice_it(world, api, browser):
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)
    order = await shipped_order(await api(world.purchaser), await api(world.vendor_admin), listing, ordered=2,
                                shipped=2)
    # a buyer: the page does not exist
    buyer = await browser(world.buyer_admin)
    missing_page = await buyer.get("/invoices/nothing-here")
    assert (await buyer.get(f"/invoices/new?order={order['id']}")).text == missing_page.text
    # another vendor: the order does not exist
    rival = await make_company("vendor", name="Rival")
    rival_user = await make_user(rival.id, "vendor_admin")
    other = await browser(rival_user)
    theirs = await other.get(f"/invoices/new?order={order['id']}")
    absent = await other.get("/invoices/new?order=2147483000")
    assert theirs.status_code == absent.status_code == 404
    assert (await other.get("/invoices/new?order=abc")).status_code == 400
