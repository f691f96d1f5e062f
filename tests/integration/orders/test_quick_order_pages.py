"""The quick order page through a signed-in browser client: pasted lines and an uploaded file go to the cart, each
line's outcome shown; the refused lines come back in the box to correct and as a CSV to download, without ordering
anything twice; input refused as a whole comes back as typed; a hidden offer is refused like an unknown article."""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from openpyxl import Workbook

from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import Listing
from app.orders.tables import CartLine
from tests.support.catalog import a_listing, a_product, a_segment
from tests.support.fixtures import make_company
from tests.support.hostile_files import zip_bomb
from tests.support.pages import error_beside, form_fields, main_of
from tests.support.parties import user_id

PAGE = "/cart/quick-order"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def offers(world):
    """Gloves from the world's vendor (packs of 10), masks from two vendors, a product hidden from the buyer."""
    rival = await make_company("vendor", name="Rival Supplies")
    gloves = await a_listing(world.vendor.id, await a_product("Nitrile gloves M"), "GLV-M", "0.20", stock=10_000)
    await Listing.update({Listing.pack_size: 10}).where(Listing.id == gloves)
    masks = await a_product("FFP2 masks", gtin="4006381333931")
    hidden = await a_product("Hidden gloves")
    await a_segment("No hidden gloves", members=[world.buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, hidden)])
    return {
        "gloves": gloves,
        "mask_dear": await a_listing(world.vendor.id, masks, "MASK-A", "1.50", stock=1_000),
        "mask_cheap": await a_listing(rival.id, masks, "MASK-B", "1.20", stock=1_000),
        "hidden": await a_listing(world.vendor.id, hidden, "HID-1", stock=100),
    }


async def cart_of(world) -> dict[int, int]:
    rows = await CartLine.select(CartLine.listing, CartLine.quantity).where(
        CartLine.cart._.user == await user_id(world.purchaser))
    return {row["listing"]: row["quantity"] for row in rows}


def upload_fields(html: str) -> dict[str, str]:
    """The upload form's fields but the file, which goes as a file."""
    fields = form_fields(html, f"{PAGE}/file")
    del fields["file"]
    return fields


async def paste(client, text: str):  # type: ignore[no-untyped-def]
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    return await client.post(PAGE, data={**form_fields(page.text, PAGE), "text": text})


async def test_pasted_lines_go_to_the_cart_and_the_refused_ones_come_back_to_correct(world, browser, offers):
    # given a purchaser who pastes an Excel block: a header, gloves, masks two vendors sell, an unknown article,
    # gloves not in packs of 10, and the hidden product
    buyer = await browser(world.purchaser)
    text = "Article\tQty\r\nGLV-M\t100\r\n4006381333931\t20\r\nNOPE-9\t1\r\nGLV-M\t15\r\nHID-1\t2\r\n"
    # when it is sent
    page = await paste(buyer, text)
    # then the page says what became of each line, the chosen offers with their price and why
    assert page.status_code == 200, page.text
    html = unescape(main_of(page.text))
    assert "What became of your 5 lines" in html and "Line 1 was read as a header and skipped." in html
    assert "Added: several vendors" in html and "from Rival Supplies (SKU MASK-B)" in html
    assert "1.20 EUR each, List price" in html and "1 other offer" in html and "(SKU MASK-A): 1.50 EUR each" in html
    assert 'No offer you can order has the SKU, GTIN or MPN "NOPE-9".' in html
    assert 'No offer you can order has the SKU, GTIN or MPN "HID-1".' in html
    assert "Hidden gloves" not in html
    # and the lines of one article add up: 100 + 15 gloves is no multiple of 10, so both gloves lines are refused
    assert "You could order 110 or 120." in html
    # and only the masks went to the cart, at the cheaper vendor
    assert await cart_of(world) == {offers["mask_cheap"]: 20}
    # and the refused lines are back in the box, as typed, to correct
    box = form_fields(page.text, PAGE)["text"]
    assert box.splitlines() == ["GLV-M\t100", "NOPE-9\t1", "GLV-M\t15", "HID-1\t2"]
    assert "Correct the refused lines" in html


async def test_the_refused_lines_download_as_csv_without_ordering_again(world, browser, offers):
    # given a quick order with a formula-like unknown article and a refused quantity
    buyer = await browser(world.purchaser)
    page = await paste(buyer, '=HYPERLINK("http://x")\t1\nGLV-M\t7\n4006381333931\t5\n')
    assert await cart_of(world) == {offers["mask_cheap"]: 5}
    # when the buyer downloads the refused lines from the page
    download = await buyer.post(f"{PAGE}/refused.csv", data=form_fields(page.text, f"{PAGE}/refused.csv"))
    # then it is a CSV of those lines, formula-like text written as text, ready to correct and upload again
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == 'attachment; filename="refused-lines.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["article", "quantity", "line", "problem", "reason", "you could order"]
    assert rows[1][:4] == ["'=HYPERLINK(\"http://x\")", "1", "1", "unknown_article"]
    assert rows[2][:4] == ["GLV-M", "7", "2", "not_a_pack_multiple"] and rows[2][5] == "10"
    assert len(rows) == 3
    # and nothing was ordered a second time
    assert await cart_of(world) == {offers["mask_cheap"]: 5}
    # and a forged or broken list of rows is a 400 that says what to do, not a 500
    broken = await buyer.post(f"{PAGE}/refused.csv", data={**form_fields(page.text, f"{PAGE}/refused.csv"),
                                                           "refused": '[["a", 1]]'})
    assert broken.status_code == 400 and "order again" in broken.text


async def test_input_refused_as_a_whole_comes_back_as_typed(world, browser, offers):
    # given a purchaser who sends only a header, then more lines than a quick order takes
    buyer = await browser(world.purchaser)
    for text, reason in (("sku;qty", "Nothing to order"), ("GLV-M 10\n" * 5_001, "5,000")):
        # when it is sent
        page = await paste(buyer, text)
        # then it is a 400 with the reason, the text still in the box and nothing in the cart
        assert page.status_code == 400, page.text[:500]
        assert reason in error_beside(page.text, "text")
        assert form_fields(page.text, PAGE)["text"].replace("\r\n", "\n") == text.rstrip("\n") + (
            "\n" if text.endswith("\n") else "")
        assert await cart_of(world) == {}


async def test_a_spreadsheet_upload_adds_its_lines(world, browser, offers):
    # given an XLSX saved by Excel: a header, an article typed as a number (its GTIN) and SKUs
    book = Workbook()
    sheet = book.active
    for row in (("Article", "Quantity"), (4006381333931, 30), ("GLV-M", 200), ("NOPE-1", 3)):
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    buyer = await browser(world.purchaser)
    page = await buyer.get(PAGE)
    # when the purchaser uploads it from the page
    answer = await buyer.post(f"{PAGE}/file", data=upload_fields(page.text),
                              files={"file": ("order.xlsx", content.getvalue(), XLSX)})
    # then its lines are in the cart and the refused one is on the page to correct
    assert answer.status_code == 200, answer.text
    assert "What became of your 3 lines from order.xlsx" in answer.text
    assert await cart_of(world) == {offers["mask_cheap"]: 30, offers["gloves"]: 200}
    assert form_fields(answer.text, PAGE)["text"] == "NOPE-1\t3"


async def test_a_zip_bomb_or_a_file_of_the_wrong_kind_is_a_400_with_the_reason(world, browser, offers, tmp_path):
    buyer = await browser(world.purchaser)
    page = await buyer.get(PAGE)
    fields = upload_fields(page.text)
    bomb = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60).read_bytes()
    for name, content, reason in (("order.xlsx", bomb, "unpack"),
                                  ("order.pdf", b"%PDF-1.4", "neither a CSV (.csv) nor an Excel workbook")):
        # when such a file is uploaded
        answer = await buyer.post(f"{PAGE}/file", data=fields, files={"file": (name, content, "application/x")})
        # then the page says why, with a 400, and nothing is in the cart
        assert answer.status_code == 400, answer.text[:300]
        assert reason in error_beside(answer.text, "file"), main_of(answer.text)
    assert await cart_of(world) == {}


@pytest.mark.parametrize("who", ["vendor_admin", "operator"])
async def test_the_page_is_for_buyers_only(world, browser, who):
    client = await browser(getattr(world, who))
    assert (await client.get(PAGE)).status_code == 403
