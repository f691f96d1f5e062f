"""Savings over the API: the aggregate queries give what the pure arithmetic gives line by line; each buyer sees its
own figures only, vendors none, and an RFQ counts only once its prices are revealed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.analytics import competitiveness, facts
from app.analytics.facts import Scope
from app.analytics.savings import Baseline, LineFacts, line_figures, roll_up
from app.rfq.states import RfqStatus
from tests.support.catalog import a_category, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import make_company, make_user
from tests.support.offers import make_rfq, offer_body, set_status

D = Decimal
KEYS = {
    Baseline.TARGET: "against_target", Baseline.LAST_CONTRACT: "against_last_contract",
    Baseline.MEDIAN_FIRST_OFFER: "against_median_first_offer", Baseline.FIRST_OFFER: "negotiation_gain",
}


async def negotiated_award(world, api):
    """Gloves 1000 (target 0.09), masks 500 (target 0.50), gel 40: A offers, then revises lower; B offers once.
    Gloves and gel go to A, masks to B."""
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    a = await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                   json=offer_body(lines, "0.0950", "0.5200", "3.5000"))
    assert a.status_code == 201, a.text
    revised = await (await api(world.vendor_admin)).put(f"/api/v1/offers/{a.json()['id']}",
                                                        json=offer_body(lines, "0.0871", "0.4713", "3.3333"))
    assert revised.status_code == 200, revised.text
    b = await offer(api, seller_b, rfq_id, {lines[0]: "0.0922", lines[1]: "0.4499"})
    a_id = a.json()["id"]
    awarded = await award(api, world.buyer_admin, rfq_id, {lines[0]: a_id, lines[1]: b, lines[2]: a_id})
    assert awarded.status_code == 200, awarded.text
    return rfq_id, vendor_b


def expected_total():
    lines = [
        LineFacts(1000, D("0.0871"), D("0.0900"), None, (D("0.0950"), D("0.0922")), D("0.0950")),
        LineFacts(500, D("0.4499"), D("0.5000"), None, (D("0.5200"), D("0.4499")), D("0.4499")),
        LineFacts(40, D("3.3333"), None, None, (D("3.5000"),), D("3.5000")),
    ]
    return roll_up(("total", line_figures(line, "EUR")) for line in lines)[("total", "EUR")]


def same(answer: dict, figures) -> None:
    assert D(answer["awarded_value"]) == figures.awarded
    assert answer["lines"] == figures.lines
    for baseline, key in KEYS.items():
        compared = figures.against(baseline)
        if not compared.lines:
            assert answer[key] is None, key
            continue
        assert D(answer[key]["baseline_value"]) == compared.baseline, key
        assert D(answer[key]["awarded_value"]) == compared.awarded, key
        assert D(answer[key]["savings"]) == compared.saving, key
        assert answer[key]["lines"] == compared.lines, key


async def test_the_buyer_gets_what_the_arithmetic_gives_line_by_line(world, api):
    # given an RFQ negotiated and awarded to two vendors
    _, vendor_b = await negotiated_award(world, api)
    # when the buyer asks for its savings by vendor
    response = await (await api(world.buyer_admin)).get("/api/v1/analytics/savings?group_by=vendor")
    # then the totals are the sum of each line's figures, exactly
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["currency"] for t in body["totals"]] == ["EUR"]
    same(body["totals"][0], expected_total())
    # and each vendor's group holds its own lines
    by_vendor = {g["key"]: g for g in body["groups"]}
    assert by_vendor[str(vendor_b.id)]["lines"] == 1
    assert D(by_vendor[str(vendor_b.id)]["awarded_value"]) == D("224.9500")
    # (0.0950 - 0.0871) x 1000 + (3.5 - 3.3333) x 40
    assert D(by_vendor[str(world.vendor.id)]["negotiation_gain"]["savings"]) == D("7.9000") + D("6.6680")
    # and by month and by category, the same totals
    for group_by in ("month", "category"):
        again = (await (await api(world.buyer_admin)).get(f"/api/v1/analytics/savings?group_by={group_by}")).json()
        assert again["totals"] == body["totals"]
        assert sum(D(g["awarded_value"]) for g in again["groups"]) == expected_total().awarded


async def test_the_last_contract_price_is_the_previous_rfq_of_the_same_product(world, api):
    # given two RFQs of the same catalog product, awarded one after the other
    product = await a_product("Nitrile gloves", category=await a_category("Gloves"))
    prices = []
    for price in ("0.1000", "0.0900"):
        rfq_id, lines = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 100, product)])
        offer_id = await offer(api, world.vendor_admin, rfq_id, {lines[0]: price})
        assert (await award(api, world.buyer_admin, rfq_id, {lines[0]: offer_id})).status_code == 200
        prices.append(price)
    # when the buyer asks by category
    body = (await (await api(world.buyer_admin)).get("/api/v1/analytics/savings?group_by=category")).json()
    # then the second award is compared with the first's price, on its line only
    (gloves,) = [g for g in body["groups"] if g["label"] == "Gloves"]
    assert gloves["against_last_contract"] == {
        "baseline_value": "10.0000", "awarded_value": "9.0000", "savings": "1.0000", "percent": "10.0", "lines": 1}


async def test_another_buyer_sees_nothing_and_a_vendor_gets_404(world, api):
    await negotiated_award(world, api)
    other = (await (await api(world.other_buyer_admin)).get("/api/v1/analytics/savings?group_by=vendor")).json()
    assert other["groups"] == [] and other["totals"] == []
    vendor = await (await api(world.vendor_admin)).get("/api/v1/analytics/savings")
    assert vendor.status_code == 404


async def test_the_operator_sees_the_marketplace_summed(world, api):
    await negotiated_award(world, api)
    body = (await (await api(world.operator)).get("/api/v1/analytics/savings?group_by=month")).json()
    same(body["totals"][0], expected_total())


@pytest.mark.parametrize(("query", "words"), [
    ("group_by=colour", "group_by"),
    ("from=2026-05-01&to=2026-04-01", "swap"),
    ("from=yesterday", "from"),
])
async def test_a_bad_question_gets_a_400_saying_what_to_fix(world, api, query, words):
    response = await (await api(world.buyer_admin)).get(f"/api/v1/analytics/savings?{query}")
    assert response.status_code == 400, response.text
    assert words in response.text


async def test_the_period_selects_the_awards_by_their_day(world, api):
    await negotiated_award(world, api)
    client = await api(world.buyer_admin)
    assert (await client.get("/api/v1/analytics/savings?to=2000-01-01")).json()["totals"] == []
    assert len((await client.get("/api/v1/analytics/savings?from=2000-01-01")).json()["totals"]) == 1


async def test_an_rfq_s_figures_after_the_close_only_and_to_its_buyer_only(world, api):
    # given an awarded RFQ and an open one
    rfq_id, _ = await negotiated_award(world, api)
    open_rfq, _ = await make_rfq(world.buyer.id, [world.vendor.id])
    buyer = await api(world.buyer_admin)
    # when its buyer reads its figures
    response = await buyer.get(f"/api/v1/rfqs/{rfq_id}/savings")
    # then the totals are the line-by-line arithmetic and each line has its spread
    assert response.status_code == 200, response.text
    body = response.json()
    same(body["totals"][0], expected_total())
    first = body["lines"][0]
    assert (first["offers"], first["lowest"], first["highest"], first["awarded_price"]) == (
        2, "0.0871", "0.0922", "0.0871")
    # and the open RFQ, another buyer and a vendor get what a missing RFQ gets
    missing = await buyer.get("/api/v1/rfqs/2147483000/savings")
    assert (await buyer.get(f"/api/v1/rfqs/{open_rfq}/savings")).json() == missing.json()
    for email in (world.other_buyer_admin, world.vendor_admin):
        answer = await (await api(email)).get(f"/api/v1/rfqs/{rfq_id}/savings")
        assert (answer.status_code, answer.json()) == (404, missing.json())


async def test_a_cancelled_or_open_rfq_never_becomes_a_fact(world, api):
    rfq_id, _ = await negotiated_award(world, api)
    await set_status(rfq_id, RfqStatus.PUBLISHED)  # as if its prices were still sealed
    body = (await (await api(world.buyer_admin)).get("/api/v1/analytics/savings")).json()
    assert body["totals"] == []


async def test_a_vendor_s_competitiveness_compares_its_latest_offers_with_the_best(world, api):
    # given the negotiated RFQ: A's latest offers are best on gloves and gel, 0.0214 above B on masks
    await negotiated_award(world, api)
    # when the facts are written (the API and pages do it first) and A's months are read for each buyer
    await facts.refresh()
    (month,) = await competitiveness.months(Scope([world.buyer.id]), world.vendor.id)
    # then the figures are A's latest prices against the best, at the quantities asked
    assert (month.currency, month.lines, month.best_lines) == ("EUR", 3, 2)
    assert (month.offered, month.best) == (D("456.0820"), D("445.3820"))
    assert month.premium_percent == D("2.4")
    assert await competitiveness.months(Scope([world.other_buyer.id]), world.vendor.id) == []


async def test_the_operator_api_gives_the_marketplace_page_s_figures(world, api):
    # given the negotiated RFQ awarded (two vendors invited, both answered)
    await negotiated_award(world, api)
    # when the operator reads the marketplace's figures
    response = await (await api(world.operator)).get("/api/v1/analytics/marketplace")
    # then activity, volume and savings are there, summed over every buyer
    assert response.status_code == 200, response.text
    body = response.json()
    activity = body["activity"]
    assert (activity["rfqs_published"], activity["rfqs_awarded"]) == (1, 1)
    assert (activity["invitations"], activity["invitations_answered"], activity["response_percent"]) == (2, 2, "100.0")
    assert (activity["active_vendors"], activity["active_buyers"]) == (2, 1)
    same(body["totals"][0], expected_total())
    assert [g["currency"] for g in body["by_month"]] == ["EUR"]
    assert sum(D(g["awarded_value"]) for g in body["by_category"]) == expected_total().awarded
    # and a period without awards has none
    operator = await api(world.operator)
    empty = (await operator.get("/api/v1/analytics/marketplace?from=2001-01-01&to=2001-12-31")).json()
    assert empty["totals"] == [] and empty["from"] == "2001-01-01"


@pytest.mark.parametrize("who", ["buyer_admin", "purchaser", "vendor_admin", "other_buyer_admin"])
async def test_the_operator_api_answers_others_as_every_operator_api_does(world, api, who):
    # given the negotiated award
    await negotiated_award(world, api)
    # when anyone but an operator asks for the marketplace's figures, and for the curation queue (operators only)
    client = await api(getattr(world, who))
    figures = await client.get("/api/v1/analytics/marketplace")
    curation = await client.get("/api/v1/curation/listings")
    # then both answer the same 403, and nothing of the figures
    assert figures.status_code == curation.status_code == 403
    assert figures.json() == curation.json()


async def test_the_operator_api_needs_a_token(client):
    assert (await client.get("/api/v1/analytics/marketplace")).status_code == 401
