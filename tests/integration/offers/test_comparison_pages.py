"""The buyer's comparison page with its session: its downloads, the award summary in line numbers, the savings
only where a target was set."""

import io

import openpyxl
import pytest

from app.rfq.states import RfqStatus
from tests.support.offers import make_rfq, offer_body, set_status
from tests.support.pages import main_of

MISSING = 999_999


@pytest.fixture
async def offered(bidding, api):
    """Vendors A and B have offered on the bidding RFQ (targets on lines 1 and 2, none on line 3)."""
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0871", "0.4713", "3.3333"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0922", "0.4499"))).json()
    return bidding, a["id"], b["id"]


async def test_the_page_links_its_downloads_and_they_work_with_the_pages_session(offered, browser, world):
    bidding, _, _ = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    buyer = await browser(world.purchaser)
    # given the comparison page after the close
    page = await buyer.get(f"/rfqs/{bidding.rfq_id}/comparison")
    csv_url, xlsx_url = f"/rfqs/{bidding.rfq_id}/comparison.csv", f"/rfqs/{bidding.rfq_id}/comparison.xlsx"
    assert f'href="{csv_url}"' in page.text and f'href="{xlsx_url}"' in page.text
    assert "/api/v1/" not in main_of(page.text)
    # when its links are followed with the page's session cookie
    csv = await buyer.get(csv_url)
    xlsx = await buyer.get(xlsx_url)
    # then both are attachments that no cache keeps, with the comparison's figures
    for response, name in ((csv, "csv"), (xlsx, "xlsx")):
        assert response.status_code == 200, response.text[:300]
        assert response.headers["cache-control"] == "no-store"
        expected = f'attachment; filename="rfq-{bidding.rfq_id}-comparison.{name}"'
        assert response.headers["content-disposition"] == expected
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "456.0820" in csv.text and "Beta Supplies: unit price" in csv.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Comparison"]
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "Beta Supplies: unit price" in values and 456.082 in values


async def test_the_pages_downloads_hold_the_same_neutralized_cells_as_the_apis(offered, api, browser, world):
    bidding, _, _ = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    for suffix in ("csv", "xlsx"):
        # when the same file is fetched with a token and with a session
        by_api = await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison.{suffix}")
        by_page = await (await browser(world.buyer_admin)).get(f"/rfqs/{bidding.rfq_id}/comparison.{suffix}")
        # then the CSV is the same bytes and the workbook the same cells
        assert by_api.status_code == by_page.status_code == 200
        assert by_page.headers["content-type"] == by_api.headers["content-type"]
        if suffix == "csv":
            assert by_page.content == by_api.content
        else:
            sheets = [openpyxl.load_workbook(io.BytesIO(r.content))["Comparison"] for r in (by_api, by_page)]
            cells = [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in sheets]
            assert cells[0] == cells[1]


async def test_another_buyer_gets_the_404_of_a_missing_rfq_from_the_page_downloads(offered, browser, world):
    bidding, _, _ = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    for email in (world.other_buyer_admin, bidding.seller_b):
        client = await browser(email)
        for suffix in ("csv", "xlsx"):
            # when someone who may not see the RFQ asks for its comparison, and for a missing RFQ's
            theirs = await client.get(f"/rfqs/{bidding.rfq_id}/comparison.{suffix}")
            missing = await client.get(f"/rfqs/{MISSING}/comparison.{suffix}")
            # then both answers are the same 404 page, without a figure
            assert theirs.status_code == missing.status_code == 404, (email, suffix)
            assert main_of(theirs.text) == main_of(missing.text)
            assert "0.0871" not in theirs.text and "Beta Supplies" not in main_of(theirs.text)


async def test_before_the_close_the_page_downloads_are_sealed_as_the_apis_are(offered, api, browser, world):
    bidding, _, _ = offered
    for suffix in ("csv", "xlsx"):
        # when the buyer asks for a download while bidding is open
        by_api = await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison.{suffix}")
        by_page = await (await browser(world.buyer_admin)).get(f"/rfqs/{bidding.rfq_id}/comparison.{suffix}")
        # then both refuse with the same 409 and the same reason, and no price leaks
        assert by_api.status_code == by_page.status_code == 409
        assert "sealed" in by_api.json()["detail"] and by_api.json()["detail"] in by_page.text
        for price in ("0.0871", "0.4499", "Beta Supplies"):
            assert price not in by_page.text


async def test_the_page_downloads_need_a_signed_in_caller(offered, client):
    bidding, _, _ = offered
    page = await client.get(f"/rfqs/{bidding.rfq_id}/comparison.csv")
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


async def test_the_award_summary_names_line_numbers_not_database_ids(api, browser, world, bidding):
    # given the buyer's second RFQ, whose line ids are not its line numbers
    rfq_id, lines = await make_rfq(world.buyer.id, [bidding.vendor_a, bidding.vendor_b], lines=[
        ("Nitrile gloves L", 1000, "0.0900"), ("Face shields", 20, None)])
    assert lines != [1, 2]
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                   json=offer_body(lines, "0.0850", "4.00"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                   json=offer_body(lines, "0.0950", "3.50"))).json()
    await set_status(rfq_id, RfqStatus.CLOSED)
    # when line 1 goes to A and line 2 to B
    awarded = await (await api(world.approver)).post(f"/api/v1/rfqs/{rfq_id}/award", json={"awards": [
        {"rfq_line_id": lines[0], "offer_id": a["id"]}, {"rfq_line_id": lines[1], "offer_id": b["id"]}]})
    assert awarded.status_code == 200, awarded.text
    # then the page's summary says line 1 and line 2, by position, and the API says so too
    page = main_of((await (await browser(world.approver)).get(f"/rfqs/{rfq_id}/comparison")).text)
    assert f"Line 1 to {world.vendor.name}" in page and "Line 2 to Beta Supplies" in page
    assert f"Line {lines[0]} to" not in page and f"Line {lines[1]} to" not in page
    assert [(x["rfq_line_id"], x["position"]) for x in awarded.json()["awards"]] == [(lines[0], 1), (lines[1], 2)]
    # and the page is headed by the RFQ's title, not by its id
    assert "<h1>Offers on “Gloves and masks”</h1>" in page and f"RFQ {rfq_id}" not in page


async def test_savings_count_only_lines_with_a_target_and_say_so(bidding, api, browser, world):
    # given A offers all three lines (line 3 has no target) and B only line 3
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.0871", "0.4713", "3.3333"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json={
        "lines": [{"rfq_line_id": bidding.lines[2], "unit_price": "3.00"}], "lead_time_days": 3})).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    # when the buyer compares
    matrix = (await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison")).json()
    page = main_of((await (await browser(world.buyer_admin)).get(f"/rfqs/{bidding.rfq_id}/comparison")).text)
    # then A's savings are summed over its two lines with a target, and the line without one is named as left out
    vendors = {v["offer_id"]: v for v in matrix["vendors"]}
    assert (vendors[a["id"]]["savings"], vendors[a["id"]]["lines_without_target"]) == ("17.2500", 1)
    # and B, whose only line has no target, has no savings at all rather than 0
    assert (vendors[b["id"]]["savings"], vendors[b["id"]]["lines_without_target"]) == (None, 1)
    savings_row = page.split("Savings vs target", 1)[1].split("</tr>", 1)[0]
    assert "17.25 EUR" in savings_row and "1 line without a target left out" in savings_row
    assert "no target" in savings_row and "0.0000" not in savings_row and "<td>0</td>" not in savings_row
    # and the line without a target shows a dash in the target column
    gel_row = page.split("Hand gel 1 l", 1)[1].split("</tr>", 1)[0]
    assert "<td>—</td>" in gel_row
