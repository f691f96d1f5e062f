"""The buyer's requisition-list pages through a signed-in browser client: the lists and a new one, a list's page
(rename, share, quantities, lines out, to the cart, XLSX out and in, delete after confirming), the ways in from a
product's offer, the cart and an order, and who hears the 404 of a missing list; with session cookies and CSRF as a
browser sends them."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from app.catalog.tables import Listing
from app.orders.tables import PurchaseOrder, RequisitionList, RequisitionListLine
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.orders import check_out
from tests.support.pages import error_beside, form_fields, main_of

LISTS = "/requisition-lists"
API = "/api/v1/requisition-lists"
MISSING = 2_147_483_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def shop(world):
    """Gloves from the world's vendor, gel from a rival (both with a GTIN), and a default delivery address."""
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", gtin="4006381333931", category=category)
    gel = await a_product("Hand gel", gtin="4006381333948", category=category)
    rival = await make_company("vendor", name="Rival Supplies")
    await an_address(world.buyer.id, "delivery", is_default=True)
    return {
        "gloves": gloves, "gel": gel, "rival": rival,
        "a_gloves": await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100),
        "b_gel": await a_listing(rival.id, gel, "B-GEL", "3.00", stock=100),
    }


async def a_list(api_client, name="Ward 3", shared=False, lines=()) -> int:  # type: ignore[no-untyped-def]
    """A list made through the API (tested in test_requisition_lists.py), for the pages to show."""
    made = await api_client.post(API, json={"name": name, "shared": shared, "lines": list(lines)})
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def lines_of(list_id: int) -> list[tuple[int | None, int]]:
    rows = await RequisitionListLine.select(RequisitionListLine.listing, RequisitionListLine.quantity).where(
        RequisitionListLine.requisition_list == list_id).order_by(RequisitionListLine.id)
    return [(row["listing"], row["quantity"]) for row in rows]


async def post_form(client, page_path: str, action: str, **changes: str):  # type: ignore[no-untyped-def]
    """Open `page_path` and submit its form posting to `action`, with `changes` typed into it."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**form_fields(page.text, action), **changes})


def workbook(rows) -> bytes:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def cart_of(api_client) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    lines = (await api_client.get("/api/v1/cart")).json()["lines"]
    return sorted((line["listing_id"], line["quantity"]) for line in lines)


# --- the lists, a new list --------------------------------------------------------------------------


async def test_a_purchaser_makes_a_list_and_finds_it_with_its_companys_shared_ones(world, browser, api, shop):
    # given a colleague's shared list and another private one
    colleague = await api(world.buyer_admin)
    await a_list(colleague, "Theatre", shared=True, lines=[{"listing_id": shop["a_gloves"], "quantity": 2}])
    await a_list(colleague, "Admin's own")
    buyer = await browser(world.purchaser)
    # when the purchaser opens its lists
    page = await buyer.get(LISTS)
    # then it sees the shared one with its owner and line count, not the private one, and a form for a new list
    assert page.status_code == 200
    html = main_of(page.text)
    assert "Theatre" in html and "Shared with your company" in html and "Buyer Admin" in html
    assert re.search(r"<td>1</td>", html) and "Admin&#39;s own" not in html and "Admin's own" not in html
    assert re.search(r'<input type="checkbox" name="shared" value="yes"> Share with my colleagues', html)
    # when it submits a blank name
    blank = await post_form(buyer, LISTS, LISTS, name="   ", shared="yes")
    # then it is told why with a 400, and what it ticked is kept
    assert blank.status_code == 400
    assert error_beside(blank.text, "name") == "Name: give the list a name, such as “Ward 3, weekly”."
    assert form_fields(blank.text, LISTS)["shared"] == "yes"
    # when it names a new private list
    made = await post_form(buyer, LISTS, LISTS, name="Ward 3, weekly")
    # then it lands on the list, told it is made, and the lists page shows it as its own and private
    assert made.status_code == 303 and re.fullmatch(r"/requisition-lists/\d+", made.headers["location"])
    shown = await buyer.get(made.headers["location"])
    assert "The list “Ward 3, weekly” is made" in shown.text and "This list is empty." in shown.text
    row = re.search(r"Ward 3, weekly</a></td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(\d+)</td>",
                    (await buyer.get(LISTS)).text)
    assert row and row.groups() == ("Private", "You", "0")


# --- one list -------------------------------------------------------------------------------------


async def test_the_owner_renames_shares_changes_quantities_and_removes_lines(world, browser, api, shop):
    # given the purchaser's list of the gloves' offer and the gel product
    list_id = await a_list(await api(world.purchaser), lines=[{"listing_id": shop["a_gloves"], "quantity": 2},
                                                                {"product_id": shop["gel"], "quantity": 5}])
    buyer = await browser(world.purchaser)
    path = f"{LISTS}/{list_id}"
    page = await buyer.get(path)
    # then each line shows its product, the pinned vendor and SKU or "the best offer", and its quantity
    assert page.status_code == 200
    html = main_of(page.text)
    assert "Nitrile gloves M" in html and "SKU A-GLOVE" in html and "Hand gel" in html
    assert "The best offer when ordered" in html and f'href="{path}/export.xlsx"' in html and "/api/v1/" not in html
    # when it renames and shares the list
    saved = await post_form(buyer, path, path, name="Ward 3, weekly", shared="yes")
    assert saved.status_code == 303 and saved.headers["location"] == path
    page = await buyer.get(path)
    assert "The list is saved." in page.text and "<h1>Ward 3, weekly</h1>" in page.text
    assert "Shared with your company" in page.text
    # and a blank name is refused with a 400, what was typed kept
    refused = await post_form(buyer, path, path, name=" ", shared="yes")
    assert refused.status_code == 400
    assert error_beside(refused.text, "name") == "Name: give the list a name, such as “Ward 3, weekly”."
    assert (await RequisitionList.select(RequisitionList.name).first())["name"] == "Ward 3, weekly"
    # when it changes the gloves' quantity, once wrongly
    gloves_line, gel_line = [row["id"] for row in await RequisitionListLine.select(RequisitionListLine.id)
                             .order_by(RequisitionListLine.id)]
    change = f"{path}/lines/{gloves_line}/quantity"
    bad = await post_form(buyer, path, change, quantity="0")
    assert bad.status_code == 400
    assert error_beside(bad.text, f"list-quantity-{gloves_line}") == "Quantity: must be 1 or more"
    assert error_beside(bad.text, f"list-quantity-{gel_line}") == ""
    assert form_fields(bad.text, change)["quantity"] == "0"
    assert form_fields(bad.text, f"{path}/lines/{gel_line}/quantity")["quantity"] == "5"
    changed = await post_form(buyer, path, change, quantity="12")
    assert changed.status_code == 303
    assert "The quantity is changed." in (await buyer.get(path)).text
    # and removes the gel line
    removed = await post_form(buyer, path, f"{path}/lines/{gel_line}/remove")
    assert removed.status_code == 303 and "The line is removed from the list." in (await buyer.get(path)).text
    # then the list holds the gloves only, 12 of them
    assert await lines_of(list_id) == [(shop["a_gloves"], 12)]


async def test_a_colleague_reads_a_shared_list_and_orders_from_it_but_cannot_change_it(world, browser, api, shop):
    # given the purchaser's shared list
    list_id = await a_list(await api(world.purchaser), shared=True,
                           lines=[{"listing_id": shop["a_gloves"], "quantity": 2}])
    path = f"{LISTS}/{list_id}"
    colleague = await browser(world.approver)
    # when a colleague who is not an admin opens it
    page = await colleague.get(path)
    # then it reads it and may order from it, without any form to change it
    assert page.status_code == 200 and "Nitrile gloves M" in page.text
    html = main_of(page.text)
    assert f'action="{path}/to-cart"' in html
    for action in ("/import", "/delete", "/quantity", "/remove", f'method="post" action="{path}"'):
        assert action not in html, action
    # and a change it sends anyway is refused on the page, with why
    refused = await colleague.post(path, data={"name": "Mine now", "_csrf_token": csrf_token(page.text)})
    assert refused.status_code == 403 and "Only the list&#39;s owner or an admin" in refused.text
    assert (await RequisitionList.select(RequisitionList.name).first())["name"] == "Ward 3"


async def test_the_whole_list_or_the_ticked_lines_go_to_the_cart_and_the_cart_says_what_was_skipped(
    world, browser, api, shop
):
    # given a list of the gloves, the gel and a third offer that is then withdrawn
    tape = await a_listing(world.vendor.id, await a_product("Packing tape"), "A-TAPE", "2.00", stock=100)
    client = await api(world.purchaser)
    list_id = await a_list(client, lines=[{"listing_id": shop["a_gloves"], "quantity": 2},
                                          {"product_id": shop["gel"], "quantity": 5},
                                          {"listing_id": tape, "quantity": 1}])
    await Listing.update({Listing.status: "suspended"}).where(Listing.id == tape)
    buyer = await browser(world.purchaser)
    path = f"{LISTS}/{list_id}"
    page = await buyer.get(path)
    assert "No longer available" in page.text
    fields = form_fields(page.text, f"{path}/to-cart")
    gloves_line = re.search(r'id="list-line-(\d+)"', page.text).group(1)
    # when it adds the ticked lines without ticking any
    none = await buyer.post(f"{path}/to-cart", data={**fields, "lines": "chosen"})
    # then it is told to tick some, with a 400, and nothing goes in
    assert none.status_code == 400 and "Tick the lines to add to your cart" in none.text
    assert await cart_of(client) == []
    # when it adds only the ticked gloves
    chosen = await buyer.post(f"{path}/to-cart", data={**fields, "lines": "chosen", f"line_{gloves_line}": "yes"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/cart"
    cart = await buyer.get("/cart")
    assert "1 line of the list added to your cart." in cart.text
    assert await cart_of(client) == [(shop["a_gloves"], 2)]
    # when it adds the whole list
    whole = await buyer.post(f"{path}/to-cart", data={**fields, "lines": "all"})
    # then the gel goes in at its best offer, the withdrawn tape is skipped, and the cart says both
    assert whole.status_code == 303
    cart = await buyer.get("/cart")
    assert "2 lines of the list added to your cart; 1 line skipped." in cart.text
    assert "This offer is no longer available to your company: not added." in cart.text
    assert await cart_of(client) == sorted([(shop["a_gloves"], 4), (shop["b_gel"], 5)])


async def test_the_xlsx_downloads_with_the_pages_session(world, browser, api, shop):
    # given a list of the gloves' offer and the gel product
    list_id = await a_list(await api(world.purchaser), lines=[{"listing_id": shop["a_gloves"], "quantity": 2},
                                                                {"product_id": shop["gel"], "quantity": 5}])
    buyer = await browser(world.purchaser)
    # when the signed-in browser follows the page's download link
    page = await buyer.get(f"{LISTS}/{list_id}")
    link = re.search(r'href="([^"]+\.xlsx)"', page.text).group(1)
    response = await buyer.get(link)
    # then the workbook comes as an attachment, one row per line, naming each by SKU or GTIN
    assert response.status_code == 200 and response.headers["content-type"].startswith(XLSX)
    assert response.headers["content-disposition"] == f'attachment; filename="requisition-list-{list_id}.xlsx"'
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("article", "quantity", "note")
    assert [row[:2] for row in rows[1:]] == [("A-GLOVE", 2), ("4006381333948", 5)]


async def test_an_import_with_a_bad_file_is_a_400_on_the_page_and_changes_nothing(world, browser, api, shop):
    # given a list with one line
    list_id = await a_list(await api(world.purchaser), lines=[{"listing_id": shop["a_gloves"], "quantity": 2}])
    buyer = await browser(world.purchaser)
    path = f"{LISTS}/{list_id}"
    token = csrf_token((await buyer.get(path)).text)

    async def upload(name: str, content: bytes):  # type: ignore[no-untyped-def]
        return await buyer.post(f"{path}/import", files={"file": (name, content, XLSX)}, data={"_csrf_token": token})

    # when it uploads a file that is no workbook, then one with a row to fix
    not_xlsx = await upload("list.pdf", b"%PDF-1.4")
    to_fix = await upload("list.xlsx", workbook([("article", "quantity"), ("A-GLOVE", 3), ("NOPE-1", 1)]))
    # then each is a 400 on the list's page that says why, and the list is as it was
    assert not_xlsx.status_code == 400
    assert "list.pdf: the file is not an Excel .xlsx workbook" in error_beside(not_xlsx.text, "file")
    assert "<h1>Ward 3</h1>" in not_xlsx.text
    assert to_fix.status_code == 400 and "1 row to fix, nothing was added: row 3:" in to_fix.text
    assert await lines_of(list_id) == [(shop["a_gloves"], 2)]
    # when the fixed file is uploaded
    fixed = await upload("list.xlsx", workbook([("article", "quantity"), ("A-GLOVE", 3), ("B-GEL", 1)]))
    # then its rows are added
    assert fixed.status_code == 303 and fixed.headers["location"] == path
    assert "The file&#39;s rows are added to the list." in (await buyer.get(path)).text
    assert await lines_of(list_id) == [(shop["a_gloves"], 5), (shop["b_gel"], 1)]


async def test_deleting_a_list_asks_for_confirmation_first(world, browser, api, shop):
    list_id = await a_list(await api(world.purchaser), lines=[{"listing_id": shop["a_gloves"], "quantity": 2}])
    buyer = await browser(world.purchaser)
    path = f"{LISTS}/{list_id}"
    # given the page's delete form, whose box must be ticked
    page = await buyer.get(path)
    assert re.search(r'<input type="checkbox" name="confirm" value="yes" required> Yes, delete the list “Ward 3”',
                     page.text)
    fields = form_fields(page.text, f"{path}/delete")
    assert "confirm" not in fields
    # when it is sent unticked
    unticked = await buyer.post(f"{path}/delete", data=fields)
    # then nothing is deleted, and the page says why
    assert unticked.status_code == 400
    assert "Tick the box to confirm that you delete this list" in error_beside(unticked.text, "confirm")
    assert await RequisitionList.count() == 1
    # when the box is ticked
    deleted = await buyer.post(f"{path}/delete", data={**fields, "confirm": "yes"})
    # then the list and its lines are gone
    assert deleted.status_code == 303 and deleted.headers["location"] == LISTS
    assert "The list is deleted." in (await buyer.get(LISTS)).text
    assert await RequisitionList.count() == 0 and await RequisitionListLine.count() == 0
    assert (await buyer.get(path)).status_code == 404


async def test_another_users_private_list_or_another_companys_is_the_404_of_a_missing_one(world, browser, api, shop):
    # given the purchaser's private list, and a shared one of another company
    private = await a_list(await api(world.purchaser), "Mine", lines=[{"listing_id": shop["a_gloves"], "quantity": 1}])
    theirs = await a_list(await api(world.other_buyer_admin), "Theirs", shared=True)
    colleague = await browser(await make_user(world.buyer.id, "purchaser"))
    stranger = await browser(world.other_buyer_admin)
    for client, hidden in ((colleague, private), (stranger, private), (await browser(world.purchaser), theirs)):
        token = csrf_token((await client.get(LISTS)).text)
        # when it opens, downloads or acts on a list it may not see, and on a missing one
        for suffix, method, data in (("", "get", None), ("/export.xlsx", "get", None),
                                     ("/to-cart", "post", {"lines": "all"}), ("/delete", "post", {"confirm": "yes"}),
                                     ("", "post", {"name": "Taken"})):
            missing = await client.request(method, f"{LISTS}/{MISSING}{suffix}",
                                           data={**(data or {}), "_csrf_token": token} if data else None)
            answer = await client.request(method, f"{LISTS}/{hidden}{suffix}",
                                          data={**(data or {}), "_csrf_token": token} if data else None)
            # then it hears exactly what a missing list answers
            assert answer.status_code == missing.status_code == 404, (suffix, method)
            assert main_of(answer.text) == main_of(missing.text) and "No such requisition list." in answer.text
    # and nothing was changed
    assert sorted(row["name"] for row in await RequisitionList.select(RequisitionList.name)) == ["Mine", "Theirs"]


async def test_vendors_and_operators_are_refused_as_on_the_other_buyer_pages(world, browser, api, shop):
    # given a purchaser's list
    list_id = await a_list(await api(world.purchaser))
    for email in (world.vendor_admin, world.operator):
        # when a vendor or an operator looks for the lists, opens one, or makes one
        client = await browser(email)
        dashboard = await client.get("/dashboard")
        # then there is no link to them, and every page and form answers 403
        assert 'href="/requisition-lists"' not in dashboard.text
        for path in (LISTS, f"{LISTS}/{list_id}", f"{LISTS}/{list_id}/export.xlsx",
                     f"{LISTS}/add?product_id={shop['gloves']}&listing_id={shop['a_gloves']}"):
            assert (await client.get(path)).status_code == 403, (email, path)
        refused = await client.post(LISTS, data={"name": "X", "_csrf_token": csrf_token(dashboard.text)})
        assert refused.status_code == 403
    assert await RequisitionList.count() == 1
    # and a buyer finds the lists in its navigation
    assert 'href="/requisition-lists"' in (await (await browser(world.purchaser)).get("/dashboard")).text


# --- the ways in ----------------------------------------------------------------------------------


async def test_an_offer_goes_from_the_product_page_into_a_new_list_then_an_existing_one(world, browser, shop):
    buyer = await browser(world.purchaser)
    product_page = f"/catalog/products/{shop['gloves']}"
    # given the product page's "add to list" form of the gloves' offer
    page = await buyer.get(product_page)
    assert 'action="/requisition-lists/add"' in page.text and "Add to list" in page.text
    chosen = form_fields(page.text, "/requisition-lists/add")
    assert chosen == {"product_id": str(shop["gloves"]), "listing_id": str(shop["a_gloves"]), "quantity": "1"}
    # when the buyer asks for 4 of it, it chooses the list on the next page
    choice = await buyer.get("/requisition-lists/add", params={**chosen, "quantity": "4"})
    assert choice.status_code == 200 and "Vendor" in choice.text and "SKU A-GLOVE" in choice.text
    fields = form_fields(choice.text, "/requisition-lists/add")
    assert (fields["quantity"], fields["list_id"], fields["next"]) == ("4", "new", product_page)
    # and with no name for the new list it is told why, what it typed kept
    unnamed = await buyer.post("/requisition-lists/add", data={**fields, "quantity": "6"})
    assert unnamed.status_code == 400 and "give the new list a name" in unnamed.text
    assert form_fields(unnamed.text, "/requisition-lists/add")["quantity"] == "6"
    # when it names a new list
    added = await buyer.post("/requisition-lists/add", data={**fields, "new_name": "Ward 3"})
    # then it goes back to the product page, which says what is in which list
    assert added.status_code == 303 and added.headers["location"] == product_page
    assert "Nitrile gloves M (A-GLOVE): 4 now in your list “Ward 3”." in (await buyer.get(product_page)).text
    list_id = (await RequisitionList.select(RequisitionList.id).first())["id"]
    assert await lines_of(list_id) == [(shop["a_gloves"], 4)]
    # when it adds 2 more to that list, chosen from its lists
    again = await buyer.get("/requisition-lists/add", params={**chosen, "quantity": "2"})
    assert f'<option value="{list_id}">Ward 3</option>' in again.text
    added = await buyer.post("/requisition-lists/add", data={**form_fields(again.text, "/requisition-lists/add"),
                                                              "list_id": str(list_id)})
    # then the line holds 6, and no second list is made
    assert added.status_code == 303
    assert await lines_of(list_id) == [(shop["a_gloves"], 6)] and await RequisitionList.count() == 1


async def test_the_cart_is_saved_as_a_list_and_stays_as_it_is(world, browser, api, shop):
    client = await api(world.purchaser)
    buyer = await browser(world.purchaser)
    # given an empty cart: no form to save it
    assert 'action="/requisition-lists/from-cart"' not in (await buyer.get("/cart")).text
    await client.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 4})
    await client.post("/api/v1/cart/lines", json={"listing_id": shop["b_gel"], "quantity": 10})
    # when the buyer saves it without a name
    blank = await post_form(buyer, "/cart", "/requisition-lists/from-cart", name=" ", shared="yes")
    # then the cart page says why with a 400, the cart and what was ticked still there
    assert blank.status_code == 400 and "SKU A-GLOVE" in blank.text
    assert error_beside(blank.text, "name") == "Name: give the list a name, such as “Ward 3, weekly”."
    assert form_fields(blank.text, "/requisition-lists/from-cart")["shared"] == "yes"
    # when it names the list
    saved = await post_form(buyer, "/cart", "/requisition-lists/from-cart", name="Weekly")
    # then it lands on the new list, which holds the cart's lines, and the cart is unchanged
    assert saved.status_code == 303
    page = await buyer.get(saved.headers["location"])
    assert "Your cart is kept as the list “Weekly” (2 lines); the cart is unchanged." in page.text
    assert "SKU A-GLOVE" in page.text and "SKU B-GEL" in page.text
    list_id = (await RequisitionList.select(RequisitionList.id).first())["id"]
    assert await lines_of(list_id) == [(shop["a_gloves"], 4), (shop["b_gel"], 10)]
    assert await cart_of(client) == sorted([(shop["a_gloves"], 4), (shop["b_gel"], 10)])


async def test_an_orders_lines_go_into_a_list_and_another_companys_order_is_a_404(world, browser, api, shop):
    # given an order of gloves and gel, and the gel withdrawn since
    client = await api(world.purchaser)
    await client.post("/api/v1/cart/lines", json={"listing_id": shop["a_gloves"], "quantity": 4})
    await client.post("/api/v1/cart/lines", json={"listing_id": shop["b_gel"], "quantity": 10})
    assert (await check_out(client, "PO-L")).status_code == 201, "checked out"
    orders = [row["id"] for row in await PurchaseOrder.select(PurchaseOrder.id).order_by(PurchaseOrder.id)]
    buyer = await browser(world.purchaser)
    gloves_order, gel_order = orders
    # when the buyer follows the order page's link
    page = await buyer.get(f"/orders/{gloves_order}")
    assert f'href="/requisition-lists/from-order/{gloves_order}"' in page.text
    choice = await buyer.get(f"/requisition-lists/from-order/{gloves_order}")
    assert choice.status_code == 200 and "SKU A-GLOVE" in choice.text
    action = f"/requisition-lists/from-order/{gloves_order}"
    # and keeps the lines in a new list
    kept = await buyer.post(action, data={**form_fields(choice.text, action), "new_name": "From PO-L"})
    # then it lands on the list that holds them
    assert kept.status_code == 303
    page = await buyer.get(kept.headers["location"])
    assert "1 line of the order kept in your list “From PO-L”." in page.text and "SKU A-GLOVE" in page.text
    list_id = (await RequisitionList.select(RequisitionList.id).first())["id"]
    # when the gel is withdrawn and the other order is added to that list
    await Listing.update({Listing.status: "suspended"}).where(Listing.id == shop["b_gel"])
    gel_action = f"/requisition-lists/from-order/{gel_order}"
    refused = await post_form(buyer, gel_action, gel_action, list_id=str(list_id))
    # then nothing is added, and the page says why
    assert refused.status_code == 400 and "No line of this order is available" in refused.text
    assert await lines_of(list_id) == [(shop["a_gloves"], 4)]
    # and adding the gloves' order again adds to its line
    assert (await post_form(buyer, action, action, list_id=str(list_id))).status_code == 303
    assert await lines_of(list_id) == [(shop["a_gloves"], 8)]
    # and another company's buyer hears what a missing order answers
    stranger = await browser(world.other_buyer_admin)
    token = csrf_token((await stranger.get(LISTS)).text)
    for method, data in (("get", None), ("post", {"new_name": "Stolen", "_csrf_token": token})):
        missing = await stranger.request(method, f"/requisition-lists/from-order/{MISSING}", data=data)
        theirs = await stranger.request(method, action, data=data)
        assert theirs.status_code == missing.status_code == 404 and "No such order." in theirs.text
        assert main_of(theirs.text) == main_of(missing.text)
    assert await RequisitionList.count() == 1


async def test_an_admin_who_unshares_a_colleagues_list_goes_back_to_the_lists(world, browser, api, shop):
    # given the purchaser's shared list, open in a company admin's browser
    list_id = await a_list(await api(world.purchaser), "Ward 3", shared=True,
                           lines=[{"listing_id": shop["a_gloves"], "quantity": 2}])
    admin = await browser(world.buyer_admin)
    page = await admin.get(f"{LISTS}/{list_id}")
    # when the admin saves it unshared
    saved = await admin.post(f"{LISTS}/{list_id}", data={"name": "Ward 3", "_csrf_token": csrf_token(page.text)})
    # then the change is made and the admin is sent to the lists, told the list is now private to its owner
    assert saved.status_code == 303 and saved.headers["location"] == LISTS
    assert "Ward 3 is saved and now private to its owner." in (await admin.get(LISTS)).text
    assert (await RequisitionList.select(RequisitionList.shared).first())["shared"] is False

