"""Award scenarios over the API: create, list, get, delete and award, on the buyer's closed RFQ; what each role and
each stranger hears; sealed before the close."""

from __future__ import annotations

from decimal import Decimal

from app.contracts.tables import Contract
from app.offers.tables import Award
from app.rfq.states import RfqStatus
from app.sourcing import scenarios
from tests.integration.sourcing.conftest import offered
from tests.support.fixtures import make_user
from tests.support.offers import set_status
from tests.support.sourcing import scenario_url

D = Decimal
MISSING = 2_147_483_000


def money(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


async def test_the_cherry_pick_takes_the_lowest_price_per_line_and_states_its_baselines(closed, api, world):
    # given the closed RFQ, A cheapest on gloves and gel (only A offered gel), B on masks
    buyer = await api(world.purchaser)
    # when the purchaser solves the cherry-pick preset
    response = await buyer.post(scenario_url(closed.rfq_id), json={"name": "Cheapest", "preset": "cherry_pick"})
    # then it is optimal: gloves and gel to A, masks to B, with its figures exact
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["gap"], body["awardable"]) == ("optimal", 0.0, True)
    assert [(a["position"], a["vendor_id"], a["quantity"]) for a in body["allocations"]] == [
        (1, closed.vendor_a, 1000), (2, closed.vendor_b, 500), (3, closed.vendor_a, 40)]
    figures = body["figures"]
    assert money(figures["total"]) == D("87.1") + D("224.95") + D("133.332")
    assert money(figures["single_vendor_total"]) == D("87.1") + D("235.65") + D("133.332")
    assert money(figures["savings_vs_single_vendor"]) == D("10.70")
    assert money(figures["savings_vs_target"]) == D("2.9") + D("25.05")
    assert money(figures["cost_of_constraints"]) == 0
    assert figures["vendors_used"] == 2
    assert money(figures["average_lead_time_days"]) == D("7.3")  # (5 + 12 + 5) / 3


async def test_the_cost_of_a_constraint_is_the_difference_to_the_unconstrained_optimum(closed, api, world):
    buyer = await api(world.purchaser)
    # when B is excluded and a fixed delivery cost of A's is added
    response = await buyer.post(scenario_url(closed.rfq_id), json={
        "name": "Only A", "constraints": [{"kind": "exclude_vendor", "vendor_id": closed.vendor_b},
                                          {"kind": "fixed_cost", "vendor_id": closed.vendor_a, "amount": "25"}]})
    # then everything goes to A, and keeping B out costs its masks' difference
    assert response.status_code == 201, response.text
    body = response.json()
    assert {a["vendor_id"] for a in body["allocations"]} == {closed.vendor_a}
    assert money(body["figures"]["total"]) == D("456.082") + 25
    assert money(body["figures"]["fixed_costs"]) == 25
    assert money(body["figures"]["cost_of_constraints"]) == D("10.70")
    assert body["constraint_texts"][0].endswith("excluded")


async def test_list_get_and_delete(closed, api, world):
    buyer = await api(world.purchaser)
    first = (await buyer.post(scenario_url(closed.rfq_id), json={"name": "One"})).json()
    second = (await buyer.post(scenario_url(closed.rfq_id), json={"name": "Two", "preset": "single_vendor"})).json()
    # when listed, then both are there, oldest first
    listed = await buyer.get(scenario_url(closed.rfq_id))
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["scenarios"]] == ["One", "Two"]
    assert (await buyer.get(scenario_url(closed.rfq_id, second["id"]))).json()["figures"]["vendors_used"] == 1
    # when one is deleted, then it is gone and its id answers what a missing one does
    assert (await buyer.delete(scenario_url(closed.rfq_id, first["id"]))).status_code == 204
    gone = await buyer.get(scenario_url(closed.rfq_id, first["id"]))
    missing = await buyer.get(scenario_url(closed.rfq_id, MISSING))
    assert (gone.status_code, gone.json()) == (missing.status_code, missing.json()) == (404, {
        "detail": "No such scenario."})
    assert [s["name"] for s in (await buyer.get(scenario_url(closed.rfq_id))).json()["scenarios"]] == ["Two"]


async def test_an_infeasible_scenario_says_which_constraints_conflict(closed, api, world):
    buyer = await api(world.purchaser)
    response = await buyer.post(scenario_url(closed.rfq_id), json={"name": "Impossible", "constraints": [
        {"kind": "vendor_count", "bound": "at_least", "count": 2},
        {"kind": "exclude_vendor", "vendor_id": closed.vendor_b},
        {"kind": "max_lead_time", "days": 30}]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "infeasible" and body["allocations"] == []
    assert body["conflicts"] == ["at least 2 vendors", "Beta Supplies excluded"]
    assert body["conflict_explanation"].startswith(
        "“at least 2 vendors” and “Beta Supplies excluded” cannot both hold together with the offers made (found by "
        "relaxing the constraints one at a time (4 solves)")
    assert body["awardable"] is False
    # and awarding it is a conflict that says why
    admin = await api(world.buyer_admin)
    refused = await admin.post(scenario_url(closed.rfq_id, body["id"]) + "/award", json={})
    assert refused.status_code == 409
    assert "no plan" in refused.json()["detail"]


async def test_bad_constraints_are_a_400_that_names_what_to_fix(closed, api, world):
    buyer = await api(world.purchaser)
    stranger = await buyer.post(scenario_url(closed.rfq_id), json={
        "name": "X", "constraints": [{"kind": "require_vendor", "vendor_id": MISSING}]})
    assert stranger.status_code == 400
    assert "constraints[1] (require_vendor)" in stranger.json()["detail"]
    share = await buyer.post(scenario_url(closed.rfq_id), json={"name": "X", "constraints": [
        {"kind": "value_share", "vendor_id": closed.vendor_a, "bound": "at_least", "percent": "120"}]})
    assert share.status_code == 400 and "between 0 and 100" in share.json()["detail"]
    amount = await buyer.post(scenario_url(closed.rfq_id), json={"name": "X", "constraints": [
        {"kind": "min_award_value", "amount": "0.000001"}]})
    assert amount.status_code == 400 and "decimal places" in amount.json()["detail"]
    unknown = await buyer.post(scenario_url(closed.rfq_id), json={"name": "X", "constraints": [{"kind": "magic"}]})
    assert unknown.status_code == 400


async def test_the_award_goes_through_the_one_award_and_only_for_awarders(closed, api, world):
    purchaser = await api(world.purchaser)
    scenario = (await purchaser.post(scenario_url(closed.rfq_id), json={"name": "Cheapest"})).json()
    url = scenario_url(closed.rfq_id, scenario["id"]) + "/award"
    # a purchaser may build scenarios but not award
    assert (await purchaser.post(url, json={})).status_code == 403
    # when an approver awards it (a line to B, not the cheapest overall offer: none here needs a justification)
    approver = await api(world.approver)
    response = await approver.post(url, json={})
    # then the RFQ is awarded as planned, with a contract per vendor
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "awarded"
    assert sorted((a["position"], a["vendor_id"]) for a in response.json()["awards"]) == [
        (1, closed.vendor_a), (2, closed.vendor_b), (3, closed.vendor_a)]
    vendors = {row["vendor"] for row in await Contract.select(Contract.vendor).where(Contract.rfq == closed.rfq_id)}
    assert vendors == {closed.vendor_a, closed.vendor_b}
    # and a second award is refused by the award's own rule
    again = await approver.post(url, json={})
    assert again.status_code == 409


async def test_an_offer_revised_since_the_solve_blocks_the_award(closed, api, world):
    purchaser = await api(world.purchaser)
    scenario = (await purchaser.post(scenario_url(closed.rfq_id), json={"name": "Cheapest"})).json()
    # given B accepts a counter-proposal after the scenario was solved: a new revision
    proposal = await purchaser.post(f"/api/v1/offers/{closed.offer_b}/counter-proposals",
                                    json={"lines": [{"rfq_line_id": closed.lines[1], "unit_price": "0.4400"}]})
    assert proposal.status_code == 201, proposal.text
    accepted = await (await api(closed.seller_b)).post(
        f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    # when the scenario is awarded, then it is refused until solved again
    refused = await (await api(world.buyer_admin)).post(scenario_url(closed.rfq_id, scenario["id"]) + "/award",
                                                         json={})
    assert refused.status_code == 409
    assert "Beta Supplies revised or withdrew its offer" in refused.json()["detail"]


async def test_a_split_line_cannot_be_awarded(world, api):
    # given vendor A offers only 600 of the 1000 gloves, B all of them at a higher price
    from_world = await offered(world, api, close=False)
    revised = await (await api(from_world.seller_a)).put(f"/api/v1/offers/{from_world.offer_a}", json={
        "lines": [{"rfq_line_id": from_world.lines[0], "unit_price": "0.0800", "quantity": 600}],
        "lead_time_days": 5})
    assert revised.status_code == 200, revised.text
    await set_status(from_world.rfq_id, RfqStatus.CLOSED)
    buyer = await api(world.purchaser)
    # when partial quantities are allowed, then the gloves are split 600 + 400
    split = (await buyer.post(scenario_url(from_world.rfq_id), json={
        "name": "Split", "constraints": [{"kind": "allow_partial"}]})).json()
    gloves = [(a["vendor_id"], a["quantity"]) for a in split["allocations"] if a["position"] == 1]
    assert sorted(gloves) == sorted([(from_world.vendor_a, 600), (from_world.vendor_b, 400)])
    assert split["awardable"] is False and "split between vendors" in split["not_awardable_because"]
    refused = await (await api(world.buyer_admin)).post(
        scenario_url(from_world.rfq_id, split["id"]) + "/award", json={})
    assert refused.status_code == 409 and "Line 1 is split" in refused.json()["detail"]


async def test_strangers_and_vendors_get_what_a_missing_rfq_gets(closed, api, world):
    buyer = await api(world.purchaser)
    scenario = (await buyer.post(scenario_url(closed.rfq_id), json={"name": "Mine"})).json()
    outsider_buyer = await make_user(world.other_buyer.id, "purchaser")
    for email in (world.other_buyer_admin, outsider_buyer, closed.seller_a, closed.seller_b):
        client = await api(email)
        for method, url, body in (
            ("GET", scenario_url(closed.rfq_id), None), ("POST", scenario_url(closed.rfq_id), {"name": "X"}),
            ("GET", scenario_url(closed.rfq_id, scenario["id"]), None),
            ("DELETE", scenario_url(closed.rfq_id, scenario["id"]), None),
            ("POST", scenario_url(closed.rfq_id, scenario["id"]) + "/award", {}),
        ):
            real = await client.request(method, url, json=body)
            absent = await client.request(method, url.replace(f"/rfqs/{closed.rfq_id}/", f"/rfqs/{MISSING}/"),
                                          json=body)
            assert (real.status_code, real.json()) == (absent.status_code, absent.json()) == (
                404, {"detail": "No such RFQ."}), (email, method, url)
    # the operator reads the buyer's scenarios, and may not change them
    operator = await api(world.operator)
    assert (await operator.get(scenario_url(closed.rfq_id, scenario["id"]))).status_code == 200
    assert (await operator.post(scenario_url(closed.rfq_id), json={"name": "X"})).status_code == 403
    assert (await operator.delete(scenario_url(closed.rfq_id, scenario["id"]))).status_code == 403


async def test_before_the_close_the_buyer_hears_what_a_missing_rfq_gets(world, api):
    # given offers on an RFQ still open for bidding
    bidding = await offered(world, api, close=False)
    buyer = await api(world.buyer_admin)
    for method, body in (("GET", None), ("POST", {"name": "Too early"})):
        # when the buyer asks for scenarios, then the sealed prices stay sealed: a missing RFQ's answer
        early = await buyer.request(method, scenario_url(bidding.rfq_id), json=body)
        absent = await buyer.request(method, scenario_url(MISSING), json=body)
        assert (early.status_code, early.json()) == (absent.status_code, absent.json()) == (
            404, {"detail": "No such RFQ."})


async def test_a_revision_landing_between_the_check_and_the_award_is_refused_in_the_awards_transaction(
        closed, api, world, monkeypatch):
    purchaser = await api(world.purchaser)
    scenario = (await purchaser.post(scenario_url(closed.rfq_id), json={"name": "Cheapest"})).json()
    proposal = await purchaser.post(f"/api/v1/offers/{closed.offer_b}/counter-proposals",
                                    json={"lines": [{"rfq_line_id": closed.lines[1], "unit_price": "0.4400"}]})
    assert proposal.status_code == 201, proposal.text
    seller_b = await api(closed.seller_b)
    checked = scenarios.award_request

    async def check_then_revise(*args, **kwargs):
        # given the scenario's first check passes, and only then B accepts the counter-proposal (a new revision)
        request = await checked(*args, **kwargs)
        accepted = await seller_b.post(f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")
        assert accepted.status_code == 200, accepted.text
        return request

    monkeypatch.setattr(scenarios, "award_request", check_then_revise)
    # when the scenario is awarded, then the award's own transaction refuses it and awards nothing
    refused = await (await api(world.buyer_admin)).post(scenario_url(closed.rfq_id, scenario["id"]) + "/award",
                                                         json={})
    assert refused.status_code == 409, refused.text
    assert "Beta Supplies revised or withdrew its offer" in refused.json()["detail"]
    assert await Award.count().where(Award.rfq == closed.rfq_id) == 0


async def test_a_scenario_on_the_same_offers_and_terms_reuses_the_stored_baselines(closed, api, world, monkeypatch):
    # given the baselines' solves counted
    buyer = await api(world.purchaser)
    solved = []
    real = scenarios.solve_baselines

    def counted(problem, terms, time_limit):  # type: ignore[no-untyped-def]
        solved.append(terms)
        return real(problem, terms, time_limit)

    monkeypatch.setattr(scenarios, "solve_baselines", counted)
    # when three scenarios are made: the cherry-pick, B excluded (same terms), and A's fixed cost (other terms)
    first = await buyer.post(scenario_url(closed.rfq_id), json={"name": "Cheapest", "preset": "cherry_pick"})
    second = await buyer.post(scenario_url(closed.rfq_id), json={
        "name": "No B", "constraints": [{"kind": "exclude_vendor", "vendor_id": closed.vendor_b}]})
    third = await buyer.post(scenario_url(closed.rfq_id), json={
        "name": "Delivery", "constraints": [{"kind": "fixed_cost", "vendor_id": closed.vendor_a, "amount": "25"}]})
    # then the second took the first's stored baselines, the third solved its own
    assert all(r.status_code == 201 for r in (first, second, third)), (first.text, second.text, third.text)
    assert len(solved) == 2
    figures = [r.json()["figures"] for r in (first, second, third)]
    assert figures[1]["single_vendor_total"] == figures[0]["single_vendor_total"]
    assert figures[1]["unconstrained_total"] == figures[0]["unconstrained_total"]
    assert money(figures[2]["unconstrained_total"]) == money(figures[0]["unconstrained_total"]) + 25
