"""The demo RFQ comes with four saved award scenarios, once, however often the demo data is loaded; the demo has an RFQ
with offers in two currencies, compared and scored in one."""

from __future__ import annotations

from decimal import Decimal

from app.demo import DEMO_PASSWORD, load_demo_data
from app.demo.rfqs import AWARDED
from app.demo.scoring import TWO_CURRENCIES
from app.rfq.tables import Rfq
from app.sourcing.tables import AwardScenario
from tests.support.sourcing import scenario_url


async def test_the_demo_rfq_has_four_scenarios_to_compare(api):
    # given the demo data loaded twice
    await load_demo_data()
    await load_demo_data()
    rfq = await Rfq.select(Rfq.id).where(Rfq.title == AWARDED.title).first()
    assert await AwardScenario.count().where(AwardScenario.rfq == rfq["id"]) == 4
    # when Acme's purchaser lists them
    buyer = await api("buyer@acme.example", DEMO_PASSWORD)
    listed = (await buyer.get(scenario_url(rfq["id"]))).json()["scenarios"]
    # then each is solved to the optimum, and keeping Umbrella (incumbent) at 40 % costs more than the cherry-pick
    assert [s["name"] for s in listed] == ["Cheapest per line", "Everything from one vendor",
                                           "Umbrella keeps at least 40 %", "Best weighted score per line"]
    assert {s["status"] for s in listed} == {"optimal"}
    cheapest, _, incumbent, weighted = listed
    assert Decimal(weighted["figures"]["weighted_score"]) > 0
    assert Decimal(cheapest["figures"]["cost_of_constraints"]) == 0
    assert Decimal(incumbent["figures"]["cost_of_constraints"]) > 0


async def test_the_demo_has_an_rfq_with_offers_in_two_currencies_scored_in_one(api):
    await load_demo_data()
    rfq = await Rfq.select(Rfq.id).where(Rfq.title == TWO_CURRENCIES.title).first()
    buyer = await api("buyer@acme.example", DEMO_PASSWORD)
    comparison = (await buyer.get(f"/api/v1/rfqs/{rfq['id']}/comparison")).json()
    assert sorted(v["currency"] for v in comparison["vendors"]) == ["EUR", "GBP"]
    assert comparison["not_compared"] == []
    scores = (await buyer.get(f"/api/v1/rfqs/{rfq['id']}/scores")).json()
    assert scores["weights"]["is_default"] is False
    assert len(scores["rates"]) == 1 and scores["rates"][0].startswith("1 GBP = 1.1834 EUR, ")
    assert [o["rank"] for o in scores["offers"]] == [1, 2]
    page = await buyer.get("/api/v1/exchange-rates?base=USD")
    assert page.status_code == 200 and page.json()["items"]
