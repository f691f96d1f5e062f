"""The buyer's scenarios page: linked from the comparison, a form that builds a scenario (its mistakes beside their
fields, what was typed kept), the side-by-side table, and "Award this scenario" through the award's confirmation."""

from __future__ import annotations

import re

from app.offers.tables import Award
from app.rfq.states import RfqStatus
from tests.integration.sourcing.conftest import offered
from tests.support.fixtures import csrf_token
from tests.support.offers import set_status
from tests.support.pages import form_fields, main_of


async def test_the_comparison_links_to_the_scenarios_page(closed, browser, world):
    buyer = await browser(world.purchaser)
    page = await buyer.get(f"/rfqs/{closed.rfq_id}/comparison")
    assert f'href="/rfqs/{closed.rfq_id}/scenarios"' in page.text
    scenarios = await buyer.get(f"/rfqs/{closed.rfq_id}/scenarios")
    assert scenarios.status_code == 200
    assert "No scenario yet" in scenarios.text and "Solve and save" in scenarios.text


async def test_two_scenarios_built_with_the_form_stand_side_by_side(closed, browser, world):
    buyer = await browser(world.purchaser)
    page = await buyer.get(f"/rfqs/{closed.rfq_id}/scenarios")
    token = csrf_token(page.text)
    # when the purchaser saves the cherry-pick, then one keeping Beta Supplies out
    first = await buyer.post(f"/rfqs/{closed.rfq_id}/scenarios",
                             data={"_csrf_token": token, "name": "Cheapest", "preset": "cherry_pick"})
    second = await buyer.post(f"/rfqs/{closed.rfq_id}/scenarios", data={
        "_csrf_token": token, "name": "Without Beta", "preset": "cherry_pick", f"exclude_{closed.vendor_b}": "1"})
    assert first.status_code == second.status_code == 303, first.text
    # then both are compared: totals, the cost of the constraint, vendors used
    shown = main_of((await buyer.get(f"/rfqs/{closed.rfq_id}/scenarios")).text)
    assert "Cheapest" in shown and "Without Beta" in shown
    assert "445.38" in shown and "456.08" in shown  # the two totals
    assert "10.70" in shown  # what keeping Beta Supplies out costs
    assert "Beta Supplies excluded" in shown
    assert shown.count("<td>proven optimal</td>") == 2


async def test_a_wrong_field_is_said_beside_it_and_the_typed_values_stay(closed, browser, world):
    buyer = await browser(world.purchaser)
    page = await buyer.get(f"/rfqs/{closed.rfq_id}/scenarios")
    response = await buyer.post(f"/rfqs/{closed.rfq_id}/scenarios", data={
        "_csrf_token": csrf_token(page.text), "name": "Three at most", "max_vendors": "three", "bundles": "1, 9"})
    assert response.status_code == 400
    assert 'id="max_vendors-error"' in response.text and "whole number" in response.text
    assert "there is no line 9" in response.text
    fields = form_fields(response.text, f"/rfqs/{closed.rfq_id}/scenarios")
    assert fields["name"] == "Three at most" and fields["max_vendors"] == "three"


async def test_an_approver_awards_a_scenario_through_the_awards_confirmation(closed, browser, world):
    purchaser = await browser(world.purchaser)
    page = await purchaser.get(f"/rfqs/{closed.rfq_id}/scenarios")
    await purchaser.post(f"/rfqs/{closed.rfq_id}/scenarios", data={
        "_csrf_token": csrf_token(page.text), "name": "Only Acme", f"exclude_{closed.vendor_b}": "1"})
    # the purchaser sees no award button; the approver does
    assert "Award this scenario" not in (await purchaser.get(f"/rfqs/{closed.rfq_id}/scenarios")).text
    approver = await browser(world.approver)
    page = await approver.get(f"/rfqs/{closed.rfq_id}/scenarios")
    action = re.search(r'action="(/rfqs/\d+/scenarios/\d+/award/confirm)"', page.text)
    assert action, "no award button"
    # when it presses "Award this scenario…", then the award's own summary is shown, pre-filled, nothing done yet
    summary = await approver.post(action.group(1), data={"_csrf_token": csrf_token(page.text)})
    assert summary.status_code == 200, summary.text
    assert await Award.count() == 0
    assert "Yes, award" in summary.text and "456.08" in main_of(summary.text)
    fields = form_fields(summary.text, f"/rfqs/{closed.rfq_id}/award")
    # when it confirms, with the reason the award asks for line 2 (not its cheapest offer), then the one award does
    # it: every line to A
    assert 'name="justification"' in summary.text
    done = await approver.post(f"/rfqs/{closed.rfq_id}/award", data={**fields, "justification": "One supplier"})
    assert done.status_code == 303, done.text
    rows = await Award.select(Award.offer).order_by(Award.rfq_line)
    assert [row["offer"] for row in rows] == [closed.offer_a] * 3


async def test_vendors_and_the_buyer_before_the_close_get_a_missing_rfqs_page(world, api, browser):
    bidding = await offered(world, api, close=False)
    buyer = await browser(world.buyer_admin)
    early = await buyer.get(f"/rfqs/{bidding.rfq_id}/scenarios")
    missing = await buyer.get("/rfqs/2147483000/scenarios")
    assert early.status_code == missing.status_code == 404
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    vendor = await browser(bidding.seller_b)
    assert (await vendor.get(f"/rfqs/{bidding.rfq_id}/scenarios")).status_code == 404
