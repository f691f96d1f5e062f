"""Requisition lists over the API: made, read, changed and deleted by their owner; shared with colleagues or not;
invisible to other companies (the answer a missing list gets); to the cart in one step with the best offer for a
product line and unavailable lines reported; made from the cart; exported and imported as XLSX."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import openpyxl
import pytest

from app.catalog.states import ListingStatus, RuleEffect, RuleTarget
from app.catalog.tables import Listing, Product
from app.orders.requisition_schemas import MAX_LINES
from app.orders.schemas import MAX_QUANTITY
from app.orders.tables import RequisitionListLine
from tests.support.catalog import a_category, a_contract_price, a_listing, a_product, a_segment
from tests.support.fixtures import make_company, make_user
from tests.support.hostile_files import zip_bomb

LISTS = "/api/v1/requisition-lists"
MISSING = 2_147_483_000
HOSTILE = '=HYPERLINK("http://x","click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def gloves(world):
    return await a_product("Nitrile gloves M", gtin="4006381333931", mpn="NG-M-100",
                           category=await a_category("Gloves"))


async def a_list(client, name="Ward 3, weekly", shared=False, lines=()):
    response = await client.post(LISTS, json={"name": name, "shared": shared, "lines": list(lines)})
    assert response.status_code == 201, response.text
    return response.json()


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(client, list_id: int, content: bytes, name: str = "list.xlsx"):
    return await client.post(f"{LISTS}/{list_id}/import", files={"file": (name, content, XLSX)})


def lines_of(body: dict) -> list[tuple]:
    return [(line["product_id"], line["listing_id"], line["quantity"], line["note"]) for line in body["lines"]]


async def cart_of(client) -> list[tuple[int, int]]:
    return sorted((line["listing_id"], line["quantity"]) for line in (await client.get("/api/v1/cart")).json()["lines"])


# --- making, reading, changing --------------------------------------------------------------------


async def test_a_list_is_made_read_changed_and_deleted_by_its_owner(world, api, gloves):
    # given a listing of the gloves and a second product
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    masks = await a_product("Masks FFP2")
    await a_listing(world.vendor.id, masks, "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    # when the purchaser makes a list of the listing and the masks product
    made = await a_list(buyer, lines=[{"listing_id": listing, "quantity": 2, "note": "  ward 3  "},
                                      {"product_id": masks, "quantity": 50}])
    # then it shows each line with what it names, live
    assert (made["name"], made["shared"], made["mine"], made["can_change"], made["line_count"]) == (
        "Ward 3, weekly", False, True, True, 2)
    glove_line, mask_line = made["lines"]
    assert (glove_line["name"], glove_line["sku"], glove_line["vendor_id"], glove_line["note"]) == (
        "Nitrile gloves M", "A-GLOVE", world.vendor.id, "ward 3")
    assert glove_line["available"] and glove_line["product_id"] == gloves
    assert (mask_line["name"], mask_line["listing_id"], mask_line["sku"], mask_line["quantity"]) == (
        "Masks FFP2", None, "", 50)
    # and adding the same listing again adds to its line
    again = await buyer.post(f"{LISTS}/{made['id']}/lines", json={"listing_id": listing, "quantity": 3})
    assert again.status_code == 201, again.text
    assert [line["quantity"] for line in again.json()["lines"]] == [5, 50]
    # and the list of lists counts its lines
    listed = (await buyer.get(LISTS)).json()
    assert [(entry["id"], entry["line_count"]) for entry in listed] == [(made["id"], 2)]
    # when it is renamed, shared and its lines replaced
    changed = await buyer.patch(f"{LISTS}/{made['id']}", json={
        "name": "Ward 3", "shared": True, "lines": [{"product_id": gloves, "quantity": 7, "note": "any vendor"}]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["shared"]) == ("Ward 3", True)
    assert lines_of(changed.json()) == [(gloves, None, 7, "any vendor")]
    # and a line is taken out, then the list deleted
    line_id = changed.json()["lines"][0]["id"]
    assert (await buyer.delete(f"{LISTS}/{made['id']}/lines/{line_id}")).status_code == 204
    assert (await buyer.get(f"{LISTS}/{made['id']}")).json()["lines"] == []
    assert (await buyer.delete(f"{LISTS}/{made['id']}")).status_code == 204
    # then it is gone
    gone = await buyer.get(f"{LISTS}/{made['id']}")
    assert (gone.status_code, gone.json()) == (404, {"detail": "No such requisition list."})
    assert (await buyer.get(LISTS)).json() == []


async def test_a_shared_list_is_read_by_colleagues_but_changed_by_its_owner_or_an_admin(world, api, gloves):
    # given the purchaser's private and shared lists
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    owner = await api(world.purchaser)
    private = await a_list(owner, "Mine", lines=[{"listing_id": listing, "quantity": 1}])
    shared = await a_list(owner, "Ours", shared=True, lines=[{"listing_id": listing, "quantity": 4}])
    colleague, admin = await api(world.approver), await api(world.buyer_admin)
    # when a colleague reads them
    missing = await colleague.get(f"{LISTS}/{MISSING}")
    hidden = await colleague.get(f"{LISTS}/{private['id']}")
    # then the private one is missing for it, word for word, and the shared one is there, not its own
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (
        404, {"detail": "No such requisition list."})
    assert [entry["name"] for entry in (await colleague.get(LISTS)).json()] == ["Ours"]
    seen = (await colleague.get(f"{LISTS}/{shared['id']}")).json()
    assert (seen["mine"], seen["can_change"], seen["owner"]) == (False, False, "Purchaser")
    # and it may put it in its own cart, but not change it
    assert (await colleague.post(f"{LISTS}/{shared['id']}/to-cart", json={})).status_code == 200
    assert await cart_of(colleague) == [(listing, 4)]
    refused = await colleague.patch(f"{LISTS}/{shared['id']}", json={"name": "Taken"})
    assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    assert (await colleague.delete(f"{LISTS}/{shared['id']}")).status_code == 403
    # while a company admin may change the shared one (and still not see the private one)
    renamed = await admin.patch(f"{LISTS}/{shared['id']}", json={"name": "Ours, checked"})
    assert renamed.status_code == 200 and renamed.json()["can_change"]
    assert (await admin.get(f"{LISTS}/{private['id']}")).status_code == 404
    # and unshared, the list is gone for the colleague
    assert (await owner.patch(f"{LISTS}/{shared['id']}", json={"shared": False})).status_code == 200
    assert (await colleague.get(f"{LISTS}/{shared['id']}")).json() == missing.json()
    # and an admin who unshares a colleague's list is answered the list as changed, then no longer sees it
    assert (await owner.patch(f"{LISTS}/{shared['id']}", json={"shared": True})).status_code == 200
    unshared = await admin.patch(f"{LISTS}/{shared['id']}", json={"shared": False})
    assert unshared.status_code == 200, unshared.text
    assert (unshared.json()["shared"], unshared.json()["name"], len(unshared.json()["lines"])) == (
        False, "Ours, checked", 1)
    assert (await admin.get(f"{LISTS}/{shared['id']}")).json() == missing.json()
    assert (await owner.get(f"{LISTS}/{shared['id']}")).json()["shared"] is False


async def test_another_company_gets_the_answer_a_missing_list_gets_everywhere(world, api, gloves):
    # given the purchaser's shared list with a line
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    made = await a_list(await api(world.purchaser), shared=True, lines=[{"listing_id": listing, "quantity": 1}])
    line_id = made["lines"][0]["id"]
    stranger = await api(world.other_buyer_admin)
    file = workbook([["article", "quantity"], ["A-GLOVE", 1]])
    calls = [
        ("GET", "", {}), ("PATCH", "", {"json": {"name": "Mine now"}}), ("DELETE", "", {}),
        ("POST", "/lines", {"json": {"listing_id": listing, "quantity": 1}}), ("DELETE", f"/lines/{line_id}", {}),
        ("POST", "/to-cart", {"json": {}}), ("GET", "/export.xlsx", {}),
        ("POST", "/import", {"files": {"file": ("list.xlsx", file, XLSX)}}),
    ]
    for method, tail, body in calls:
        # when another company's admin calls each operation on it, and on a missing list
        real = await stranger.request(method, f"{LISTS}/{made['id']}{tail}", **body)
        absent = await stranger.request(method, f"{LISTS}/{MISSING}{tail}", **body)
        # then both answers are the same 404
        assert (real.status_code, real.json()) == (absent.status_code, absent.json()) == (
            404, {"detail": "No such requisition list."}), (method, tail)
    assert (await stranger.get(LISTS)).json() == []
    # and a vendor has no lists at all
    assert (await (await api(world.vendor_admin)).get(LISTS)).status_code == 403


async def test_adds_at_the_same_moment_make_one_line(world, api, gloves):
    # given a list and a listing
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    buyer = await api(world.purchaser)
    made = await a_list(buyer)
    # when the listing is added eight times at once
    responses = await asyncio.gather(*[
        buyer.post(f"{LISTS}/{made['id']}/lines", json={"listing_id": listing, "quantity": 1}) for _ in range(8)])
    # then every add counted, on one line (the list's row is held while a write decides)
    assert [response.status_code for response in responses] == [201] * 8
    assert lines_of((await buyer.get(f"{LISTS}/{made['id']}")).json()) == [(gloves, listing, 8, "")]


# --- to the cart ----------------------------------------------------------------------------------


async def test_the_whole_list_or_chosen_lines_go_to_the_cart_in_one_step(world, api, gloves):
    # given a list of two listings, one already in the cart
    gloves_offer = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    masks_offer = await a_listing(world.vendor.id, await a_product("Masks"), "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    assert (await buyer.post("/api/v1/cart/lines", json={"listing_id": gloves_offer, "quantity": 1})).status_code == 201
    made = await a_list(buyer, lines=[{"listing_id": gloves_offer, "quantity": 2},
                                      {"listing_id": masks_offer, "quantity": 30}])
    # when the chosen masks line goes to the cart
    masks_line = made["lines"][1]["id"]
    chosen = await buyer.post(f"{LISTS}/{made['id']}/to-cart", json={"line_ids": [masks_line]})
    # then only it is added
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {"added": [{"line_id": masks_line, "listing_id": masks_offer, "quantity": 30}],
                             "skipped": []}
    assert await cart_of(buyer) == sorted([(gloves_offer, 1), (masks_offer, 30)])
    # when the whole list goes (no body), then every line is added to what the cart holds
    whole = await buyer.post(f"{LISTS}/{made['id']}/to-cart")
    assert [line["line_id"] for line in whole.json()["added"]] == [line["id"] for line in made["lines"]]
    assert await cart_of(buyer) == sorted([(gloves_offer, 3), (masks_offer, 60)])
    # and a line id of no line of the list is refused, adding nothing
    wrong = await buyer.post(f"{LISTS}/{made['id']}/to-cart", json={"line_ids": [masks_line, MISSING]})
    assert wrong.status_code == 400 and str(MISSING) in wrong.json()["detail"]
    assert await cart_of(buyer) == sorted([(gloves_offer, 3), (masks_offer, 60)])


async def test_a_product_line_takes_the_best_offer_the_buyer_gets_at_that_quantity(world, api, gloves):
    # given two vendors' gloves: the rival is cheaper, but the buyer's contract price for vendor A is lower
    rival = await make_company("vendor", name="Rival Supplies")
    cheap = await a_listing(rival.id, gloves, "B-GLOVE", "9.00", stock=100)
    contracted = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    await a_contract_price(world.buyer.id, contracted, "8.00", reference="C-2026-0007")
    buyer, other = await api(world.purchaser), await api(world.other_buyer_admin)
    mine = await a_list(buyer, lines=[{"product_id": gloves, "quantity": 4}])
    theirs = await a_list(other, lines=[{"product_id": gloves, "quantity": 4}])
    # when each buyer puts its product line in its cart
    added = (await buyer.post(f"{LISTS}/{mine['id']}/to-cart", json={})).json()["added"]
    other_added = (await other.post(f"{LISTS}/{theirs['id']}/to-cart", json={})).json()["added"]
    # then each gets the offer the catalog ranks first for it, as the product page and the cart choose
    assert [(line["listing_id"], line["quantity"]) for line in added] == [(contracted, 4)]
    assert [line["listing_id"] for line in other_added] == [cheap]
    assert await cart_of(buyer) == [(contracted, 4)]


@pytest.mark.parametrize("how", ["suspended", "hidden from the segment"])
async def test_an_unavailable_line_shows_nothing_of_its_product_and_is_reported_not_added(world, api, gloves, how):
    # given a list of the gloves listing, the gloves product (a rival offers them too) and the masks
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    rival = await a_listing((await make_company("vendor")).id, gloves, "B-GLOVE", "12.00", stock=100)
    masks = await a_listing(world.vendor.id, await a_product("Masks"), "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    made = await a_list(buyer, lines=[{"listing_id": listing, "quantity": 1}, {"product_id": gloves, "quantity": 2},
                                      {"listing_id": masks, "quantity": 3, "note": "always"}])
    # when the gloves listing is suspended, or the buyer's segment comes to hide the product
    if how == "suspended":
        await Listing.update({Listing.status: ListingStatus.SUSPENDED.value}).where(Listing.id == listing)
    else:
        await a_segment("No gloves", members=[world.buyer.id],
                        rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, gloves)])
    read = (await buyer.get(f"{LISTS}/{made['id']}")).json()
    # then the listing line (and, hidden, the product line) shows no name, SKU nor vendor
    by_id = {line["id"]: line for line in read["lines"]}
    flagged = by_id[made["lines"][0]["id"]]
    assert not flagged["available"]
    assert (flagged["name"], flagged["sku"], flagged["vendor"], flagged["vendor_id"]) == ("", "", "", None)
    # while the product line still has the rival's offer when only the listing is suspended
    product_line = by_id[made["lines"][1]["id"]]
    assert product_line["available"] is (how == "suspended")
    assert ("Nitrile" in str(read)) is (how == "suspended")
    # and to the cart an unavailable line is reported, not added, while the rest goes in
    result = (await buyer.post(f"{LISTS}/{made['id']}/to-cart", json={})).json()
    skipped = [flagged["id"]] + ([] if how == "suspended" else [product_line["id"]])
    assert [(line["line_id"], line["reason"]) for line in result["skipped"]] == [(i, "unavailable") for i in skipped]
    assert "no longer available" in result["skipped"][0]["message"]
    expected = [(masks, 3)] + ([(rival, 2)] if how == "suspended" else [])
    assert await cart_of(buyer) == sorted(expected)


async def test_a_list_is_made_from_the_cart(world, api, gloves):
    # given a cart of two listings, one of them suspended since
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    gone = await a_listing(world.vendor.id, await a_product("Masks"), "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    for offer, quantity in ((listing, 5), (gone, 2)):
        assert (await buyer.post("/api/v1/cart/lines", json={"listing_id": offer, "quantity": quantity})
                ).status_code == 201
    await Listing.update({Listing.status: ListingStatus.SUSPENDED.value}).where(Listing.id == gone)
    # when the purchaser makes a list of it
    response = await buyer.post(f"{LISTS}/from-cart", json={"name": "From the cart"})
    # then the list holds the lines it may still order, each naming its listing
    assert response.status_code == 201, response.text
    assert lines_of(response.json()) == [(gloves, listing, 5, "")]
    # and an empty cart makes no list
    empty = await (await api(world.approver)).post(f"{LISTS}/from-cart", json={"name": "Nothing"})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]


# --- spreadsheets ---------------------------------------------------------------------------------


async def test_the_export_keeps_a_hostile_note_as_text_and_imports_back(world, api, gloves):
    # given a list with a listing line with a hostile note, and a product line
    listing = await a_listing(world.vendor.id, gloves, "-A-GLOVE", "10.00", stock=100)
    masks = await a_product("Masks", gtin="4012345678901")
    await a_listing(world.vendor.id, masks, "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    made = await a_list(buyer, lines=[{"listing_id": listing, "quantity": 12, "note": HOSTILE},
                                      {"product_id": masks, "quantity": 3}])
    # when it is exported
    response = await buyer.get(f"{LISTS}/{made['id']}/export.xlsx")
    # then it is a workbook whose text cells are text, the formula quoted, the quantities numbers
    assert response.status_code == 200 and response.headers["content-type"].startswith(XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows()]
    assert [cell.value for cell in rows[0]] == ["article", "quantity", "note", "product", "vendor", "unit",
                                                "available"]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert (rows[1][0].value, rows[1][1].value, rows[1][2].value) == ("'-A-GLOVE", 12, "'" + HOSTILE)
    assert (rows[1][2].data_type, rows[1][1].data_type) == ("s", "n")
    assert (rows[2][0].value, rows[2][1].value, rows[2][3].value) == ("4012345678901", 3, "Masks")
    # and imported into a new list, it makes the same lines
    copy = await a_list(buyer, "Copy")
    imported = await upload(buyer, copy["id"], response.content)
    assert imported.status_code == 200, imported.text
    assert lines_of(imported.json()) == lines_of(made)


async def test_an_import_adds_to_the_list_by_sku_gtin_or_mpn(world, api, gloves):
    # given a list holding 2 of the gloves listing
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    masks = await a_product("Masks", mpn="FFP2-20")
    await a_listing(world.vendor.id, masks, "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    made = await a_list(buyer, lines=[{"listing_id": listing, "quantity": 2}])
    # when a sheet with the SKU again, the gloves' GTIN and the masks' MPN (with blank rows and other columns)
    content = workbook([["Article", "Name", "Quantity", "Note"], ["A-GLOVE", "x", 3, None], [None, None, None, None],
                        [4006381333931, "", "5", "by GTIN"], ["FFP2-20", "", 7.0, "by MPN"]])
    response = await upload(buyer, made["id"], content)
    # then the SKU adds to its line and the others are product lines
    assert response.status_code == 200, response.text
    assert lines_of(response.json()) == [(gloves, listing, 5, ""), (gloves, None, 5, "by GTIN"),
                                         (masks, None, 7, "by MPN")]


async def test_an_import_with_rows_to_fix_adds_nothing_and_names_every_row(world, api, gloves):
    # given a list, an offer the buyer's segment hides and an article nobody has
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    hidden = await a_product("Hidden thing")
    await a_listing(world.vendor.id, hidden, "A-HIDDEN", "1.00", stock=100)
    await a_segment("Hides", members=[world.buyer.id], rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value,
                                                               hidden)])
    buyer = await api(world.purchaser)
    made = await a_list(buyer, lines=[{"listing_id": listing, "quantity": 2}])
    # when a sheet names them, with a bad quantity and a long note too
    content = workbook([["article", "quantity", "note"], ["A-GLOVE", 1, ""], ["A-HIDDEN", 1, ""],
                        ["NOBODY-1", 1, ""], ["A-GLOVE", 0, ""], ["A-GLOVE", 1, "n" * 201]])
    response = await upload(buyer, made["id"], content)
    # then it is a 400 naming each row to fix; hidden and unknown articles alike; nothing was added
    assert response.status_code == 400, response.text
    body = response.json()
    assert "4 rows to fix, nothing was added" in body["detail"]
    assert [(entry["row"], entry["message"]) for entry in body["extra"]] == [
        (3, "no product or offer you can order has this article"),
        (4, "no product or offer you can order has this article"),
        (5, f"quantity must be a whole number from 1 to {MAX_QUANTITY}"),
        (6, "note must be at most 200 characters long"),
    ]
    assert "Hidden" not in response.text
    assert lines_of((await buyer.get(f"{LISTS}/{made['id']}")).json()) == [(gloves, listing, 2, "")]


@pytest.mark.parametrize("case", ["not a workbook", "zip bomb", "no header", "too many rows"])
async def test_a_file_that_cannot_be_a_list_is_a_400_that_says_why(world, api, gloves, tmp_path: Path, case):
    # given a list and a file that is not one
    buyer = await api(world.purchaser)
    made = await a_list(buyer)
    content = {
        "not a workbook": lambda: b"article,quantity\nA-GLOVE,1\n",
        "zip bomb": lambda: zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=64).read_bytes(),
        "no header": lambda: workbook([["A-GLOVE", 1]]),
        "too many rows": lambda: workbook([["article", "quantity"], *[[f"A-{n}", 1] for n in range(MAX_LINES + 1)]]),
    }[case]()
    # when it is imported
    response = await upload(buyer, made["id"], content)
    # then the answer says what to fix, and the list is unchanged
    assert response.status_code == 400, response.text
    expected = {"not a workbook": "not an Excel .xlsx", "zip bomb": "unpacks", "no header": "first row must name",
                "too many rows": f"at most {MAX_LINES} lines"}[case]
    assert expected in response.json()["detail"]
    assert (await buyer.get(f"{LISTS}/{made['id']}")).json()["lines"] == []


# --- bounds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "said"), [
    ({"name": ""}, "name must not be empty"),
    ({"name": "   "}, "name must not be blank"),
    ({"name": "n" * 121}, "name must be at most 120 characters long"),
    ({"name": "L", "lines": [{"product_id": 1, "quantity": 0}]}, "quantity"),
    ({"name": "L", "lines": [{"product_id": 1, "quantity": MAX_QUANTITY + 1}]}, "quantity"),
    ({"name": "L", "lines": [{"product_id": 1, "quantity": 1, "note": "n" * 201}]}, "at most 200 characters"),
    ({"name": "L", "lines": [{"quantity": 1}]}, "give either listing_id"),
    ({"name": "L", "lines": [{"product_id": 1, "quantity": 1}] * (MAX_LINES + 1)}, "at most 500 items"),
    ({"name": "L", "colour": "red"}, "colour"),
])
async def test_input_past_its_bounds_is_a_400_that_says_what_to_fix(world, api, body, said):
    buyer = await api(world.purchaser)
    response = await buyer.post(LISTS, json=body)
    assert response.status_code == 400, response.text
    assert said in response.json()["detail"]
    assert (await buyer.get(LISTS)).json() == []


async def test_a_list_holds_at_most_500_lines_and_a_line_at_most_the_quantity_limit(world, api, gloves):
    # given a list of 500 product lines
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    products = [(await Product.insert(Product(name=f"P{n}", status="active")))[0]["id"] for n in range(MAX_LINES)]
    await Listing.insert(*[Listing(vendor=world.vendor.id, product=product, sku=f"S{product}", title="t",
                                   base_price=100, currency="EUR", status="approved") for product in products])
    buyer = await api(world.purchaser)
    made = await a_list(buyer, lines=[{"product_id": product, "quantity": 1} for product in products])
    assert made["line_count"] == MAX_LINES
    # when one more line is added, then it is refused and nothing changes
    refused = await buyer.post(f"{LISTS}/{made['id']}/lines", json={"listing_id": listing, "quantity": 1})
    assert refused.status_code == 400 and "at most 500 lines" in refused.json()["detail"]
    # while adding to a line it holds is fine, up to the quantity limit
    line = {"product_id": products[0], "quantity": MAX_QUANTITY - 1}
    full = await buyer.post(f"{LISTS}/{made['id']}/lines", json=line)
    assert full.status_code == 201 and full.json()["lines"][0]["quantity"] == MAX_QUANTITY
    over = await buyer.post(f"{LISTS}/{made['id']}/lines", json={"product_id": products[0], "quantity": 1})
    assert over.status_code == 400 and "at most" in over.json()["detail"]
    assert await RequisitionListLine.count().where(RequisitionListLine.requisition_list == made["id"]) == MAX_LINES


async def test_a_listing_or_product_the_buyer_may_not_see_is_refused_like_a_missing_one(world, api, gloves):
    # given a listing and product the other buyer's segment hides
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    await a_segment("No gloves", members=[world.other_buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, gloves)])
    other = await api(world.other_buyer_admin)
    made = await a_list(other)
    # when it adds them, then the answers are those a missing id gets
    for key, hidden in (("listing_id", listing), ("product_id", gloves)):
        real = await other.post(f"{LISTS}/{made['id']}/lines", json={key: hidden, "quantity": 1})
        absent = await other.post(f"{LISTS}/{made['id']}/lines", json={key: MISSING, "quantity": 1})
        assert real.status_code == 404 and real.json() == absent.json()
        made_real = await other.post(LISTS, json={"name": "L", "lines": [{key: hidden, "quantity": 1}]})
        made_absent = await other.post(LISTS, json={"name": "L", "lines": [{key: MISSING, "quantity": 1}]})
        assert made_real.status_code == 404 and made_real.json() == made_absent.json()


async def test_the_list_of_lists_is_the_callers_own_and_its_companys_shared_ones(world, api):
    # given the purchaser's private and shared lists, and another purchaser of the same company
    purchaser = await api(world.purchaser)
    await a_list(purchaser, "B private")
    shared = await a_list(purchaser, "A shared", shared=True)
    newcomer = await api(await make_user(world.buyer.id, "purchaser"))
    # when the newcomer makes its own list
    own = await a_list(newcomer, "C mine")
    # then it sees its own and the shared one, by name, and the purchaser sees its two
    assert [(entry["id"], entry["mine"]) for entry in (await newcomer.get(LISTS)).json()] == [
        (shared["id"], False), (own["id"], True)]
    assert [entry["name"] for entry in (await purchaser.get(LISTS)).json()] == ["A shared", "B private"]
