"""Building an RFQ on its page: the product picker shows only the buyer's own catalog and adds a line for the chosen
product; lines come from pasted rows or an uploaded XLSX/CSV (every bad row told by row and column, nothing added
half); the templates download; vendors are picked by name and removed; and a form wrong in several places says each
problem beside its field, every value kept."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import openpyxl
import pytest
from piccolo.apps.user.tables import BaseUser

from app.accounts.tables import Membership
from app.catalog.states import RuleEffect, RuleTarget
from app.rfq.line_sheets import COLUMNS, MAX_FILE_BYTES
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.catalog import a_listing, a_product, a_segment
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.hostile_files import zip_bomb
from tests.support.pages import error_beside, form_fields, main_of
from tests.support.rfq import a_draft, a_published, emails_to, new_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def catalog(world):
    """Gloves and masks the buyer may see, and gloves of a product its segment denies (same words, other SKU)."""
    gloves = await a_product("Nitrile gloves M", gtin="4006381333931")
    await a_listing(world.vendor.id, gloves, "GLV-M")
    masks = await a_product("FFP2 masks")
    await a_listing(world.vendor.id, masks, "MASK-1")
    hidden = await a_product("Nitrile gloves secret", gtin="4006381339999")
    await a_listing(world.vendor.id, hidden, "GLV-SECRET")
    await a_segment("No secret gloves", members=[world.buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, hidden)])
    return {"gloves": gloves, "masks": masks, "hidden": hidden}


def page_form(html: str, action: str = "/rfqs/new") -> dict[str, str]:
    """What the browser would send from the page's form (its checked radios), the file field left out."""
    fields = form_fields(html, action)
    fields.pop("lines_file", None)
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)" checked>', html):
        fields[name] = value
    return fields


def line_rows(html: str) -> list[tuple[str, str, str, str, str]]:
    """The filled line rows of the page's form: (product id, description, quantity, unit, target price)."""
    fields = form_fields(html, "/rfqs/new")
    rows = []
    for n in range(1, 201):
        if f"line{n}_description" not in fields:
            break
        row = tuple(unescape(fields[f"line{n}_{name}"])
                    for name in ("product_id", "description", "quantity", "unit", "target_price"))
        if row[0] or row[1]:
            rows.append(row)
    return rows


# --- the product picker --------------------------------------------------------------------------


async def test_the_picker_finds_products_by_name_sku_and_gtin_and_never_a_hidden_one(world, browser, catalog):
    client = await browser(world.purchaser)
    for query in ("nitrile", "GLV", "4006381"):
        # when the buyer types
        answer = await client.get("/rfqs/products", params={"product_q": query})
        # then its own product is offered, the hidden one never (not by its name, SKU or GTIN)
        assert answer.status_code == 200
        assert f'name="add_product" value="{catalog["gloves"]}"' in answer.text, query
        assert "secret" not in answer.text.lower() and f'value="{catalog["hidden"]}"' not in answer.text
    for query in ("secret", "GLV-SECRET", "4006381339999"):
        answer = await client.get("/rfqs/products", params={"product_q": query})
        assert 'name="add_product"' not in answer.text and "No product of your catalog matches" in answer.text
    # and an empty query lists nothing
    assert 'name="add_product"' not in (await client.get("/rfqs/products", params={"product_q": " "})).text


async def test_adding_a_picked_product_adds_its_line_and_keeps_the_rest(world, browser, catalog):
    # given a half-filled form with one free-text line
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    form = {**page_form(page.text), "title": "Gloves 2027", "line1_description": "Hand gel 1 l",
            "line1_quantity": "40", "product_q": "gloves"}
    # when the buyer searches without JavaScript, then adds the gloves
    found = await client.post("/rfqs/new", data={**form, "action": "find_products"})
    assert found.status_code == 200 and f'value="{catalog["gloves"]}"' in found.text
    added = await client.post("/rfqs/new", data={**page_form(found.text), "add_product": str(catalog["gloves"])})
    # then the form comes back with a line for the product, its name shown, every value kept, nothing saved
    assert added.status_code == 200, main_of(added.text)
    assert line_rows(added.text) == [("", "Hand gel 1 l", "40", "pcs", ""),
                                     (str(catalog["gloves"]), "Nitrile gloves M", "1", "pcs", "")]
    assert 'class="product-name">Nitrile gloves M<' in added.text
    assert form_fields(added.text, "/rfqs/new")["title"] == "Gloves 2027"
    assert await Rfq.count() == 0


async def test_a_hidden_product_cannot_be_added_nor_saved_and_is_told_like_an_unknown_one(world, browser, catalog):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    answers = []
    for product in (catalog["hidden"], 424242):
        added = await client.post("/rfqs/new", data={**page_form(page.text), "add_product": str(product)})
        assert added.status_code == 400
        answers.append(unescape(main_of(added.text)).split("</div>", 1)[0])
        assert "secret" not in added.text.lower()
        saved = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                              line1_product_id=str(product)))
        assert saved.status_code == 400
        assert "Line 1 — catalog product: is not a catalog product your company can buy" in unescape(saved.text)
        assert "secret" not in saved.text.lower()
    assert answers[0] == answers[1]
    assert await Rfq.count() == 0


# --- lines from a spreadsheet --------------------------------------------------------------------


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_uploaded_workbook_adds_its_lines_for_review(world, browser, catalog):
    # given the template filled in: a SKU, a GTIN typed as a number, a product's name, a free description, a hidden
    # product's SKU (a free-text line: nothing tells it exists)
    content = workbook([COLUMNS, ("GLV-M", 100, "box", 4.25), (4006381333931, 5, None, None),
                        ("ffp2 MASKS", 20, "pcs", "0.0035"), ("Hand gel 1 l", 40, "bottle", None),
                        ("GLV-SECRET", 1, None, None)])
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    # when the buyer uploads it
    answer = await client.post("/rfqs/new", data={**page_form(page.text), "title": "Kept", "action": "add_lines"},
                               files={"lines_file": ("lines.xlsx", content, XLSX)})
    # then the lines are in the form to review, products recognised; nothing is saved yet
    assert answer.status_code == 200, main_of(answer.text)
    assert "Added 5 lines" in answer.text
    gloves, masks = str(catalog["gloves"]), str(catalog["masks"])
    assert line_rows(answer.text) == [
        (gloves, "Nitrile gloves M", "100", "box", "4.25"), (gloves, "Nitrile gloves M", "5", "pcs", ""),
        (masks, "FFP2 masks", "20", "pcs", "0.0035"), ("", "Hand gel 1 l", "40", "bottle", ""),
        ("", "GLV-SECRET", "1", "pcs", ""),
    ]
    assert form_fields(answer.text, "/rfqs/new")["title"] == "Kept"
    assert await Rfq.count() == 0
    # when the draft is saved as it is
    saved = await client.post("/rfqs/new", data={**page_form(answer.text), "deadline": new_form("", 0)["deadline"],
                                                 "vendor_ids": [str(world.vendor.id)]})
    # then it holds the lines
    assert saved.status_code == 303, main_of(saved.text)
    lines = await RfqLine.select(RfqLine.product, RfqLine.quantity).order_by(RfqLine.position)
    assert [(line["product"], line["quantity"]) for line in lines] == [
        (catalog["gloves"], 100), (catalog["gloves"], 5), (catalog["masks"], 20), (None, 40), (None, 1)]


async def test_uploaded_text_prices_are_read_as_the_buyer_writes_amounts(world, browser, catalog):
    # given a purchaser who reads German, and a workbook with a German text price, a number cell and an English text
    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == world.purchaser).first()
    await Membership.update({Membership.locale: "de_DE"}).where(Membership.user == user["id"])
    content = workbook([COLUMNS, ("GLV-M", 100, "box", "1.234,50"), ("MASK-1", 20, "pcs", 1234.5)])
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    answer = await client.post("/rfqs/new", data={**page_form(page.text), "action": "add_lines"},
                               files={"lines_file": ("lines.xlsx", content, XLSX)})
    # then both prices are 1,234.50, shown as the buyer types them
    assert answer.status_code == 200, main_of(answer.text)
    assert [row[4] for row in line_rows(answer.text)] == ["1234,50", "1234,50"]
    # an English price typed as text in a CSV is told by its row and column, with how to type it
    english = "article;quantity;unit;target price\nGLV-M;10;box;1,234.50\n"
    refused = await client.post("/rfqs/new", data={**page_form(page.text), "action": "add_lines"},
                                files={"lines_file": ("lines.csv", english.encode(), "text/csv")})
    said = " ".join(main_of(refused.text).split())
    assert "Row 2 — target price: “1,234.50” is not a decimal amount: type one such as 1.234,50" in said
    # and a buyer who reads English reads that same file
    await Membership.update({Membership.locale: "en_US"}).where(Membership.user == user["id"])
    read = await client.post("/rfqs/new", data={**page_form(page.text), "action": "add_lines"},
                             files={"lines_file": ("lines.csv", english.encode(), "text/csv")})
    assert [row[4] for row in line_rows(read.text)] == ["1234.50"]


async def test_pasted_rows_with_mistakes_are_all_told_by_row_and_column_and_none_is_added(world, browser, catalog):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    text = "article\tquantity\tunit\ttarget price\nGLV-M\t100\tbox\t4.25\n\tx\tbox\t-3.5\nHand gel\t40\t\t1.00001\n"
    # when the buyer pastes them
    answer = await client.post("/rfqs/new", data={**page_form(page.text), "lines_text": text, "action": "add_lines"})
    # then every bad cell is told, by row and column, and the pasted text is kept to correct
    assert answer.status_code == 400
    said = unescape(main_of(answer.text))
    assert "2 rows to fix; no line was added." in said
    assert "Row 3 — article: give a SKU, GTIN or product name, or describe the item" in said
    assert "Row 3 — quantity: must be a whole number from 1 to 1,000,000,000, not “x”" in said
    assert "Row 3 — target price: must not be negative" in said
    assert "Row 4 — target price: has more than 4 decimal places" in said
    assert unescape(form_fields(answer.text, "/rfqs/new")["lines_text"]) == text
    assert line_rows(answer.text) == []


async def test_comma_separated_paste_and_a_csv_upload_are_read_too(world, browser, catalog):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    pasted = await client.post("/rfqs/new", data={**page_form(page.text), "action": "add_lines",
                                                  "lines_text": "GLV-M,10,box,4.00\n\"Paper A4, 80 g\",5,ream,"})
    assert pasted.status_code == 200, main_of(pasted.text)
    assert [row[1:] for row in line_rows(pasted.text)] == [("Nitrile gloves M", "10", "box", "4.00"),
                                                           ("Paper A4, 80 g", "5", "ream", "")]
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([COLUMNS, ("MASK-1", "7", "pcs", "1.50")])
    uploaded = await client.post("/rfqs/new", data={**page_form(pasted.text), "action": "add_lines"},
                                 files={"lines_file": ("lines.csv", ("\ufeff" + out.getvalue()).encode(), "text/csv")})
    assert uploaded.status_code == 200, main_of(uploaded.text)
    assert [row[1] for row in line_rows(uploaded.text)] == ["Nitrile gloves M", "Paper A4, 80 g", "FFP2 masks"]


async def test_an_oversized_file_or_a_zip_bomb_is_refused_with_the_limit_and_the_form_kept(
    world, browser, catalog, tmp_path
):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    form = {**page_form(page.text), "title": "Kept title", "action": "add_lines"}
    bomb = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60).read_bytes()
    assert len(bomb) < MAX_FILE_BYTES
    for name, content, reason in (
        ("lines.xlsx", b"PK\x03\x04" + b"x" * MAX_FILE_BYTES, "larger than 2 MB"),
        ("lines.xlsx", bomb, "unpacks to more than 16 MB"),
        ("lines.pdf", b"%PDF-1.4", "neither a CSV (.csv) nor an Excel workbook"),
    ):
        answer = await client.post("/rfqs/new", data=form, files={"lines_file": (name, content, XLSX)})
        assert answer.status_code == 400, main_of(answer.text)[:500]
        assert reason in main_of(answer.text)
        assert form_fields(answer.text, "/rfqs/new")["title"] == "Kept title"
    # and a body past the page's own limit is a 413 that says the limit
    huge = await client.post("/rfqs/new", data=form, files={"lines_file": ("l.csv", b"a,1\n" * (4 * 1024 * 1024 + 1),
                                                                           "text/csv")})
    assert huge.status_code == 413 and "16 MB" in huge.text
    assert await Rfq.count() == 0


async def test_the_templates_download_with_the_columns(world, browser):
    client = await browser(world.purchaser)
    xlsx = await client.get("/rfqs/lines-template.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith(XLSX)
    assert 'filename="rfq-lines.xlsx"' in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    csv_file = await client.get("/rfqs/lines-template.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.decode("utf-8-sig").strip() == "article,quantity,unit,target price"
    # and they are the buyer's pages: a vendor gets 403
    assert (await (await browser(world.vendor_admin)).get("/rfqs/lines-template.csv")).status_code == 403


# --- the vendor picker ---------------------------------------------------------------------------


async def test_vendors_are_picked_by_name_and_removed(world, browser):
    rival = await make_company("vendor", name="Rival Supplies")
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    found = await client.get("/rfqs/vendors", params={"vendor_q": "rival"})
    assert f'name="add_vendor" value="{rival.id}"' in found.text and world.vendor.name not in found.text
    picked = await client.post("/rfqs/new", data={**page_form(page.text), "add_vendor": str(rival.id)})
    assert picked.status_code == 200
    assert page_form(picked.text)["vendor_ids"] == str(rival.id) and "Rival Supplies" in main_of(picked.text)
    # a chosen vendor is not offered again
    again = await client.get("/rfqs/vendors", params={"vendor_q": "rival", "vendor_ids": str(rival.id)})
    assert f'value="{rival.id}"' not in again.text
    removed = await client.post("/rfqs/new", data={**page_form(picked.text), "remove_vendor": str(rival.id)})
    assert "vendor_ids" not in page_form(removed.text) and "No vendor invited yet." in removed.text


async def test_a_drafts_vendors_and_lines_are_built_on_its_edit_page(world, browser, api, catalog):
    draft = await a_draft(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    action = f"/rfqs/{draft['id']}/edit"
    page = await client.get(action)
    added = await client.post(action, data={**page_form(page.text, action), "action": "add_lines",
                                            "lines_text": "GLV-M\t3"})
    assert added.status_code == 200, main_of(added.text)
    saved = await client.post(action, data=page_form(added.text, action))
    assert saved.status_code == 303, main_of(saved.text)
    assert await RfqLine.count() == 3
    assert await RfqInvitation.count() == 1
    # and another company's buyer cannot build on it: the same 404 as a draft that does not exist
    other = await browser(world.other_buyer_admin)
    own = await other.get("/rfqs/new")
    for path in (action, "/rfqs/424242/edit"):
        answer = await other.post(path, data={**page_form(own.text), "action": "add_lines", "lines_text": "X\t1"})
        assert answer.status_code == 404


# --- the form's errors ---------------------------------------------------------------------------


async def test_the_form_as_a_browser_sends_it_multipart_saves_and_keeps_a_long_text_on_refusal(world, browser):
    # given the form as a browser posts it: multipart, the spreadsheet's file input left empty
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    empty_file = {"lines_file": ("", b"", "application/octet-stream")}
    form = new_form(csrf_token(page.text), world.vendor.id, title="Kept title")
    # when it holds a description far past its limit, then it comes back with the limit and every value
    refused = await client.post("/rfqs/new", data={**form, "description": "d" * (5 * 1024 * 1024)}, files=empty_file)
    assert refused.status_code == 400
    assert "Description: must be at most 20,000 characters" in unescape(refused.text)
    assert form_fields(refused.text, "/rfqs/new")["title"] == "Kept title"
    # when it is right, it is saved
    saved = await client.post("/rfqs/new", data=form, files=empty_file)
    assert saved.status_code == 303, main_of(saved.text)
    assert await Rfq.count() == 1


async def test_every_error_is_shown_beside_its_field_and_every_value_is_kept(world, browser):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    form = new_form(csrf_token(page.text), world.vendor.id, title="Kept title", currency="EURO",
                    line2_description="Toner", line2_quantity="2", line2_target_price="-3.5",
                    bidding_mode="auction", min_decrement="")
    answer = await client.post("/rfqs/new", data=form)
    assert answer.status_code == 400
    html = unescape(answer.text)
    assert "The draft was not saved: 3 things to correct, shown next to each field." in html
    for key, message in (("currency", "Currency: give a three-letter currency code such as EUR"),
                         ("line2_target_price", "Line 2 — target price: must not be negative"),
                         ("min_decrement", "Minimum decrement: must be a positive amount such as 0.50")):
        assert f'<p id="{key}-error" class="field-error">{message}</p>' in html
        assert f'aria-describedby="{key}-error"' in html
    kept = form_fields(answer.text, "/rfqs/new")
    assert (kept["title"], kept["currency"], kept["line2_description"], kept["line2_target_price"]) == (
        "Kept title", "EURO", "Toner", "-3.5")
    assert kept["vendor_ids"] == str(world.vendor.id)
    assert await Rfq.count() == 0


async def test_more_vendors_are_invited_to_a_published_rfq_from_its_page(world, browser, api):
    # given a published RFQ inviting the world's vendor, and a rival and a vendor the buyer's segment denies
    rival = await make_company("vendor", name="Rival Supplies")
    seller = await make_user(rival.id, "vendor_admin")
    denied = await make_company("vendor", name="Rival Hidden")
    await a_segment("No hidden rival", members=[world.buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.VENDOR.value, denied.id)])
    rfq = await a_published(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    # when the buyer searches by name (without JavaScript: the page's GET)
    page = await client.get(f"/rfqs/{rfq['id']}", params={"vendor_q": "rival"})
    # then the rival is offered, the denied vendor and the invited one not
    assert f'name="add_vendor" value="{rival.id}"' in page.text
    assert "Rival Hidden" not in page.text and f'value="{denied.id}"' not in page.text
    again = await client.get("/rfqs/vendors", params={"vendor_q": world.vendor.name,
                                                       "invited_ids": str(world.vendor.id)})
    assert "add_vendor" not in again.text
    # when it invites the rival, then the rival is invited and told
    invited = await client.post(f"/rfqs/{rfq['id']}/invitations",
                                data={"_csrf_token": csrf_token(page.text), "add_vendor": str(rival.id)})
    assert invited.status_code == 303
    assert await RfqInvitation.count().where(RfqInvitation.vendor == rival.id) == 1
    assert len(await emails_to(seller)) == 1
    # and the denied vendor is refused like an unknown one, in the buyer's words
    answers = []
    for vendor_id in (denied.id, 424242):
        refused = await client.post(f"/rfqs/{rfq['id']}/invitations",
                                    data={"_csrf_token": csrf_token(page.text), "add_vendor": str(vendor_id)})
        assert refused.status_code == 400
        answers.append(error_beside(refused.text, "vendor_q"))
    assert answers[0] == answers[1] == ("That vendor cannot be invited: search again and choose one of the vendors "
                                        "offered.")
    assert await RfqInvitation.count() == 2
