"""Vendor scorecards over a built history: the figures, who sees which, and a fixed number of queries.

The history of vendor V (with a rival R bidding too):
- buyer 1: round 1 (V and R invited; V answers after 2 h, 100/200 then 90/200; R 95/180; awarded to V);
  round 2 (V and R invited; only R answers); two orders (one confirmed after 2 h, promised day 5, shipped day 4;
  one rejected); rates V's contract 4.
- buyer 2: round 3 (V and R invited; V 50 after 10 h; R 40).
- buyer 3: round 4 (V and R invited; V 70 after 4 h; R 70; awarded to V); one order confirmed after 72 h,
  promised day 5, shipped day 7; rates V's contract 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from app.contracts.ratings import vendor_ratings
from tests.support.fixtures import World, make_company, make_user
from tests.support.queries import count_queries
from tests.support.scorecards import Bid, Round, a_rating, a_round, an_order


@dataclass
class History:
    world: World
    vendor: int
    rival: int
    third_buyer: int
    third_buyer_admin: str
    rival_admin: str
    round_1: int  # buyer 1's awarded RFQ


@pytest.fixture
async def history(world: World) -> History:
    v, b1, b2 = world.vendor.id, world.buyer.id, world.other_buyer.id
    rival = (await make_company("vendor", name="Rival Supplies")).id
    b3 = (await make_company("buyer", name="Third Buyer")).id
    round_1, contract_1 = await a_round(Round(b1, [v, rival], {v: Bid([["100", "200"], ["90", "200"]], hours=2),
                                                          rival: Bid([["95", "180"]])}, award_to=v))
    await a_round(Round(b1, [v, rival], {rival: Bid([["10"]])}))
    await a_round(Round(b2, [v, rival], {v: Bid([["50"]], hours=10), rival: Bid([["40"]])}))
    _, contract_4 = await a_round(Round(b3, [v, rival], {v: Bid([["70"]], hours=4), rival: Bid([["70"]])},
                                        award_to=v))
    await an_order(b1, v, days_ago=10, confirmed_after=timedelta(hours=2), promised_in=5, shipped_in=4)
    await an_order(b1, v, days_ago=5, rejected=True)
    await an_order(b3, v, days_ago=10, confirmed_after=timedelta(hours=72), promised_in=5, shipped_in=7)
    assert contract_1 and contract_4
    await a_rating(contract_1, b1, v, 4)
    await a_rating(contract_4, b3, v, 2)
    return History(world, v, rival, b3, await make_user(b3, "buyer_admin"), await make_user(rival, "vendor_admin"),
                   round_1)


async def _card(api, email: str, vendor_id: int):
    return await (await api(email)).get(f"/api/v1/vendors/{vendor_id}/scorecard")


def _scope(body: dict, scope: str) -> dict:
    return next(s for s in body["scopes"] if s["scope"] == scope)


async def test_operators_see_every_figure_across_buyers(history, api):
    response = await _card(api, history.world.operator, history.vendor)
    assert response.status_code == 200, response.text
    [figures] = response.json()["scopes"]
    assert figures["scope"] == "all_buyers" and figures["withheld"] == []
    assert (figures["rfqs_invited"], figures["rfqs_answered"], figures["rfqs_won"]) == (4, 3, 2)
    assert (figures["response_rate"], figures["win_rate"]) == ("75.0", "66.7")
    assert figures["hours_to_answer"] == "5.3"  # (2 + 10 + 4) / 3
    # gaps per line: 0 and 11.1 % (buyer 1), 25 % (buyer 2), 0 (buyer 3, a tie); median (0 + 11.1) / 2
    assert (figures["price_gap_median"], figures["price_gap_lines"]) == ("5.6", 4)
    assert (figures["negotiation_median"], figures["negotiated_offers"]) == ("-3.3", 1)  # 3,000 -> 2,900
    assert (figures["contracts"], figures["contracts_active"]) == (2, 2)
    assert figures["awarded_value"] == [{"currency": "EUR", "amount": "3600.0000"}]  # 90 x 10 + 200 x 10 + 70 x 10
    assert (figures["orders"], figures["orders_rejected"]) == (3, 1)
    assert (figures["confirmed_on_time"], figures["shipped_on_time"]) == ("50.0", "50.0")
    assert (figures["rating_average"], figures["rating_count"]) == ("3.00", 2)


async def test_a_buyer_sees_its_own_history_and_aggregates_never_made_of_one_other_buyer(history, api):
    world = history.world
    body = (await _card(api, world.buyer_admin, history.vendor)).json()
    across, own = _scope(body, "all_buyers"), _scope(body, "your_company")
    assert "never another buyer" in across["label"] and "own history" in own["label"]
    # then contracts, orders and ratings, which only buyer 3 contributed besides buyer 1, are withheld
    assert across["withheld"] == ["contracts and awarded value", "orders", "ratings"]
    assert "fewer than 2 other buyer companies" in across["withheld_reason"]
    for name in ("contracts", "awarded_value", "orders", "confirmed_on_time", "rating_average", "rating_count"):
        assert across[name] is None, name
    # and figures two other buyers contributed to are shown across buyers
    assert (across["rfqs_invited"], across["price_gap_median"]) == (4, "5.6")
    # and its own history is all there
    assert (own["rfqs_invited"], own["rfqs_answered"], own["rfqs_won"]) == (2, 1, 1)
    assert (own["price_gap_median"], own["negotiation_median"]) == ("5.6", "-3.3")
    assert (own["contracts"], own["orders"], own["orders_rejected"]) == (1, 2, 1)
    assert (own["rating_average"], own["rating_count"]) == ("4.00", 1)
    assert own["withheld"] == []
    # the ratings for weighted scoring follow the same rule
    assert await vendor_ratings([history.vendor], viewer_buyer_id=world.buyer.id) == {
        history.vendor: (Decimal("4.00"), 1)}


async def test_a_figure_only_one_other_buyer_made_is_never_shown_to_another(history, api):
    # given buyer 2, whose own history has no revised offer: only buyer 1's offer was negotiated
    body = (await _card(api, history.world.other_buyer_admin, history.vendor)).json()
    across, own = _scope(body, "all_buyers"), _scope(body, "your_company")
    # then the negotiation movement (buyer 1's alone) is withheld; ratings (buyers 1 and 3) are shown
    assert across["withheld"] == ["negotiation movement"]
    assert across["negotiation_median"] is None and across["negotiated_offers"] is None
    assert (across["rating_average"], across["contracts"], across["orders"]) == ("3.00", 2, 3)
    assert own["negotiation_median"] is None and own["negotiated_offers"] == 0
    # and nothing in the answer names another buyer
    assert "Third Buyer" not in str(body)


async def test_a_vendor_sees_its_own_scorecard_and_a_competitors_is_missing(history, api):
    mine = await _card(api, history.world.vendor_admin, history.vendor)
    assert mine.status_code == 200
    [figures] = mine.json()["scopes"]
    assert figures["rfqs_invited"] == 4 and figures["rating_average"] == "3.00"
    assert figures["price_gap_median"] is None and figures["withheld"] == ["price competitiveness"]
    competitor = await _card(api, history.rival_admin, history.vendor)
    missing = await _card(api, history.rival_admin, 2_147_483_000)
    assert competitor.status_code == missing.status_code == 404
    assert competitor.json() == missing.json()


async def test_the_scorecard_takes_the_same_queries_however_long_the_history(history, api, monkeypatch):
    operator = await api(history.world.operator)
    await operator.get(f"/api/v1/vendors/{history.vendor}/scorecard")  # the token's first use is recorded once
    with count_queries(monkeypatch) as small:
        assert (await operator.get(f"/api/v1/vendors/{history.vendor}/scorecard")).status_code == 200
    for days in range(3):  # more rounds and orders
        await a_round(Round(history.world.buyer.id, [history.vendor], {history.vendor: Bid([["5", "6"], ["4", "6"]])},
                            award_to=history.vendor, days_ago=20 + days))
        await an_order(history.world.buyer.id, history.vendor, days_ago=3, confirmed_after=timedelta(hours=1))
    with count_queries(monkeypatch) as large:
        assert (await operator.get(f"/api/v1/vendors/{history.vendor}/scorecard")).status_code == 200
    assert len(large) == len(small)


async def test_the_pages_show_the_scorecard_to_each_as_they_may(history, browser):
    world = history.world
    buyer = await browser(world.buyer_admin)
    profile = await buyer.get(f"/vendors/{history.vendor}")
    assert profile.status_code == 200
    assert "Your company&#39;s own history" in profile.text or "Your company's own history" in profile.text
    assert "Not shown: contracts and awarded value, orders, ratings" in profile.text
    operator = await browser(world.operator)
    grid = await operator.get("/operator/scorecards")
    assert grid.status_code == 200 and f'href="/vendors/{history.vendor}"' in grid.text and "66.7" not in grid.text
    export = await operator.get("/operator/scorecards/export.csv")
    assert export.status_code == 200 and "5.6" in export.text and "3600" in export.text
    vendor = await browser(world.vendor_admin)
    assert (await vendor.get("/vendor/scorecard")).status_code == 200
    assert (await vendor.get(f"/vendors/{history.rival}")).status_code == 404
    assert (await (await browser(history.rival_admin)).get(f"/vendors/{history.vendor}")).status_code == 404


async def test_the_comparison_links_each_offer_to_its_scorecard_and_loads_a_short_one(history, browser):
    buyer = await browser(history.world.buyer_admin)
    # given buyer 1's comparison: a link to each vendor's scorecard, and the row that loads their summaries
    page = await buyer.get(f"/rfqs/{history.round_1}/comparison")
    assert page.status_code == 200
    assert f'href="/vendors/{history.vendor}"' in page.text and f'href="/vendors/{history.rival}"' in page.text
    assert f'hx-get="/rfqs/{history.round_1}/scorecards"' in page.text
    # when the row is loaded
    row = await buyer.get(f"/rfqs/{history.round_1}/scorecards")
    # then each vendor's short scorecard across buyers is in it, ratings withheld as on the profile
    assert row.status_code == 200 and row.text.count("<td>") == 2
    assert "Answers 75.0 %, wins 66.7 %" in row.text and "Price gap 5.6 %" in row.text
    assert "Rating —" in row.text
    # and another buyer cannot load the row of an RFQ that is not its own
    other = await browser(history.world.other_buyer_admin)
    assert (await other.get(f"/rfqs/{history.round_1}/scorecards")).status_code == 404
