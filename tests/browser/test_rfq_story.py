"""The whole RFQ story in Chromium: a buyer builds an RFQ (a catalog product picked by typing, lines from an uploaded
workbook, vendors picked by name) and posts it, two vendors answer with sealed offers, bidding closes, the buyer
compares the offers side by side, downloads the comparison as CSV and Excel, and awards the offers line by line; on a
laptop's screen and on a phone's."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from playwright.async_api import expect

from app.demo import load_demo_data
from app.offers.tables import Award
from app.rfq.line_sheets import COLUMNS
from app.rfq.tables import RfqLine
from tests.support.browser import BOTH_WIDTHS, answer, follow_menu_link, invite_vendor, log_in, pick_product

pytestmark = pytest.mark.browser


async def download(page, link: str, folder):
    """The file behind the page's link `link`, saved under `folder` by the name the server gave it."""
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link).click()
    file = await started.value
    await file.save_as(folder / file.suggested_filename)
    return folder / file.suggested_filename


@BOTH_WIDTHS
async def test_a_buyer_posts_an_rfq_two_vendors_answer_and_the_buyer_awards(chromium, live_server, tmp_path, viewport):
    # given the demo companies, and a workbook of lines the buyer filled in from the template: free-text paper
    await load_demo_data()
    title = "Gloves and paper for 2027"
    sheet = Workbook()
    sheet.active.append(list(COLUMNS))
    sheet.active.append(["Copy paper A4, 500 sheets", 100, "ream", None])
    sheet.save(tmp_path / "lines.xlsx")
    gloves = "Nitrile examination gloves, size M, box of 100"

    # when the buyer builds an RFQ: the gloves picked from the catalog by typing, the paper from the workbook
    buyer = await log_in(chromium, live_server, "admin@acme.example", viewport=viewport)
    await follow_menu_link(buyer, "RFQs")
    await buyer.goto("/rfqs/new")
    await buyer.get_by_label("Title").fill(title)
    deadline = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    await buyer.get_by_label("Deadline (UTC)").fill(deadline)
    await pick_product(buyer, "nitrile size M", gloves)
    await buyer.get_by_label("Line 1 quantity").fill("200")
    await buyer.get_by_label("Line 1 target unit price").fill("6.00")
    await buyer.get_by_label("Or upload an Excel (.xlsx) or CSV file").set_input_files(tmp_path / "lines.xlsx")
    await buyer.get_by_role("button", name="Add these lines").click()
    await expect(buyer.get_by_role("status")).to_contain_text("Added 1 line")
    await expect(buyer.get_by_label("Line 2 description")).to_have_value("Copy paper A4, 500 sheets")
    await expect(buyer.get_by_label("Line 1 target unit price")).to_have_value("6.00")
    # and the auction settings show only while a reverse auction is chosen
    await expect(buyer.get_by_label("Auction: minimum decrement")).to_be_hidden()
    await buyer.get_by_label("Reverse auction").check()
    await expect(buyer.get_by_label("Auction: minimum decrement")).to_be_visible()
    await buyer.get_by_label("Sealed offers").check()
    # and invites two vendors found by name, and saves the draft
    await invite_vendor(buyer, "Globex Medical Supplies")
    await invite_vendor(buyer, "Initech Office")
    await buyer.get_by_role("button", name="Save draft").click()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text(title)
    lines = await RfqLine.select(RfqLine.product.name, RfqLine.quantity, RfqLine.target_price).where(
        RfqLine.rfq.title == title).order_by(RfqLine.position)
    assert [(line["product.name"], line["quantity"], line["target_price"]) for line in lines] == [
        (gloves, 200, 60_000), (None, 100, None)]
    await buyer.get_by_role("button", name="Publish…").click()  # a summary asks first: publishing cannot be undone
    await buyer.get_by_role("button", name="Yes, publish and tell the vendors").click()
    await expect(buyer.get_by_text("Published: the vendors have been told.")).to_be_visible()
    rfq_url = buyer.url

    # and both vendors answer from their inbox, Globex cheaper on gloves, Initech on paper
    await answer(chromium, live_server, "sales@globex.example", title, ["5.50", "4.40"], viewport)
    await answer(chromium, live_server, "sales@initech.example", title, ["6.20", "3.90"], viewport)

    # then before the close the buyer sees that two answered, and no price
    await buyer.goto(rfq_url)
    body = await buyer.locator("main").inner_text()
    assert "2 of 2" in body
    assert "5.50" not in body and "3.90" not in body

    # when the buyer closes bidding and opens the comparison
    await buyer.get_by_role("button", name="Close bidding now…").click()
    await buyer.get_by_role("button", name="Yes, close bidding now").click()
    await buyer.goto(rfq_url.rstrip("/") + "/comparison")
    matrix = await buyer.locator("table").first.inner_text()
    assert "Globex Medical Supplies" in matrix and "Initech Office" in matrix
    assert "5.5" in matrix and "3.9" in matrix

    # and downloads it as CSV and as Excel through the page's links
    with (await download(buyer, "Download CSV", tmp_path)).open(newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    book = load_workbook(await download(buyer, "Download Excel", tmp_path), read_only=True)
    cells = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    # then both hold the same table: a header row naming each vendor's columns, a row per line with its prices
    for table in (rows, cells):
        header = next(row for row in table if row[0] == "Line")
        gloves_row = next(row for row in table if row[1] == gloves)
        paper_row = next(row for row in table if row[1] == "Copy paper A4, 500 sheets")
        globex, initech = (header.index(f"{vendor}: unit price") for vendor in ("Globex Medical Supplies",
                                                                                "Initech Office"))
        assert re.fullmatch(r"5[.,]50*", str(gloves_row[globex])), gloves_row
        assert re.fullmatch(r"3[.,]90*", str(paper_row[initech])), paper_row
        assert str(gloves_row[header.index("Quantity")]) == "200"
    # and the workbook's prices and quantities are numbers, not text
    assert isinstance(gloves_row[globex], int | float) and isinstance(gloves_row[header.index("Quantity")], int)

    # and awards the gloves to Globex and the paper to Initech
    selects = buyer.locator("select[name^='line_']")
    for index, vendor in ((0, "Globex"), (1, "Initech")):
        value = await selects.nth(index).locator("option", has_text=vendor).get_attribute("value")
        await selects.nth(index).select_option(value=value)
    await buyer.get_by_role("button", name="Award…").click()
    await buyer.get_by_role("button", name="Yes, award").click()

    # then the RFQ is awarded, each line to its cheapest vendor
    await expect(buyer.get_by_role("status")).to_contain_text("awarded")
    awards = await Award.select(Award.vendor.name, Award.rfq_line.position).where(
        Award.rfq.title == title).order_by(Award.rfq_line.position)
    assert [(a["rfq_line.position"], a["vendor.name"]) for a in awards] == [
        (1, "Globex Medical Supplies"), (2, "Initech Office"),
    ]
