"""Weighted scores over the API and on the comparison page: the buyer's awarders set the weights, the scores rank the
offers after the close, in the RFQ's currency; vendors, other companies and anyone before the close hear 404."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.clock import utcnow
from app.exchange_rates.conversion import rate_to_stored
from app.exchange_rates.tables import ExchangeRate
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq
from app.sourcing.tables import ScoringWeights
from tests.integration.sourcing.conftest import offered
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.offers import make_rfq, offer_body

D = Decimal


def scores_url(rfq_id: int) -> str:
    return f"/api/v1/rfqs/{rfq_id}/scores"


def scoring_url(rfq_id: int) -> str:
    return f"/api/v1/rfqs/{rfq_id}/scoring"


WEIGHTS = {"price": 50, "lead_time": 50, "vendor_rating": 0, "payment_terms": 0}


async def test_the_default_weights_score_and_rank_the_offers(closed, api, world):
    response = await (await api(world.purchaser)).get(scores_url(closed.rfq_id))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["weights"] == {"rfq_id": closed.rfq_id, "price": 60, "lead_time": 20, "vendor_rating": 10,
                               "payment_terms": 10, "is_default": True}
    ranked = body["offers"]
    assert [o["rank"] for o in ranked] == [1, 2]
    assert ranked[0]["offer_id"] == closed.offer_a  # cheapest on gloves and gel, only one with gel, shorter lead
    for offer in ranked:
        assert offer["rating_label"] == "no rating yet" and offer["vendor_rating"] is None
        for line in offer["lines"]:
            assert all(0 <= D(v) <= 1 for v in line["scores"].values())
            assert D(line["scores"]["vendor_rating"]) == D("0.5")
    gloves_a = next(line for line in ranked[0]["lines"] if line["position"] == 1)
    assert D(gloves_a["scores"]["price"]) == 1
    assert next((b["position"], b["offer_id"]) for b in body["best_per_line"]) == (1, closed.offer_a)


async def test_an_awarder_sets_the_weights_and_the_ranking_follows_them(closed, api, world):
    approver = await api(world.approver)
    put = await approver.put(scoring_url(closed.rfq_id), json=WEIGHTS)
    assert put.status_code == 200, put.text
    assert put.json()["is_default"] is False
    again = await approver.put(scoring_url(closed.rfq_id), json={**WEIGHTS, "price": 100, "lead_time": 0})
    assert again.status_code == 200
    assert await ScoringWeights.count() == 1
    body = (await approver.get(scores_url(closed.rfq_id))).json()
    assert body["weights"]["price"] == 100
    for offer in body["offers"]:
        for line in offer["lines"]:
            assert line["total"] == line["scores"]["price"]


async def test_weights_that_do_not_add_up_say_so(closed, api, world):
    response = await (await api(world.buyer_admin)).put(scoring_url(closed.rfq_id),
                                                        json={**WEIGHTS, "payment_terms": 5})
    assert response.status_code == 400
    assert "add up to 105" in response.json()["detail"]
    negative = await (await api(world.buyer_admin)).put(scoring_url(closed.rfq_id), json={**WEIGHTS, "price": -1})
    assert negative.status_code == 400
    assert await ScoringWeights.count() == 0


async def test_who_may_set_and_read_the_scores(closed, api, world):
    assert (await (await api(world.purchaser)).put(scoring_url(closed.rfq_id), json=WEIGHTS)).status_code == 403
    for stranger in (world.vendor_admin, closed.seller_b, world.other_buyer_admin):
        client = await api(stranger)
        assert (await client.get(scores_url(closed.rfq_id))).status_code == 404
        assert (await client.put(scoring_url(closed.rfq_id), json=WEIGHTS)).status_code == 404
    assert (await (await api(world.operator)).get(scores_url(closed.rfq_id))).status_code == 200


async def test_scores_are_sealed_before_the_close(world, api):
    sealed = await offered(world, api, close=False)
    response = await (await api(world.buyer_admin)).get(scores_url(sealed.rfq_id))
    assert response.status_code == 404
    assert response.json()["detail"] == "No such RFQ."


async def test_an_offer_in_another_currency_is_scored_converted_and_the_rate_is_shown(world, api):
    vendor_b = await make_company("vendor", name="Dollar Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "1.00"))
    await (await api(seller_b)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                     json=offer_body(lines, "1.00", currency="USD"))
    await Rfq.update({Rfq.status: RfqStatus.CLOSED.value,
                      Rfq.closed_at: datetime(2026, 11, 30, 18, tzinfo=UTC)}).where(Rfq.id == rfq_id)
    await ExchangeRate(base="USD", quote="EUR", rate=rate_to_stored(D("0.9213")), valid_on=date(2026, 11, 30),
                       created_at=utcnow()).save()
    body = (await (await api(world.buyer_admin)).get(scores_url(rfq_id))).json()
    assert body["rates"] == ["1 USD = 0.9213 EUR, 2026-11-30"]
    dollar = next(o for o in body["offers"] if o["currency"] == "USD")
    assert dollar["rate"] == "1 USD = 0.9213 EUR, 2026-11-30"
    assert D(dollar["lines"][0]["unit_price"]) == D("0.9213")
    assert D(dollar["lines"][0]["scores"]["price"]) == 1  # 0.9213 EUR beats 1.00 EUR


async def test_the_comparison_page_shows_the_scores_and_takes_new_weights(closed, browser, world):
    page = await browser(world.buyer_admin)
    shown = await page.get(f"/rfqs/{closed.rfq_id}/comparison")
    assert shown.status_code == 200
    assert "Weighted scores" in shown.text and "no rating yet" in shown.text
    wrong = await page.post(f"/rfqs/{closed.rfq_id}/scoring", data={
        "_csrf_token": csrf_token(shown.text), "price": "90", "lead_time": "20", "vendor_rating": "0",
        "payment_terms": "0"})
    assert wrong.status_code == 400
    assert "add up to 110" in wrong.text
    done = await page.post(f"/rfqs/{closed.rfq_id}/scoring", data={
        "_csrf_token": csrf_token(shown.text), "price": "70", "lead_time": "30", "vendor_rating": "0",
        "payment_terms": "0"})
    assert done.status_code in (200, 303)
    assert (await ScoringWeights.select(ScoringWeights.price).first())["price"] == 70
    purchaser = await browser(world.purchaser)
    assert 'action="/rfqs/' not in (await purchaser.get(f"/rfqs/{closed.rfq_id}/comparison")).text.split(
        "Weighted scores")[1].split("</section>")[0]


async def test_the_weighted_preset_follows_the_weights_not_only_the_price(closed, api, world):
    # given lead time weighs everything: A quotes 5 days, B 12
    approver = await api(world.approver)
    await approver.put(scoring_url(closed.rfq_id), json={**WEIGHTS, "price": 0, "lead_time": 100})
    # when the weighted preset is solved
    response = await approver.post(f"/api/v1/rfqs/{closed.rfq_id}/scenarios",
                                   json={"name": "Best scored", "preset": "weighted_score"})
    # then every line goes to A, though B is cheaper on masks, and the plan's score is said
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "optimal"
    assert {a["vendor_id"] for a in body["allocations"]} == {closed.vendor_a}
    assert D(body["figures"]["weighted_score"]) == 3  # three lines, each scored 1 for the shortest lead time
    # and with all the weight on price it is the cherry-pick
    await approver.put(scoring_url(closed.rfq_id), json={**WEIGHTS, "price": 100, "lead_time": 0})
    cheapest = (await approver.post(f"/api/v1/rfqs/{closed.rfq_id}/scenarios",
                                    json={"name": "Price only", "preset": "weighted_score"})).json()
    assert [(a["position"], a["vendor_id"]) for a in cheapest["allocations"]] == [
        (1, closed.vendor_a), (2, closed.vendor_b), (3, closed.vendor_a)]
