"""Sealed bids leak through no path: the buyer before the close, a rival vendor at every stage."""

import io

import openpyxl
import pytest

from app.notifications.tables import OutboxEmail
from app.rfq.states import RfqStatus
from tests.support.offers import offer_body, set_status

A_PRICES = ("0.0871", "0.4713", "3.3333")
B_PRICES = ("0.0922", "0.4499")


@pytest.fixture
async def offered(bidding, api):
    """Vendors A and B have each offered; A revised once."""
    a = await api(bidding.seller_a)
    b = await api(bidding.seller_b)
    offer_a = (await a.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.0999", "0.4999"))).json()
    await a.put(f"/api/v1/offers/{offer_a['id']}", json=offer_body(bidding.lines, *A_PRICES, lead=7))
    offer_b = (await b.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, *B_PRICES, lead=21))).json()
    return bidding, a, b, offer_a["id"], offer_b["id"]


def assert_no_prices(text: str, prices: tuple[str, ...]) -> None:
    for price in prices:
        assert price not in text and price.rstrip("0") not in text, price


async def test_before_the_close_the_buyer_sees_counts_and_declines_only(offered, api, browser, world):
    bidding, _, _, _, _ = offered
    outsider = await api(bidding.outsider_seller)
    await outsider.post(f"/api/v1/rfqs/{bidding.rfq_id}/decline", json={"reason": "nope"})  # not invited: 404
    buyer = await api(world.buyer_admin)
    # when the buyer asks for the offers before the close
    response = await buyer.get(f"/api/v1/rfqs/{bidding.rfq_id}/offers")
    # then it learns how many answered, no price, no offer id, no vendor of an offer
    body = response.json()
    assert response.status_code == 200
    assert (body["sealed"], body["answered"], body["offers"], body["declined"]) == (True, 2, [], [])
    assert_no_prices(response.text, A_PRICES + B_PRICES)
    assert set(body) == {"rfq_id", "title", "status", "sealed", "currency", "answered", "declined", "offers"}
    assert "Beta Supplies" not in response.text
    # and the comparison, its exports and the page stay sealed
    for path in ("comparison", "comparison.csv", "comparison.xlsx"):
        sealed = await buyer.get(f"/api/v1/rfqs/{bidding.rfq_id}/{path}")
        assert sealed.status_code == 409 and "sealed" in sealed.json()["detail"]
    page = await (await browser(world.buyer_admin)).get(f"/rfqs/{bidding.rfq_id}/comparison")
    assert page.status_code == 200 and "sealed" in page.text
    assert_no_prices(page.text, A_PRICES + B_PRICES)
    assert "Beta Supplies" not in page.text


async def test_a_declining_vendor_is_named_to_the_buyer_before_the_close(bidding, api, world):
    await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/decline", json={"reason": "Too far"})
    body = (await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{bidding.rfq_id}/offers")).json()
    assert body["answered"] == 0
    assert [(d["vendor_name"], d["reason"]) for d in body["declined"]] == [("Beta Supplies", "Too far")]


async def test_another_buyer_and_vendors_cannot_reach_the_buyer_views(offered, api, world):
    bidding, a, b, _, _ = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    other_buyer = await api(world.other_buyer_admin)
    for client, expected in ((other_buyer, 404), (a, 404), (b, 404)):
        for path in ("offers", "comparison", "comparison.csv", "comparison.xlsx"):
            response = await client.get(f"/api/v1/rfqs/{bidding.rfq_id}/{path}")
            assert response.status_code == expected, (path, response.text)


async def test_a_rival_vendor_never_sees_another_offer_at_any_stage(offered, api, browser):
    bidding, _, b, offer_a, _ = offered
    rival_page = await browser(bidding.seller_b)
    for status in (RfqStatus.PUBLISHED, RfqStatus.CLOSED, RfqStatus.AWARDED):
        await set_status(bidding.rfq_id, status)
        assert (await b.get(f"/api/v1/offers/{offer_a}")).status_code == 404
        assert (await rival_page.get(f"/rfqs/{bidding.rfq_id}/comparison")).status_code == 404
        for path in (f"/vendor/rfqs/{bidding.rfq_id}", "/vendor/rfqs"):
            page = await rival_page.get(path)
            assert page.status_code == 200, (status, path)
            assert_no_prices(page.text, A_PRICES)
            assert bidding.world.vendor.name not in page.text


async def test_after_the_close_the_buyer_sees_every_latest_revision(offered, api, world):
    bidding, _, _, offer_a, offer_b = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    body = (await (await api(world.purchaser)).get(f"/api/v1/rfqs/{bidding.rfq_id}/offers")).json()
    assert body["sealed"] is False and body["answered"] == 2
    by_offer = {o["offer_id"]: o for o in body["offers"]}
    assert by_offer[offer_a]["revision_number"] == 2 and by_offer[offer_a]["lead_time_days"] == 7
    assert [line["unit_price"] for line in by_offer[offer_a]["lines"]] == list(A_PRICES)
    assert [line["unit_price"] for line in by_offer[offer_b]["lines"]] == ["0.0922", "0.4499"]
    assert by_offer[offer_b]["vendor_name"] == "Beta Supplies"


async def test_the_comparison_after_the_close_and_its_exports(offered, api, world):
    bidding, _, _, offer_a, offer_b = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    buyer = await api(world.buyer_admin)
    # when the buyer compares
    matrix = (await buyer.get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison")).json()
    # then the best price per line is marked, with totals, coverage, lead times and savings
    vendors = {v["offer_id"]: v for v in matrix["vendors"]}
    assert vendors[offer_a]["lines_offered"] == 3 and vendors[offer_b]["lines_offered"] == 2
    assert vendors[offer_a]["total"] == "456.0820"  # 87.1 + 235.65 + 133.332
    assert vendors[offer_b]["total"] == "317.1500"  # 92.2 + 224.95
    gloves, masks, gel = matrix["rows"]
    column = [v["offer_id"] for v in matrix["vendors"]]
    best = lambda row: [column[i] for i, c in enumerate(row["cells"]) if c and c["best"]]  # noqa: E731
    assert best(gloves) == [offer_a] and best(masks) == [offer_b] and best(gel) == [offer_a]
    assert gloves["best_unit_price"] == "0.0871"
    # savings against the target (gloves 0.09, masks 0.50, gel none)
    assert vendors[offer_a]["savings"] == "17.2500"  # (0.09-0.0871)*1000 + (0.5-0.4713)*500
    assert vendors[offer_b]["savings"] == "22.8500"  # (0.09-0.0922)*1000 + (0.5-0.4499)*500
    # and the CSV and the workbook carry the same figures
    csv = await buyer.get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "456.0820" in csv.text and "0.4499" in csv.text and "best" in csv.text
    xlsx = await buyer.get(f"/api/v1/rfqs/{bidding.rfq_id}/comparison.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "Beta Supplies: unit price" in values and "456.082" in values


async def test_award_e_mails_tell_no_one_anyone_elses_price(offered, api, world):
    bidding, _, _, offer_a, _ = offered
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    # when the gloves go to A and nothing else is awarded... B loses
    response = await (await api(world.approver)).post(
        f"/api/v1/rfqs/{bidding.rfq_id}/award",
        json={"awards": [{"rfq_line_id": bidding.lines[0], "offer_id": offer_a}]},
    )
    assert response.status_code == 200, response.text
    mails = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.body_text)
    by_to = {m["to_address"]: m for m in mails}
    winner, loser = by_to[bidding.seller_a], by_to[bidding.seller_b]
    # then the winner hears what it won at its own price, the loser only that it did not win
    assert "You won" in winner["subject"] and "0.0871" in winner["body_text"]
    assert_no_prices(winner["body_text"] + winner["subject"], B_PRICES)
    assert "not successful" in loser["body_text"]
    assert_no_prices(loser["body_text"] + loser["subject"], A_PRICES + B_PRICES)
    assert bidding.world.vendor.name not in loser["body_text"]
