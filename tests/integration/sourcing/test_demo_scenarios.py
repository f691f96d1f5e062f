"""The demo RFQ comes with three saved award scenarios, once, however often the demo data is loaded."""

from __future__ import annotations

from decimal import Decimal

from app.demo import DEMO_PASSWORD, load_demo_data
from app.demo.rfqs import AWARDED
from app.rfq.tables import Rfq
from app.sourcing.tables import AwardScenario
from tests.support.sourcing import scenario_url


async def test_the_demo_rfq_has_three_scenarios_to_compare(api):
    # given the demo data loaded twice
    await load_demo_data()
    await load_demo_data()
    rfq = await Rfq.select(Rfq.id).where(Rfq.title == AWARDED.title).first()
    assert await AwardScenario.count().where(AwardScenario.rfq == rfq["id"]) == 3
    # when Acme's purchaser lists them
    buyer = await api("buyer@acme.example", DEMO_PASSWORD)
    listed = (await buyer.get(scenario_url(rfq["id"]))).json()["scenarios"]
    # then each is solved to the optimum, and keeping Umbrella (incumbent) at 40 % costs more than the cherry-pick
    assert [s["name"] for s in listed] == ["Cheapest per line", "Everything from one vendor",
                                           "Umbrella keeps at least 40 %"]
    assert {s["status"] for s in listed} == {"optimal"}
    cheapest, _, incumbent = listed
    assert Decimal(cheapest["figures"]["cost_of_constraints"]) == 0
    assert Decimal(incumbent["figures"]["cost_of_constraints"]) > 0
