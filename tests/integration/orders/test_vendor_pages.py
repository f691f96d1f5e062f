"""The vendor portal's order pages and the operators' order list: the vendor sees only the orders addressed to it,
confirms, ships in parts, rejects after a second look and answers a cancellation request through its pages; a refused
move says why and keeps what was typed; operators read every order and act on none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.money import format_money
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.orders import check_out
from tests.support.pages import error_beside, form_fields, main_of


@dataclass
class Placed:
    """One checkout of both vendors' listings: the order addressed to each vendor."""

    mine: dict
    rivals: dict


@pytest.fixture
async def shop(world):
    category = await a_category("Gloves")
    rival = await make_company("vendor", name="Rival Supplies")
    await an_address(world.buyer.id, "delivery", is_default=True)
    return {
        "rival": rival, "rival_sales": await make_user(rival.id, "vendor_sales"),
        "a_gloves": await a_listing(world.vendor.id, await a_product("Nitrile gloves M", category=category),
                                    "A-GLOVE", "10.00", stock=100),
        "b_gel": await a_listing(rival.id, await a_product("Hand gel", category=category), "B-GEL", "3.00", stock=50),
    }


@pytest.fixture
def place(world, api, shop):  # type: ignore[no-untyped-def]
    """`await place("PO-1")`: the purchaser checks out 10 gloves (the vendor's) and 5 gel (the rival's)."""

    async def checkout(po_number: str, gloves: int = 10) -> Placed:
        buyer = await api(world.purchaser)
        await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": gloves})
        await buyer.post("/api/v1/cart/lines", json={"listing_id": shop["b_gel"], "quantity": 5})
        response = await check_out(buyer, po_number)
        assert response.status_code == 201, response.text
        orders = {order["vendor_id"]: order for order in response.json()["orders"]}
        return Placed(mine=orders[world.vendor.id], rivals=orders[shop["rival"].id])

    return checkout


def order_numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/(?:vendor|operator)/orders/\d+">([^<]+)</a>', html)


async def post_form(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    page = await client.get("/vendor/orders")
    return await client.post(url, data={**fields, "_csrf_token": csrf_token(page.text)})


async def test_the_inbox_lists_only_the_vendors_orders_those_awaiting_confirmation_first(world, api, browser, place,
                                                                                          shop):
    # given two checkouts, the older one's order already confirmed by the vendor
    first = await place("PO-1")
    second = await place("PO-2")
    vendor_api = await api(world.vendor_admin)
    confirmed = await vendor_api.post(f"/api/v1/orders/{first.mine['id']}/confirm",
                                      json={"expected_ship_date": "2099-01-01"})
    assert confirmed.status_code == 200, confirmed.text
    # when the vendor opens its inbox
    vendor = await browser(world.vendor_admin)
    inbox = await vendor.get("/vendor/orders")
    # then it lists its own two orders, the one awaiting confirmation first, and none of the rival's
    assert inbox.status_code == 200
    assert order_numbers(inbox.text) == [second.mine["number"], first.mine["number"]]
    assert first.rivals["number"] not in inbox.text and "Rival Supplies" not in main_of(inbox.text)
    assert "1 order awaiting your confirmation" in inbox.text
    # and each row shows the buyer, the PO number, the status, the gross total and the expected ship date
    gross = format_money(Decimal(first.mine["gross"]), "EUR")
    assert world.buyer.name in inbox.text and "PO-1" in inbox.text and gross in inbox.text
    assert "Jan 1, 2099" in inbox.text and "confirmed" in inbox.text
    # and the filters narrow it
    only_confirmed = await vendor.get("/vendor/orders", params={"status": "confirmed"})
    assert order_numbers(only_confirmed.text) == [first.mine["number"]]
    by_po = await vendor.get("/vendor/orders", params={"po_number": "PO-2", "placed_from": "", "buyer_id": ""})
    assert order_numbers(by_po.text) == [second.mine["number"]]
    # a buyer that never ordered from the vendor is not among those it may filter by, as one that does not exist
    by_buyer = await vendor.get("/vendor/orders", params={"buyer_id": str(world.other_buyer.id)})
    missing = await vendor.get("/vendor/orders", params={"buyer_id": "999999"})
    assert by_buyer.status_code == missing.status_code == 400
    assert main_of(by_buyer.text) == main_of(missing.text) and "Buyer must be one of" in by_buyer.text
    assert "Nothing matches" in (await vendor.get("/vendor/orders", params={"q": "PO-404"})).text
    future = await vendor.get("/vendor/orders", params={"placed_from": "2099-01-01"})
    assert order_numbers(future.text) == []
    bad = await vendor.get("/vendor/orders", params={"placed_to": "soon"})
    assert bad.status_code == 400 and "Placed to must be a date such as" in bad.text
    # and the rival sees only its own
    rival = await browser(shop["rival_sales"])
    assert order_numbers((await rival.get("/vendor/orders")).text) == [second.rivals["number"], first.rivals["number"]]


async def test_the_vendor_confirms_and_ships_in_two_parts_through_the_pages(world, api, browser, place):
    order = (await place("PO-S")).mine
    vendor = await browser(world.vendor_admin)
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    # given a placed order: its lines at the captured price, the delivery address and the PDF link
    assert page.status_code == 200 and "Confirm order" in page.text and "Record shipment" not in page.text
    assert "A-GLOVE" in page.text and "10.00 EUR" in page.text and "Lagerstraße 12" in page.text
    assert f"/vendor/orders/{order['id']}/document.pdf" in page.text
    # when the vendor confirms with a ship date and a note
    done = await post_form(vendor, f"/vendor/orders/{order['id']}/confirm", expected_ship_date="2099-03-01",
                           confirm_note="Ships from Hamburg")
    assert done.status_code == 303 and done.headers["location"] == f"/vendor/orders/{order['id']}"
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    assert "The order is confirmed" in page.text and "Mar 1, 2099" in page.text and "Ships from Hamburg" in page.text
    # then the ship form offers all 10 that are left
    line_id = re.search(r'name="ship_(\d+)"[^>]*value="10"', page.text).group(1)
    # when it ships 4, then the rest
    part = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "4"},
                           carrier="DHL", tracking_number="JD0001")
    assert part.status_code == 303
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    assert "partially shipped" in page.text and "JD0001" in page.text
    assert re.search(rf'name="ship_{line_id}"[^>]*value="6"', page.text)
    rest = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "6"})
    assert rest.status_code == 303
    # then the order is shipped, in two shipments, and nothing is left to do
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    assert "Shipment 1" in page.text and "Shipment 2" in page.text and "Record shipment" not in page.text
    assert (await (await api(world.purchaser)).get(f"/api/v1/orders/{order['id']}")).json()["status"] == "shipped"


async def test_rejecting_asks_once_more_and_then_tells_the_buyer_the_reason(world, api, browser, place):
    order = (await place("PO-R")).mine
    vendor = await browser(world.vendor_admin)
    # a blank reason is refused at once
    blank = await post_form(vendor, f"/vendor/orders/{order['id']}/reject", reason="  ")
    assert blank.status_code == 400 and error_beside(blank.text, "reason") == "A reason is needed to reject this order."
    # when the vendor gives a reason, it is asked once more and nothing happens yet
    asked = await post_form(vendor, f"/vendor/orders/{order['id']}/reject", reason="Discontinued item")
    assert asked.status_code == 200 and "cannot be undone" in asked.text and "Discontinued item" in asked.text
    buyer = await api(world.purchaser)
    assert (await buyer.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "placed"
    # when it confirms the rejection
    done = await vendor.post(f"/vendor/orders/{order['id']}/reject",
                             data={"reason": "Discontinued item", "confirmed": "yes",
                                   "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    # then the order is rejected with the reason, and the page offers no move
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    assert "rejected" in page.text and "Discontinued item" in page.text
    assert "Confirm order" not in page.text and "Reject order" not in page.text
    detail = (await buyer.get(f"/api/v1/orders/{order['id']}")).json()
    assert (detail["status"], detail["rejection_reason"]) == ("rejected", "Discontinued item")


async def test_a_refused_move_shows_the_reason_and_keeps_what_was_typed(world, api, browser, place):
    order = (await place("PO-E")).mine
    line_id = (await (await api(world.purchaser)).get(f"/api/v1/orders/{order['id']}")).json()["lines"][0]["id"]
    vendor = await browser(world.vendor_admin)
    # a ship date in the past
    past = await post_form(vendor, f"/vendor/orders/{order['id']}/confirm", expected_ship_date="2000-01-01",
                           confirm_note="Early bird")
    assert past.status_code == 400
    assert error_beside(past.text, "expected_ship_date") == "The expected ship date cannot be in the past."
    assert 'value="2000-01-01"' in past.text and ">Early bird</textarea>" in past.text
    # shipping before confirmation: the order's state refuses it, saying why
    early = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "1"})
    assert early.status_code == 409 and "the vendor has not confirmed it yet" in early.text
    # once confirmed, shipping more than ordered is refused and the quantities and tracking number stay
    assert (await post_form(vendor, f"/vendor/orders/{order['id']}/confirm",
                            expected_ship_date="2099-01-01")).status_code == 303
    too_many = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "11"},
                               carrier="UPS", tracking_number="1Z999")
    assert too_many.status_code == 400
    assert error_beside(too_many.text, f"ship_{line_id}") == (
        "Line 1: 11 shipped in all would be more than the 10 ordered.")
    assert error_beside(too_many.text, "carrier") == ""
    assert re.search(rf'name="ship_{line_id}"[^>]*value="11"', too_many.text)
    assert 'value="UPS"' in too_many.text and 'value="1Z999"' in too_many.text
    # and confirming twice is refused by the order's state
    again = await post_form(vendor, f"/vendor/orders/{order['id']}/confirm", expected_ship_date="2099-02-01")
    assert again.status_code == 409 and "already confirmed" in again.text
    # a quantity that is not a number and a carrier past its limit are each said beside their field, at once
    wrong = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "two"},
                            carrier="C" * 101, tracking_number="1Z999", ship_note="Fragile")
    assert wrong.status_code == 400
    assert error_beside(wrong.text, f"ship_{line_id}") == (
        "Line 1: a quantity to ship is a whole number of units, such as 3.")
    assert 'value="two"' in wrong.text and 'value="1Z999"' in wrong.text and ">Fragile</textarea>" in wrong.text
    long_carrier = await post_form(vendor, f"/vendor/orders/{order['id']}/shipments", **{f"ship_{line_id}": "2"},
                                   carrier="C" * 101, tracking_number="1Z999")
    assert long_carrier.status_code == 400
    assert error_beside(long_carrier.text, "carrier") == "Carrier: must be at most 100 characters"
    assert 'value="' + "C" * 101 + '"' in long_carrier.text


async def test_the_vendor_answers_a_cancellation_request_from_the_page(world, api, browser, place):
    order = (await place("PO-C")).mine
    vendor_api, buyer = await api(world.vendor_admin), await api(world.purchaser)
    await vendor_api.post(f"/api/v1/orders/{order['id']}/confirm", json={"expected_ship_date": "2099-01-01"})
    await buyer.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "Budget cut"})
    vendor = await browser(world.vendor_admin)
    page = await vendor.get(f"/vendor/orders/{order['id']}")
    assert "The buyer asks to cancel this order" in page.text and "Budget cut" in page.text
    assert "Record shipment" not in page.text and "Confirm order" not in page.text
    refused = await post_form(vendor, f"/vendor/orders/{order['id']}/cancellation", answer="refuse",
                              cancellation_note="Already packed")
    assert refused.status_code == 303
    assert (await buyer.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "confirmed"


async def test_another_vendors_order_is_the_same_404_as_a_missing_one(world, browser, place, shop):
    order = (await place("PO-T")).mine
    rival = await browser(shop["rival_sales"])
    theirs = await rival.get(f"/vendor/orders/{order['id']}")
    missing = await rival.get("/vendor/orders/999999")
    assert theirs.status_code == missing.status_code == 404
    assert main_of(theirs.text) == main_of(missing.text) and "No such order." in theirs.text
    # and a move on it is refused the same way, changing nothing
    moved = await post_form(rival, f"/vendor/orders/{order['id']}/confirm", expected_ship_date="2099-01-01")
    assert moved.status_code == 404 and main_of(moved.text) == main_of(missing.text)
    assert "Confirm order" in (await (await browser(world.vendor_admin)).get(f"/vendor/orders/{order['id']}")).text


async def test_operators_read_every_order_and_act_on_none_and_buyers_stay_out(world, browser, place, shop):
    placed = await place("PO-O")
    operator = await browser(world.operator)
    # the operator lists every vendor's orders and filters them
    listing = await operator.get("/operator/orders")
    assert listing.status_code == 200
    assert sorted(order_numbers(listing.text)) == sorted([placed.mine["number"], placed.rivals["number"]])
    only_rival = await operator.get("/operator/orders", params={"vendor_id": str(shop["rival"].id), "buyer_id": ""})
    assert order_numbers(only_rival.text) == [placed.rivals["number"]]
    # and reads an order without any form to act on it (the only form is the header's log-out)
    detail = await operator.get(f"/operator/orders/{placed.mine['id']}")
    assert detail.status_code == 200 and "A-GLOVE" in detail.text
    # no form that changes anything (the lines' grid searches with a GET)
    body = main_of(detail.text)
    assert body.count("<form") == body.count('<form method="get"') == 1 and "Confirm order" not in detail.text
    assert (await operator.get("/vendor/orders")).status_code == 403
    refused = await operator.post(f"/vendor/orders/{placed.mine['id']}/confirm",
                                  data={"expected_ship_date": "2099-01-01", "_csrf_token": csrf_token(detail.text)})
    assert refused.status_code == 403
    # a buyer cannot open the vendor's or the operators' order pages, nor a vendor the operators'
    buyer = await browser(world.purchaser)
    assert (await buyer.get("/vendor/orders")).status_code == 403
    assert (await buyer.get(f"/vendor/orders/{placed.mine['id']}")).status_code == 403
    assert (await buyer.get("/operator/orders")).status_code == 403
    assert (await (await browser(world.vendor_admin)).get("/operator/orders")).status_code == 403


async def test_the_dashboards_count_orders_to_confirm_to_ship_and_placed_lately(world, api, browser, place):
    first = await place("PO-D1")
    await place("PO-D2")
    await (await api(world.vendor_admin)).post(f"/api/v1/orders/{first.mine['id']}/confirm",
                                               json={"expected_ship_date": "2099-01-01"})
    vendor_page = (await (await browser(world.vendor_admin)).get("/dashboard")).text
    assert re.search(r"<dt>Awaiting your confirmation</dt><dd><a [^>]*>1<", vendor_page)
    assert re.search(r"<dt>Confirmed, not shipped yet</dt><dd><a [^>]*>1<", vendor_page)
    operator_page = (await (await browser(world.operator)).get("/dashboard")).text
    assert re.search(r"<dt>Placed today</dt><dd><a [^>]*>4<", operator_page)
    assert re.search(r"<dt>Placed this week</dt><dd><a [^>]*>4<", operator_page)


async def test_accepting_a_cancellation_asks_once_more_then_cancels(world, api, browser, place):
    order = (await place("PO-CA")).mine
    vendor_api, buyer = await api(world.vendor_admin), await api(world.purchaser)
    await vendor_api.post(f"/api/v1/orders/{order['id']}/confirm", json={"expected_ship_date": "2099-01-01"})
    await buyer.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "Budget cut"})
    vendor = await browser(world.vendor_admin)
    action = f"/vendor/orders/{order['id']}/cancellation"
    # a note past its bound is said beside it, kept
    long = await post_form(vendor, action, answer="accept", cancellation_note="n" * 2001)
    assert long.status_code == 400
    assert error_beside(long.text, "cancellation_note") == "Note to the buyer: must be at most 2,000 characters"
    # the first "Accept" only says what follows
    asked = await post_form(vendor, action, answer="accept", cancellation_note="Sorry to see it go")
    assert asked.status_code == 200 and "cannot be undone" in asked.text and "Budget cut" in asked.text
    assert (await buyer.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "cancellation_requested"
    # its "Yes" cancels, with the note
    done = await vendor.post(action, data={**form_fields(asked.text, action), "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    assert (await buyer.get(f"/api/v1/orders/{order['id']}")).json()["status"] == "cancelled"
