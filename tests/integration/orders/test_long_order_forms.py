"""The forms that take a value per line stay workable on a long order or contract: the vendor ships a 60-line order
a page of lines at a time, the buyer records its receipt, the buyer reprices a 60-line contract; moving between pages,
filtering and a refusal keep every value typed, and every refused line is said at once, beside it, in the user's
words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import db
from app.contracts.tables import Contract
from tests.support.accounts import an_address
from tests.support.catalog import a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.orders import check_out
from tests.support.pages import error_beside, form_fields, main_of

LINES = 60


def visible_inputs(html: str, prefix: str) -> list[str]:
    """The names of the line fields the page shows (not the hidden ones carried along)."""
    return re.findall(rf'<input id="[^"]+" name="({prefix}\d+)" (?:type="number"|inputmode)', html)


@pytest.fixture
async def long_order(world, api):
    """A placed and confirmed order of the vendor's with 60 lines of 4 units each; its id and line ids by number."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    buyer = await api(world.purchaser)
    for number in range(1, LINES + 1):
        listing = await a_listing(world.vendor.id, await a_product(f"Item {number:03}"), f"LONG-{number:03}",
                                  "2.00", stock=100)
        await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 4})
    placed = await check_out(buyer, "PO-LONG")
    assert placed.status_code == 201, placed.text
    order = placed.json()["orders"][0]
    vendor = await api(world.vendor_admin)
    assert (await vendor.post(f"/api/v1/orders/{order['id']}/confirm",
                              json={"expected_ship_date": "2099-01-01"})).status_code == 200
    body = (await vendor.get(f"/api/v1/orders/{order['id']}")).json()
    return order["id"], {line["position"]: line["id"] for line in body["lines"]}


async def test_the_vendor_ships_a_long_order_a_page_at_a_time_and_nothing_typed_is_lost(world, api, browser,
                                                                                       long_order):
    order, line = long_order
    vendor = await browser(world.vendor_admin)
    action = f"/vendor/orders/{order}/shipments"
    # the form shows the first 25 lines, carries the other 35 hidden, each at what is left (4)
    page = await vendor.get(f"/vendor/orders/{order}")
    assert len(visible_inputs(page.text, "ship_")) == 25 and "Page 1 of 3" in page.text
    fields = form_fields(page.text, action)
    assert all(fields[f"ship_{line[n]}"] == "4" for n in range(1, LINES + 1))
    # the vendor changes line 1, then goes to the next page: line 1's value rides along
    second = await vendor.post(action, data={**fields, f"ship_{line[1]}": "2", "lines_page": "2"})
    assert second.status_code == 200 and "Page 2 of 3" in second.text
    assert f"ship_{line[26]}" in visible_inputs(second.text, "ship_")
    fields = form_fields(second.text, action)
    assert fields[f"ship_{line[1]}"] == "2"
    # finding line 42 by its SKU shows only it
    found = await vendor.post(action, data={**fields, "lines_q": "long-042", "lines_action": "filter"})
    assert visible_inputs(found.text, "ship_") == [f"ship_{line[42]}"]
    fields = form_fields(found.text, action)
    # a count that is no number (line 10) and more than ordered (line 42), on different pages: both said at once,
    # the form opens on the first, the other named with its page; everything typed is kept
    fields |= {"lines_q": "", f"ship_{line[10]}": "two", f"ship_{line[42]}": "9", "carrier": "DHL"}
    refused = await vendor.post(action, data={k: v for k, v in fields.items() if k != "lines_action"})
    assert refused.status_code == 400
    assert error_beside(refused.text, f"ship_{line[10]}") == (
        "Line 10: a quantity to ship is a whole number of units, such as 3.")
    assert "Line 42 (LONG-042): Line 42: 9 shipped in all would be more than the 4 ordered." in " ".join(
        main_of(refused.text).split())
    # every link of the error summary at the top points at something on the page: line 42's at its entry in the
    # form's list of lines on other pages, whose button opens line 42's page with everything typed
    anchors = re.findall(r'href="#([^"]+)"', main_of(refused.text))
    assert f"ship_{line[42]}-error" in anchors
    assert all(f'id="{anchor}"' in refused.text for anchor in anchors), anchors
    assert f'name="lines_line" value="{line[42]}"' in refused.text and "Go to page 2" in refused.text
    kept = form_fields(refused.text, action)
    opened = await vendor.post(action, data={**kept, "lines_line": str(line[42])})
    assert opened.status_code == 200 and "Page 2 of 3" in opened.text
    assert f"ship_{line[42]}" in visible_inputs(opened.text, "ship_")
    assert form_fields(opened.text, action)[f"ship_{line[42]}"] == "9"
    assert (kept[f"ship_{line[1]}"], kept[f"ship_{line[10]}"], kept[f"ship_{line[42]}"], kept["carrier"]) == (
        "2", "two", "9", "DHL")
    # nothing was shipped by any of this
    seller = await api(world.vendor_admin)
    assert all(each["shipped"] == 0 for each in (await seller.get(f"/api/v1/orders/{order}")).json()["lines"])
    # corrected, it ships: line 1 in part, every other line in full
    kept |= {f"ship_{line[10]}": "4", f"ship_{line[42]}": "4"}
    done = await vendor.post(action, data=kept)
    assert done.status_code == 303, main_of(done.text)[:2000]
    shipped = {each["position"]: each["shipped"] for each in (await seller.get(f"/api/v1/orders/{order}")).json()[
        "lines"]}
    assert shipped[1] == 2 and all(shipped[n] == 4 for n in range(2, LINES + 1))


async def test_ship_none_then_all_of_the_lines_shown(world, browser, long_order):
    order, line = long_order
    vendor = await browser(world.vendor_admin)
    action = f"/vendor/orders/{order}/shipments"
    fields = form_fields((await vendor.get(f"/vendor/orders/{order}")).text, action)
    # "Ship none of these" empties every line; then only the lines found ("item 00": 1 to 9) get what is left
    cleared = form_fields((await vendor.post(action, data={**fields, "lines_action": "clear"})).text, action)
    assert all(cleared[f"ship_{line[n]}"] == "" for n in range(1, LINES + 1))
    filled = form_fields((await vendor.post(action, data={**cleared, "lines_q": "item 00", "lines_action": "fill"})
                          ).text, action)
    assert [n for n in range(1, LINES + 1) if filled[f"ship_{line[n]}"] == "4"] == list(range(1, 10))
    # the real submit ships just those
    done = await vendor.post(action, data={k: v for k, v in filled.items() if k != "lines_action"})
    assert done.status_code == 303
    page = await vendor.get(f"/vendor/orders/{order}")
    # lines 1 to 9 are shipped in full: the form leaves them out, the 51 others start at what is left
    left = form_fields(page.text, action)
    assert [n for n in range(1, LINES + 1) if f"ship_{line[n]}" in left] == list(range(10, LINES + 1))


async def test_the_buyer_records_receipt_of_a_long_order_a_page_at_a_time(world, api, browser, long_order):
    order, line = long_order
    seller = await api(world.vendor_admin)
    shipped = await seller.post(f"/api/v1/orders/{order}/shipments", json={
        "lines": [{"line_id": line[n], "quantity": 4} for n in range(1, LINES + 1)]})
    assert shipped.status_code == 201, shipped.text
    buyer = await browser(world.purchaser)
    action = f"/orders/{order}/receipts"
    page = await buyer.get(f"/orders/{order}")
    assert len(visible_inputs(page.text, "received_")) == 25
    fields = form_fields(page.text, action)
    # the last page, then too much of line 60 and line 2 left out: the form opens on line 60's page
    last = form_fields((await buyer.post(action, data={**fields, "lines_page": "3"})).text, action)
    refused = await buyer.post(action, data={**last, f"received_{line[60]}": "5", f"received_{line[2]}": "0"})
    assert refused.status_code == 400
    assert error_beside(refused.text, f"received_{line[60]}") == (
        "Line 60: 5 received in all would be more than the 4 shipped.")
    assert f"received_{line[60]}" in visible_inputs(refused.text, "received_")
    kept = form_fields(refused.text, action)
    assert kept[f"received_{line[2]}"] == "0"
    done = await buyer.post(action, data={**kept, f"received_{line[60]}": "4"})
    assert done.status_code == 303
    body = (await (await api(world.purchaser)).get(f"/api/v1/orders/{order}")).json()
    received = {each["position"]: each["received"] for each in body["lines"]}
    assert received[2] == 0 and all(received[n] == 4 for n in range(3, LINES + 1))


async def test_the_buyer_reprices_a_long_contract_a_page_at_a_time(world, api, browser):
    # given a contract of 60 lines awarded to the vendor
    rfq_id, lines = await an_rfq(world.buyer.id, [world.vendor.id],
                                 [(f"Part {n:03}", 10, None) for n in range(1, LINES + 1)])
    valid_until = (await db.db_now() + timedelta(days=200)).isoformat()
    offer_id = await offer(api, world.vendor_admin, rfq_id, dict.fromkeys(lines, "5.00"), valid_until=valid_until)
    assert (await award(api, world.buyer_admin, rfq_id, dict.fromkeys(lines, offer_id))).status_code == 200
    contract = (await Contract.select(Contract.id).where(Contract.rfq == rfq_id).first())["id"]
    buyer = await browser(world.approver)
    action = f"/contracts/{contract}/amendments"
    page = await buyer.get(f"/contracts/{contract}")
    assert len(visible_inputs(page.text, "price_")) == 25
    fields = form_fields(page.text, action)
    price = {n: next(k for k in fields if k.startswith("price_") and
                     f'for="amend-price-{k.removeprefix("price_")}">New unit price of line {n} ' in page.text)
             for n in (1,)}
    # a new price on page 1, then page 3 where another is typed wrong: the refusal names its line, keeps both
    moved = await buyer.post(action, data={**fields, price[1]: "4.50", "lines_page": "3"})
    third, last = form_fields(moved.text, action), visible_inputs(moved.text, "price_")[-1]
    refused = await buyer.post(action, data={**third, last: "four"})
    assert refused.status_code == 400
    assert error_beside(refused.text, last).startswith("Line 60, new unit price: ")
    kept = form_fields(refused.text, action)
    assert (kept[price[1]], kept[last]) == ("4.50", "four")
    # corrected, the amendment is proposed with both new prices
    assert (await buyer.post(action, data={**kept, last: "4.00"})).status_code == 303
    body = (await (await api(world.approver)).get(f"/api/v1/contracts/{contract}")).json()
    proposed = {each["position"]: each["unit_price"] for each in body["proposal"]["lines"]}
    assert proposed[1] == "4.5000" and proposed[60] == "4.0000" and proposed[2] == "5.0000"
