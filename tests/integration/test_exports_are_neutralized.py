"""Issue 12, defect 2: user text never becomes a live formula in any CSV or XLSX download, numbers stay numbers.

Every user-text field that reaches an export holds a hostile string; each export is downloaded over HTTP.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest

from app import db
from app.accounts.tables import Company
from app.catalog.tables import Listing
from app.contracts.tables import Contract
from app.rfq.tables import Rfq, RfqLine
from app.spreadsheets import FORMULA_STARTS
from app.vendors.tables import FeedImportError
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import award, offer
from tests.support.fixtures import make_company, make_user
from tests.support.orders import check_out
from tests.support.rfq import body
from tests.support.vendors import csv_bytes, import_and_wait

# Through the API and the builders: what the services keep (they strip leading whitespace).
PRODUCT = '=HYPERLINK("http://x")'  # an approved listing's title, so the product's name
RFQ_TITLE = "+1+1 gloves"
GEL = "@SUM(A1) hand gel"
GEL_UNIT = "-2"
SKU = "-A-GLOVE"
BUYER = "+1+1 Hospital"
VENDOR_A = '=cmd|" /C calc"!A0'
NOTES = ("=notes()", "@notes", "+notes", "-notes")  # two RFQ lines' notes, two offers' notes: in no export today
# Written into the rows directly, as the back office or an older version may have left them.
GLOVE_UNIT = "\tbox"
VENDOR_B = "\rBeta Supplies"
# A feed with a hostile cell in every column, and report rows whose column and reason start with each character.
FEED_ROW = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "=1+1"]
REPORT_ROWS = [(f"{start}column", f"{start}reason") for start in ("=", "+", "-", "@", "\t", "\r")]


@dataclass
class Market:
    rfq_id: int
    contract_id: int
    buyer: str
    seller_a: str


@pytest.fixture
async def market(api) -> Market:
    # given a buyer and two vendors with hostile names, and a hostile product vendor A has a listing of
    buyer = await make_company("buyer", name=BUYER)
    vendor_a = await make_company("vendor", name=VENDOR_A)
    vendor_b = await make_company("vendor", name="Beta Supplies")
    await Company.update({Company.name: VENDOR_B}).where(Company.id == vendor_b.id)
    buyer_admin = await make_user(buyer.id, "buyer_admin")
    seller_a = await make_user(vendor_a.id, "vendor_admin")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    product = await a_product(PRODUCT, category=await a_category("Gloves"))
    await a_listing(vendor_a.id, product, SKU, "10.00")
    # and an RFQ for the product and a free-text line, with hostile title, description, unit and notes
    buyer_client = await api(buyer_admin)
    draft = await buyer_client.post("/api/v1/rfqs", json=body([vendor_a.id, vendor_b.id], title=RFQ_TITLE, lines=[
        {"product_id": product, "quantity": 1000, "unit": "box", "target_price": "9.00", "notes": NOTES[0]},
        {"description": GEL, "quantity": 40, "unit": GEL_UNIT, "target_price": "4.00", "notes": NOTES[1]},
    ]))
    assert draft.status_code == 201, draft.text
    published = await buyer_client.post(f"/api/v1/rfqs/{draft.json()['id']}/publish")
    assert published.status_code == 200, published.text
    rfq = published.json()
    lines = [line["id"] for line in rfq["lines"]]
    await RfqLine.update({RfqLine.unit: GLOVE_UNIT}).where(RfqLine.id == lines[0])
    # and an offer from each vendor, with hostile notes; B offers above the targets (negative savings)
    valid_until = (await db.db_now() + timedelta(days=200)).isoformat()
    offer_a = await offer(api, seller_a, rfq["id"], {lines[0]: "8.00", lines[1]: "3.00"}, valid_until=valid_until,
                          notes=NOTES[2])
    await offer(api, seller_b, rfq["id"], {lines[0]: "9.50", lines[1]: "4.50"}, valid_until=valid_until,
                notes=NOTES[3])
    # and both lines awarded to A: a contract
    response = await award(api, buyer_admin, rfq["id"], {line: offer_a for line in lines})
    assert response.status_code == 200, response.text
    contract = await Contract.select(Contract.id).where(Contract.rfq == rfq["id"]).first()
    assert contract is not None
    return Market(rfq_id=rfq["id"], contract_id=contract["id"], buyer=buyer_admin, seller_a=seller_a)


# --- reading the downloads ----------------------------------------------------------------------


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite() and text == text.strip()
    except InvalidOperation:
        return False


def assert_csv_is_inert(rows: list[list[str]]) -> None:
    """No text cell starts with a formula character; only a number may start with "-"."""
    for row in rows:
        for cell in row:
            assert is_number(cell) or not cell.startswith(FORMULA_STARTS), cell


def xlsx_sheets(content: bytes) -> dict[str, list[list[openpyxl.cell.cell.Cell]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in workbook}


def assert_xlsx_is_inert(sheets: dict[str, list[list[openpyxl.cell.cell.Cell]]]) -> None:
    for rows in sheets.values():
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert cell.data_type == "s" and not cell.value.startswith(FORMULA_STARTS), cell.coordinate


def quoted(text: str) -> str:
    return "'" + text


def read_back(text: str) -> str:
    # XML reads every line end as "\n"
    return text.replace("\r\n", "\n").replace("\r", "\n")


def values(rows: list[list[openpyxl.cell.cell.Cell]]) -> list[list[object]]:
    return [[cell.value for cell in row] for row in rows]


# --- the exports --------------------------------------------------------------------------------


async def test_the_comparison_csv_keeps_every_user_text_as_text(market, api):
    # when the buyer downloads the comparison as CSV
    response = await (await api(market.buyer)).get(f"/api/v1/rfqs/{market.rfq_id}/comparison.csv")
    # then it is CSV with one charset, no cell would run, and every hostile text is there, quoted
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    assert_csv_is_inert(rows)
    title, header, gloves, gel, total, coverage, lead, savings, terms, offered_in, rate = rows
    number = (await Rfq.select(Rfq.number).where(Rfq.id == market.rfq_id).first())["number"]
    assert title == [f"{number}: {RFQ_TITLE}", "currency EUR"]
    columns = ("unit price", "quantity", "extended", "best")
    assert header[6:] == [quoted(f"{vendor}: {column}") for vendor in (VENDOR_A, VENDOR_B) for column in columns]
    assert gloves[:10] == ["1", quoted(PRODUCT), "1000", quoted(GLOVE_UNIT), "9.0000", "8.0000", "8.0000", "1000",
                           "8000.0000", "best"]
    assert gel[:4] == ["2", quoted(GEL), "40", quoted(GEL_UNIT)]
    # and the figures are numbers: a negative saving is written as "-520.0000", never quoted
    assert (total[8], total[12]) == ("8120.0000", "9680.0000")
    assert (coverage[8], lead[8]) == ("2/2", "5")
    assert (savings[8], savings[12]) == ("1040.0000", "-520.0000")
    assert (terms[8], offered_in[8], rate[8]) == ("30", "EUR", "")  # the RFQ's terms and currency: nothing converted


async def test_the_comparison_xlsx_has_text_cells_and_number_cells(market, api):
    response = await (await api(market.buyer)).get(f"/api/v1/rfqs/{market.rfq_id}/comparison.xlsx")
    assert response.status_code == 200
    sheets = xlsx_sheets(response.content)
    assert_xlsx_is_inert(sheets)
    rows = sheets["Comparison"]
    table = values(rows)
    # then the cell B3 is the product's name as text, not =HYPERLINK(...)
    assert (rows[2][1].data_type, rows[2][1].value) == ("s", quoted(PRODUCT))
    assert table[1][6] == quoted(f"{VENDOR_A}: unit price")
    assert table[1][10] == read_back(quoted(f"{VENDOR_B}: unit price"))
    assert table[2][3] == quoted(GLOVE_UNIT) and table[3][1:4] == [quoted(GEL), 40, quoted(GEL_UNIT)]
    assert RFQ_TITLE in table[0][0]
    # and quantities, prices, totals and savings are number cells
    numbers = [rows[2][0], rows[2][2], rows[2][4], rows[2][6], rows[2][8], rows[4][8], rows[7][8], rows[7][12]]
    assert all(cell.data_type == "n" for cell in numbers)
    assert [cell.value for cell in numbers] == [1, 1000, 9, 8, 8000, 8120, 1040, -520]


async def test_the_contract_xlsx_has_text_cells_and_number_cells(market, api):
    response = await (await api(market.seller_a)).get(f"/api/v1/contracts/{market.contract_id}/document.xlsx")
    assert response.status_code == 200
    sheets = xlsx_sheets(response.content)
    assert_xlsx_is_inert(sheets)
    contract, versions = values(sheets["Contract"]), values(sheets["Versions"])
    # then the parties, the lines' descriptions, units and the listing's SKU are quoted text
    assert (contract[1][1], contract[2][1]) == (quoted(BUYER), quoted(VENDOR_A))
    number = (await Rfq.select(Rfq.number).where(Rfq.id == market.rfq_id).first())["number"]
    assert contract[9][1] == (f"{number}: {RFQ_TITLE}" if number else RFQ_TITLE)  # users' numbers, never an id
    assert sheets["Contract"][12][1].data_type == "s"  # the Contract!B13
    assert contract[12][:5] == [1, quoted(PRODUCT), quoted(GLOVE_UNIT), quoted(SKU), 8]
    assert contract[13][:5] == [2, quoted(GEL), quoted(GEL_UNIT), "waiting for the vendor", 3]
    assert [row[5] for row in versions[1:]] == [quoted(PRODUCT), quoted(GEL)]  # the Versions!F2
    # and the figures are number cells
    figures = [sheets["Contract"][12][4], sheets["Contract"][12][8], sheets["Versions"][1][6]]
    assert [(cell.data_type, cell.value) for cell in figures] == [("n", 8), ("n", 1000), ("n", 8)]


async def test_the_import_row_report_keeps_every_cell_as_text(api, worker):
    # given a vendor's feed with a hostile cell in every column, and report rows that start with each character
    vendor = await make_company("vendor")
    client = await api(await make_user(vendor.id, "vendor_admin"))
    job = await import_and_wait(client, csv_bytes([FEED_ROW]), all_or_nothing=False)
    assert job["rows_rejected"] == 1, job
    await FeedImportError.insert(*[
        FeedImportError(feed_import=job["id"], row_number=3, column=column, reason=reason)
        for column, reason in REPORT_ROWS
    ])
    # when the vendor downloads the report
    response = await client.get(f"/api/v1/jobs/{job['id']}/errors.csv")
    # then it is CSV with one charset, no cell would run, and the hostile cells are quoted
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    header, *report = csv_rows(response.content)
    assert header == ["row", "column", "reason"]
    assert_csv_is_inert(report)
    assert [row for row in report if row[0] == "3"] == [["3", quoted(c), quoted(r)] for c, r in REPORT_ROWS]
    assert {row[0] for row in report} == {"2", "3"}  # the feed's row (the header is row 1) and the planted ones


async def test_the_order_export_keeps_the_po_number_and_the_parties_as_text(market, api):
    # given the hostile buyer's order of vendor A's listing, under a PO number that is a formula
    buyer = await Company.select(Company.id).where(Company.name == BUYER).first()
    await an_address(buyer["id"], "delivery", is_default=True)
    listing = await Listing.select(Listing.id).where(Listing.sku == SKU).first()
    client = await api(market.buyer)
    await client.post("/api/v1/cart/lines", json={"listing_id": listing["id"], "quantity": 2})
    assert (await check_out(client, PRODUCT)).status_code == 201
    # when the buyer exports its orders
    response = await client.get("/api/v1/orders/export.xlsx")
    # then the PO number and the parties' names are quoted text, and the amounts are numbers
    assert response.status_code == 200
    sheets = xlsx_sheets(response.content)
    assert_xlsx_is_inert(sheets)
    row = sheets["Orders"][2]
    assert [cell.value for cell in row[1:5]] == [quoted(PRODUCT), "placed", quoted(BUYER), quoted(VENDOR_A)]
    assert [(cell.data_type, cell.value) for cell in row[9:13]] == [("n", 16), ("n", 3.04), ("n", 19.04), ("n", 1)]


async def test_the_requisition_list_xlsx_keeps_the_note_and_the_offer_as_text(market, api):
    # given a list of the hostile product's listing, with a hostile note
    client = await api(market.buyer)
    listing = await Listing.select(Listing.id).where(Listing.sku == SKU).first()
    made = await client.post("/api/v1/requisition-lists", json={
        "name": RFQ_TITLE, "lines": [{"listing_id": listing["id"], "quantity": 12, "note": PRODUCT}]})
    assert made.status_code == 201, made.text
    # when the buyer downloads it
    response = await client.get(f"/api/v1/requisition-lists/{made.json()['id']}/export.xlsx")
    # then the SKU, the note, the product and the vendor are quoted text, the quantity a number
    assert response.status_code == 200
    sheets = xlsx_sheets(response.content)
    assert_xlsx_is_inert(sheets)
    row = sheets["Requisition list"][1]
    assert [cell.value for cell in row[:5]] == [quoted(SKU), 12, quoted(PRODUCT), quoted(PRODUCT), quoted(VENDOR_A)]
    assert (row[1].data_type, row[2].data_type) == ("n", "s")


async def test_the_lines_grids_of_an_order_and_a_contract_export_inert_files(market, api, browser):
    # given the hostile buyer's order of vendor A's hostile listing, and the contract of the award
    buyer = await Company.select(Company.id).where(Company.name == BUYER).first()
    await an_address(buyer["id"], "delivery", is_default=True)
    listing = await Listing.select(Listing.id).where(Listing.sku == SKU).first()
    client = await api(market.buyer)
    await client.post("/api/v1/cart/lines", json={"listing_id": listing["id"], "quantity": 2})
    placed = await check_out(client, PRODUCT)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orders"][0]["id"]
    # when their pages' grids are downloaded, as CSV and as XLSX
    session = await browser(market.buyer)
    for path in (f"/orders/{order_id}", f"/contracts/{market.contract_id}"):
        as_csv = await session.get(f"{path}/export.csv")
        as_xlsx = await session.get(f"{path}/export.xlsx")
        # then every user text is kept as text, and the product's name is there, quoted
        assert as_csv.status_code == as_xlsx.status_code == 200, path
        rows = csv_rows(as_csv.content)
        assert_csv_is_inert(rows)
        assert any(quoted(PRODUCT) in row for row in rows), path
        assert_xlsx_is_inert(xlsx_sheets(as_xlsx.content))


async def test_the_vendor_scorecards_export_keeps_vendor_names_as_text_and_figures_as_numbers(market, browser):
    # given an operator, and vendor A (hostile name) with an award, a contract and RFQ figures
    operator = await browser(await make_user((await make_company("operator")).id, "operator"))
    csv_file = await operator.get("/operator/scorecards/export.csv")
    assert csv_file.status_code == 200, csv_file.text
    rows = csv_rows(csv_file.content)
    assert_csv_is_inert(rows)
    [vendor_a] = [row for row in rows if row[0] == quoted(VENDOR_A)]
    assert vendor_a[3:6] == ["1", "1", "1"]  # invited, answered, won
    xlsx_file = await operator.get("/operator/scorecards/export.xlsx")
    sheets = xlsx_sheets(xlsx_file.content)
    assert_xlsx_is_inert(sheets)
    [row] = [row for row in values(next(iter(sheets.values()))) if row[0] == quoted(VENDOR_A)]
    assert row[3:6] == [1, 1, 1] and row[9] == 0  # the price gap: a number cell


async def test_the_exchange_rates_csv_keeps_the_source_as_text(api, world):
    # given rates whose sources are hostile text, imported by an operator
    operator = await api(world.operator)
    rows = "".join(f"USD,EUR,0.92,2026-11-{day:02d},{source}\n" for day, source in enumerate(
        (PRODUCT, VENDOR_A, "+1", "@x", "-2-"), start=1))
    imported = await operator.post("/api/v1/exchange-rates/import", files={
        "file": ("rates.csv", ("base,quote,rate,valid_on,source\n" + rows).encode(), "text/csv")})
    assert imported.status_code == 201, imported.text
    # when the rates are exported
    response = await operator.get("/api/v1/exchange-rates/export.csv")
    # then every source is text, and the rate a number
    assert response.status_code == 200
    header, *exported = csv_rows(response.content)
    assert header == ["base", "quote", "rate", "valid_on", "source"]
    assert_csv_is_inert(exported)
    assert {row[4] for row in exported} == {quoted(s) for s in (PRODUCT, VENDOR_A, "+1", "@x", "-2-")}
    assert {row[2] for row in exported} == {"0.9200"}


async def test_the_savings_tables_keep_vendor_category_and_line_names_as_text(market, browser):
    # when the buyer downloads the tables behind its savings charts and the RFQ's offer spread
    client = await browser(market.buyer)
    downloads = {
        "vendor": "/analytics/savings/export.{}?table=vendor",
        "category": "/analytics/savings/export.{}?table=category",
        "spread": f"/rfqs/{market.rfq_id}/analytics/export.{{}}?table=spread",
    }
    for name, path in downloads.items():
        as_csv = await client.get(path.format("csv"))
        as_xlsx = await client.get(path.format("xlsx"))
        # then no cell would run, and the hostile names are there as text
        assert as_csv.status_code == 200 and as_xlsx.status_code == 200, (name, as_csv.text)
        rows = csv_rows(as_csv.content)
        assert_csv_is_inert(rows)
        assert_xlsx_is_inert(xlsx_sheets(as_xlsx.content))
        cells = {cell for row in rows for cell in row}
        expected = {"vendor": quoted(VENDOR_A), "category": "Gloves", "spread": quoted(PRODUCT)}[name]
        assert expected in cells, (name, rows)
