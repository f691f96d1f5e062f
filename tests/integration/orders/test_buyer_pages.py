"""The buyer's ordering pages through a signed-in browser client: the cart priced with its reasons and problems,
checkout (happy, changed, double-clicked), the order history's filters, an order's tenancy, and the buyer's moves on
an order (cancel, receipt, reorder), all with session cookies and CSRF as a browser sends them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.catalog.tables import Listing
from app.clock import utcnow
from app.orders import views
from app.orders.tables import OrderGroup, PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.pages import error_beside, form_fields, main_of


@pytest.fixture
async def shop(world):
    """Two vendors: gloves from the world's vendor, gel and tape (in USD) from a rival; a default delivery address."""
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel", category=category)
    tape = await a_product("Packing tape", category=category)
    rival = await make_company("vendor", name="Rival Supplies")
    return {
        "gloves": gloves, "gel": gel, "tape": tape, "rival": rival,
        "rival_sales": await make_user(rival.id, "vendor_sales"),
        "address": await an_address(world.buyer.id, "delivery", is_default=True),
        "a_gloves": await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100),
        "b_gel": await a_listing(rival.id, gel, "B-GEL", "3.00", stock=50),
        "b_tape": await a_listing(rival.id, tape, "B-TAPE", "2.50", stock=50, currency="USD"),
    }


async def add_from_product_page(client, product: int, listing: int, quantity: int):  # type: ignore[no-untyped-def]
    page = await client.get(f"/catalog/products/{product}")
    fields = {**form_fields(page.text, "/cart/lines"), "listing_id": str(listing), "quantity": str(quantity)}
    return await client.post("/cart/lines", data=fields)


async def checkout_form(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = await client.get("/checkout")
    assert page.status_code == 200, page.text
    return form_fields(page.text, "/checkout")


async def place(client, po_number: str, **typed: str):  # type: ignore[no-untyped-def]
    return await client.post("/checkout", data={**await checkout_form(client), "po_number": po_number, **typed})


async def an_order(client, shop, po_number: str, quantity: int = 10, listing: str = "a_gloves") -> int:  # type: ignore[no-untyped-def]
    product = {"a_gloves": "gloves", "b_gel": "gel", "b_tape": "tape"}[listing]
    await add_from_product_page(client, shop[product], shop[listing], quantity)
    assert (await place(client, po_number)).status_code == 303
    row = await PurchaseOrder.select(PurchaseOrder.id).where(PurchaseOrder.group.po_number == po_number).first()
    return row["id"]


# --- the cart -------------------------------------------------------------------------------------


async def test_the_cart_shows_each_line_priced_with_its_reason_its_problems_and_totals_per_currency(
    world, browser, shop
):
    # given gel sold from 10 units, and a buyer who adds from the product pages
    await Listing.update({Listing.min_order_qty: 10}).where(Listing.id == shop["b_gel"])
    buyer = await browser(world.purchaser)
    added = await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 4)
    # then it goes back to the product page, which says what is in the cart
    assert added.status_code == 303
    assert added.headers["location"] == f"/catalog/products/{shop['gloves']}?quantity=1"
    back = await buyer.get(added.headers["location"])
    assert "Nitrile gloves M (A-GLOVE): 4 now in your cart." in back.text
    await add_from_product_page(buyer, shop["gel"], shop["b_gel"], 4)
    await add_from_product_page(buyer, shop["tape"], shop["b_tape"], 2)
    # when the buyer opens the cart
    page = await buyer.get("/cart")
    # then each line shows its item, vendor, unit price and why, net, tax and gross
    assert page.status_code == 200
    html = page.text
    for expected in ("Nitrile gloves M", "SKU A-GLOVE", "Rival Supplies", "10.00 EUR", "List price", "40.00 EUR",
                     "7.60 EUR", "47.60 EUR", "2.50 USD", "5.00 USD"):
        assert expected in html, expected
    # and the gel line is flagged with the rule and the quantity that could be ordered
    assert "Cannot be ordered as it is:" in html and "The minimum order quantity is 10." in html
    assert re.search(r'name="quantity" value="10">\s*<button type="submit" class="small">10</button>', html)
    assert "1 line cannot be ordered as it is" in html and 'href="/checkout"' not in html
    # and the totals are per currency, never one sum of euros and dollars
    totals = html.split("Totals per currency", 1)[1]
    assert "EUR" in totals and "USD" in totals and "47.60 EUR" in totals and "5.95 USD" in totals


async def test_changing_and_removing_lines_with_and_without_htmx(world, browser, shop):
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 4)
    page = await buyer.get("/cart")
    line_id = re.search(r'/cart/lines/(\d+)/quantity', page.text).group(1)
    token = csrf_token(page.text)
    # a plain form: 303 back to the cart with a flash
    changed = await buyer.post(f"/cart/lines/{line_id}/quantity", data={"quantity": "6", "_csrf_token": token})
    assert changed.status_code == 303 and changed.headers["location"] == "/cart"
    page = await buyer.get("/cart")
    assert "The quantity is changed." in page.text and "60.00 EUR" in page.text
    # htmx: the cart alone comes back, updated in place
    partial = await buyer.post(f"/cart/lines/{line_id}/quantity", data={"quantity": "7", "_csrf_token": token},
                               headers={"HX-Request": "true"})
    assert partial.status_code == 200 and partial.text.lstrip().startswith("<div id=\"cart\">")
    assert "<html" not in partial.text and "70.00 EUR" in partial.text
    # a bad quantity says why, on the page
    bad = await buyer.post(f"/cart/lines/{line_id}/quantity", data={"quantity": "0", "_csrf_token": token})
    assert bad.status_code == 400 and "70.00 EUR" in bad.text
    assert error_beside(bad.text, f"cart-quantity-{line_id}") == "Quantity: must be 1 or more"
    assert form_fields(bad.text, f"/cart/lines/{line_id}/quantity")["quantity"] == "0"
    # and through htmx, the fragment (htmx swaps only a 2xx) says it beside the field, with what was typed
    wrong = await buyer.post(f"/cart/lines/{line_id}/quantity", data={"quantity": "seven", "_csrf_token": token},
                             headers={"HX-Request": "true"})
    assert wrong.status_code == 200 and "<html" not in wrong.text
    assert error_beside(wrong.text, f"cart-quantity-{line_id}") == "Quantity must be a whole number."
    assert form_fields(wrong.text, f"/cart/lines/{line_id}/quantity")["quantity"] == "seven"
    # another buyer's line is not found, and the line is removed by its owner
    other = await browser(world.other_buyer_admin)
    other_page = await other.get("/cart")
    refused = await other.post(f"/cart/lines/{line_id}/remove", data={"_csrf_token": csrf_token(other_page.text)})
    assert refused.status_code == 404 and "No such cart line." in refused.text
    removed = await buyer.post(f"/cart/lines/{line_id}/remove", data={"_csrf_token": token})
    assert removed.status_code == 303
    assert "Your cart is empty." in (await buyer.get("/cart")).text


# --- checkout -------------------------------------------------------------------------------------


async def test_checkout_places_one_order_per_vendor_and_shows_them(world, browser, shop):
    # given a cart with a line of each vendor
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 4)
    await add_from_product_page(buyer, shop["gel"], shop["b_gel"], 10)
    # when the buyer opens checkout
    page = await buyer.get("/checkout")
    fields = form_fields(page.text, "/checkout")
    # then the default address is chosen, the lines travel as seen, and the form carries a one-time token
    assert fields["delivery_address_id"] == str(shop["address"].id)
    assert {key for key in fields if key.startswith("line_")} == {
        f"line_{line}_{field}" for line in re.findall(r'name="line_(\d+)_quantity"', page.text)
        for field in ("quantity", "unit_price", "net")}
    assert re.fullmatch(r"[0-9a-f-]{36}", fields["token"])
    assert "40.00 EUR" in page.text and "30.00 EUR" in page.text
    # when it places the order
    placed = await buyer.post("/checkout", data={**fields, "po_number": "PO-7", "note": "Dock 3",
                                                 "requested_delivery_date": (utcnow().date() + timedelta(days=9))
                                                 .isoformat()})
    # then it lands on that PO number's orders, one per vendor
    assert placed.status_code == 303, placed.text
    assert placed.headers["location"] == "/orders?po_number=PO-7"
    orders = await buyer.get(placed.headers["location"])
    assert re.search(r"Order O-\d+ is placed with your PO number PO-7: O-\d+-1 to Vendor \d+, O-\d+-2 to Rival "
                     "Supplies.", orders.text)
    assert "1\u20132 of 2" in orders.text
    assert "Your cart is empty." in (await buyer.get("/cart")).text


async def test_a_changed_price_shows_the_changes_and_the_new_figures_and_keeps_what_was_typed(world, browser, shop):
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 4)
    fields = await checkout_form(buyer)
    # when the price changes while the buyer types
    await Listing.update({Listing.base_price: 12_0000}).where(Listing.id == shop["a_gloves"])
    refused = await buyer.post("/checkout", data={**fields, "po_number": "PO-CHG", "note": "Gate B"})
    # then nothing is ordered, every change is listed, the new figures are shown, and what was typed is kept
    assert refused.status_code == 409
    assert await OrderGroup.count() == 0
    html = refused.text
    assert "What changed since you looked" in html and "the unit price is now 12.00 EUR, not 10.00 EUR" in html
    assert "12.00 EUR" in html and "48.00 EUR" in html and "40.00 EUR" not in html
    again = form_fields(html, "/checkout")
    assert (again["po_number"], again["note"]) == ("PO-CHG", "Gate B")
    assert again["delivery_address_id"] == str(shop["address"].id) and again["token"] != fields["token"]
    # and confirming the new figures places the order
    placed = await buyer.post("/checkout", data=again)
    assert placed.status_code == 303 and await OrderGroup.count() == 1


async def test_a_double_clicked_checkout_makes_one_order_group(world, browser, shop):
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 2)
    fields = {**await checkout_form(buyer), "po_number": "PO-DBL"}
    first = await buyer.post("/checkout", data=fields)
    second = await buyer.post("/checkout", data=fields)
    assert first.status_code == second.status_code == 303, second.text
    assert first.headers["location"] == second.headers["location"] == "/orders?po_number=PO-DBL"
    assert await OrderGroup.count() == 1 and await PurchaseOrder.count() == 1


async def test_checkout_errors_keep_what_was_typed_and_no_address_says_whom_to_ask(world, browser, shop):
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gloves"], shop["a_gloves"], 2)
    fields = await checkout_form(buyer)
    past = await buyer.post("/checkout", data={**fields, "po_number": "PO-P", "note": "Keep me",
                                               "requested_delivery_date": "2001-01-01"})
    assert past.status_code == 400
    assert error_beside(past.text, "requested_delivery_date") == (
        "Requested delivery date: cannot be in the past; choose today or later.")
    kept = form_fields(past.text, "/checkout")
    assert (kept["po_number"], kept["note"], kept["requested_delivery_date"]) == ("PO-P", "Keep me", "2001-01-01")
    # a blank PO number, a note past its limit and a date that is no date are each said beside their field at once,
    # and the whole note comes back
    wrong = await buyer.post("/checkout", data={**fields, "po_number": " ", "note": "n" * 2001,
                                                "requested_delivery_date": "31/01/2027"})
    assert wrong.status_code == 400
    assert error_beside(wrong.text, "po_number") == "PO number: enter your purchase order number."
    assert error_beside(wrong.text, "note") == (
        "Note to the vendors: must be at most 2,000 characters (this one has 2,001).")
    assert error_beside(wrong.text, "requested_delivery_date") == (
        "Requested delivery date must be a date such as 2027-01-31.")
    assert form_fields(wrong.text, "/checkout")["note"] == "n" * 2001
    assert await OrderGroup.count() == 0
    # a company without a delivery address is told to ask an admin
    other = await browser(world.other_buyer_admin)
    await add_from_product_page(other, shop["gloves"], shop["a_gloves"], 2)
    page = await other.get("/checkout")
    assert "no delivery address yet" in page.text and "Ask an admin" in page.text
    assert 'action="/checkout"' not in page.text


# --- orders ---------------------------------------------------------------------------------------


async def test_the_order_history_filters_by_status_vendor_date_and_po_number_and_pages(
    world, browser, api, shop, monkeypatch
):
    buyer = await browser(world.purchaser)
    first = await an_order(buyer, shop, "PO-1")
    await an_order(buyer, shop, "PO-2", listing="b_gel")
    await an_order(buyer, shop, "PO-3")
    assert (await (await api(world.purchaser)).post(f"/api/v1/orders/{first}/cancel", json={})).status_code == 200
    page = (await buyer.get("/orders")).text
    # newest first, each row linking to its order
    numbers = re.findall(r'<a href="/orders/\d+">(O-\d+-\d+)</a>', page)
    assert len(numbers) == 3
    assert page.index("PO-3") < page.index("PO-2") < page.index("PO-1")
    assert f'href="/orders/{first}"' in page

    async def listed(**params: str) -> list[str]:
        html = (await buyer.get("/orders", params=params)).text
        return re.findall(r"<td>(PO-\d)</td>", html)

    assert await listed(status="cancelled") == ["PO-1"]
    assert await listed(vendor_id=str(shop["rival"].id)) == ["PO-2"]
    assert await listed(po_number="PO-3") == ["PO-3"]
    today = utcnow().date()
    assert await listed(placed_from=today.isoformat(), placed_to=today.isoformat()) == ["PO-3", "PO-2", "PO-1"]
    assert await listed(placed_from=(today + timedelta(days=1)).isoformat()) == []
    bad = await buyer.get("/orders", params={"status": "lost"})
    assert bad.status_code == 400 and "Status must be one of" in bad.text
    # paged in the database, the filters kept from page to page
    monkeypatch.setattr(views, "LIST_PER_PAGE", 1)
    second = (await buyer.get("/orders", params={"vendor_id": str(world.vendor.id), "page": "2"})).text
    assert "Page 2 of 2" in second and re.findall(r"<td>(PO-\d)</td>", second) == ["PO-1"]
    assert f'href="/orders?vendor_id={world.vendor.id}"' in second  # back to page 1


async def test_another_companys_or_a_colleague_purchasers_order_is_the_same_404_as_a_missing_one(
    world, browser, shop
):
    buyer = await browser(world.purchaser)
    order = await an_order(buyer, shop, "PO-T")
    page = await buyer.get(f"/orders/{order}")
    assert page.status_code == 200 and "Nitrile gloves M" in page.text
    colleague = await browser(await make_user(world.buyer.id, "purchaser"))
    for client in (await browser(world.other_buyer_admin), colleague):
        missing = await client.get("/orders/999999")
        theirs = await client.get(f"/orders/{order}")
        assert missing.status_code == theirs.status_code == 404
        assert main_of(theirs.text) == main_of(missing.text) and "No such order." in missing.text
        token = csrf_token((await client.get("/orders")).text)
        moved = await client.post(f"/orders/{order}/cancel", data={"confirm": "yes", "_csrf_token": token})
        assert moved.status_code == 404 and main_of(moved.text) == main_of(missing.text)
        assert "PO-T" not in (await client.get("/orders")).text
    # the company's approver sees every order of the company
    assert (await (await browser(world.approver)).get(f"/orders/{order}")).status_code == 200


async def test_the_buyer_cancels_only_when_it_confirms_and_asks_and_withdraws_after_confirmation(
    world, browser, api, shop
):
    buyer = await browser(world.purchaser)
    order = await an_order(buyer, shop, "PO-X1")
    page = await buyer.get(f"/orders/{order}")
    assert "Cancel order" in page.text and f'href="/orders/{order}/document.pdf"' in page.text
    token = csrf_token(page.text)
    # without the box ticked nothing happens, and the reason typed stays
    unticked = await buyer.post(f"/orders/{order}/cancel", data={"reason": "Ordered twice", "_csrf_token": token})
    assert unticked.status_code == 400 and "Ordered twice" in unticked.text
    assert error_beside(unticked.text, "confirm").startswith("Tick the box")
    cancelled = await buyer.post(f"/orders/{order}/cancel",
                                 data={"reason": "Ordered twice", "confirm": "yes", "_csrf_token": token})
    assert cancelled.status_code == 303 and cancelled.headers["location"] == f"/orders/{order}"
    page = await buyer.get(f"/orders/{order}")
    assert "The order is cancelled; the vendor is told." in page.text and "Ordered twice" in page.text
    assert "Cancel order" not in page.text and "cancelled" in page.text
    # after the vendor confirms, the buyer can only ask, then withdraw its request
    confirmed = await an_order(buyer, shop, "PO-X2")
    vendor = await api(world.vendor_admin)
    await vendor.post(f"/api/v1/orders/{confirmed}/confirm", json={"expected_ship_date": "2099-01-01"})
    page = await buyer.get(f"/orders/{confirmed}")
    assert "Request cancellation" in page.text and "Cancel order" not in page.text
    asked = await buyer.post(f"/orders/{confirmed}/cancel", data={"reason": "Budget cut", "_csrf_token": token})
    assert asked.status_code == 303
    page = await buyer.get(f"/orders/{confirmed}")
    assert "The vendor is asked to cancel the order." in page.text and "Withdraw cancellation request" in page.text
    withdrawn = await buyer.post(f"/orders/{confirmed}/cancellation/withdraw", data={"_csrf_token": token})
    assert withdrawn.status_code == 303
    assert "Your cancellation request is withdrawn." in (await buyer.get(f"/orders/{confirmed}")).text


async def test_the_buyer_records_receipt_of_what_was_shipped_in_parts(world, browser, api, shop):
    buyer = await browser(world.purchaser)
    order = await an_order(buyer, shop, "PO-R", quantity=10)
    vendor = await api(world.vendor_admin)
    await vendor.post(f"/api/v1/orders/{order}/confirm", json={"expected_ship_date": "2099-01-01"})
    line = (await vendor.get(f"/api/v1/orders/{order}")).json()["lines"][0]["id"]
    await vendor.post(f"/api/v1/orders/{order}/shipments",
                      json={"lines": [{"line_id": line, "quantity": 4}], "carrier": "DHL", "tracking_number": "JD1"})
    # the receipt form offers what was shipped and not yet received
    page = await buyer.get(f"/orders/{order}")
    assert "DHL" in page.text and "JD1" in page.text
    fields = form_fields(page.text, f"/orders/{order}/receipts")
    assert fields[f"received_{line}"] == "4"
    too_many = await buyer.post(f"/orders/{order}/receipts", data={**fields, f"received_{line}": "5"})
    assert too_many.status_code == 400 and "more than the 4 shipped" in error_beside(too_many.text, f"received_{line}")
    assert form_fields(too_many.text, f"/orders/{order}/receipts")[f"received_{line}"] == "5"
    received = await buyer.post(f"/orders/{order}/receipts", data=fields)
    assert received.status_code == 303
    page = await buyer.get(f"/orders/{order}")
    assert "The receipt is recorded." in page.text and f'/orders/{order}/receipts"' not in page.text
    # and the rest, once shipped, delivers the order
    await vendor.post(f"/api/v1/orders/{order}/shipments", json={"lines": [{"line_id": line, "quantity": 6}]})
    fields = form_fields((await buyer.get(f"/orders/{order}")).text, f"/orders/{order}/receipts")
    assert fields[f"received_{line}"] == "6"
    assert (await buyer.post(f"/orders/{order}/receipts", data=fields)).status_code == 303
    page = await buyer.get(f"/orders/{order}")
    assert "the order is delivered" in page.text and "delivered" in main_of(page.text)
    # the dashboard counts what awaits receipt, and lists the recent orders
    dashboard = (await buyer.get("/dashboard")).text
    assert "<dt>Awaiting your receipt</dt><dd>0</dd>" in dashboard and f'href="/orders/{order}"' in dashboard


async def test_reorder_puts_the_lines_in_the_cart_and_says_what_was_skipped_or_priced_anew(world, browser, shop):
    buyer = await browser(world.purchaser)
    await add_from_product_page(buyer, shop["gel"], shop["b_gel"], 10)
    await add_from_product_page(buyer, shop["tape"], shop["b_tape"], 4)
    assert (await place(buyer, "PO-RE")).status_code == 303
    order = (await PurchaseOrder.select(PurchaseOrder.id).where(PurchaseOrder.currency == "EUR").first())["id"]
    tape_order = (await PurchaseOrder.select(PurchaseOrder.id).where(PurchaseOrder.currency == "USD").first())["id"]
    # when the gel costs more today and the tape is withdrawn
    await Listing.update({Listing.base_price: 3_5000}).where(Listing.id == shop["b_gel"])
    await Listing.update({Listing.status: "suspended"}).where(Listing.id == shop["b_tape"])
    page = await buyer.get(f"/orders/{order}")
    token = csrf_token(page.text)
    done = await buyer.post(f"/orders/{order}/reorder", data={"_csrf_token": token})
    # then the gel is in the cart and the buyer is told its price changed
    assert done.status_code == 303 and done.headers["location"] == "/cart"
    cart = (await buyer.get("/cart")).text
    assert "1 line of the order added to your cart" in cart and "SKU B-GEL" in cart
    assert "Line 1 (Hand gel): 3.50 EUR today (List price), was 3.00 EUR." in cart
    # and the withdrawn tape is skipped, said so, never added
    skipped = await buyer.post(f"/orders/{tape_order}/reorder", data={"_csrf_token": token})
    assert skipped.status_code == 303
    cart = (await buyer.get("/cart")).text
    assert "0 lines of the order added" in cart and "no longer available to your company, not added" in cart
    assert "SKU B-TAPE" not in cart
