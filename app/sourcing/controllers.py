"""Award scenarios and weighted scores over HTTP: the API (bearer token), the buyer's scenarios page and the weights
form of the comparison page (app/sourcing/pages.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, awarders_only, principal_of
from app.contracts.controllers import award_confirm_template
from app.errors import DomainError
from app.offers import services as offers
from app.offers.pages import comparison_page
from app.offers.schemas import AwardResultOut
from app.sourcing import pages, scenarios, scores
from app.sourcing.forms import scenario_from_form, weights_from_form
from app.sourcing.schemas import ScenarioAwardIn, ScenarioIn, ScenarioListOut, ScenarioOut
from app.sourcing.score_schemas import ScoresOut, WeightsIn, WeightsOut
from app.sourcing.scorecard_routes import ROUTES as SCORECARD_ROUTES


class ScenarioApi(Controller):
    path = "/api/v1/rfqs/{rfq_id:int}/scenarios"
    tags = ["sourcing"]
    guards = [authenticated]

    @get("/", summary="The RFQ's award scenarios with their side-by-side figures (buyer, after the close)")
    async def list_scenarios(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ScenarioListOut:
        return await scenarios.list_scenarios(principal_of(request), rfq_id)

    @post("/", status_code=201,
          summary="Solve and save a named award scenario: a preset and constraints, solved to the optimum (buyer)")
    async def create(self, request: PrincipalRequest, rfq_id: FromPath[int],
                     data: JSONBody[ScenarioIn]) -> ScenarioOut:
        return await scenarios.create(principal_of(request), rfq_id, data)

    @get("/{scenario_id:int}", summary="One award scenario: its plan, figures, or the constraints that conflict")
    async def get_scenario(self, request: PrincipalRequest, rfq_id: FromPath[int],
                           scenario_id: FromPath[int]) -> ScenarioOut:
        return await scenarios.get(principal_of(request), rfq_id, scenario_id)

    @delete("/{scenario_id:int}", status_code=204, summary="Delete an award scenario (buyer)")
    async def delete_scenario(self, request: PrincipalRequest, rfq_id: FromPath[int],
                              scenario_id: FromPath[int]) -> None:
        await scenarios.delete(principal_of(request), rfq_id, scenario_id)

    @post("/{scenario_id:int}/award", status_code=200,
          summary="Award the scenario's plan through the one atomic award (buyer_admin or approver); 409 when the "
                  "plan cannot be awarded as solved")
    async def award(self, request: PrincipalRequest, rfq_id: FromPath[int], scenario_id: FromPath[int],
                    data: JSONBody[ScenarioAwardIn]) -> AwardResultOut:
        return await scenarios.award(principal_of(request), rfq_id, scenario_id, data)


class ScoringApi(Controller):
    path = "/api/v1/rfqs/{rfq_id:int}"
    tags = ["sourcing"]
    guards = [authenticated]

    @put("/scoring", summary="Set the RFQ's scoring weights: whole percentages for price, lead time, vendor rating "
                             "and payment terms adding up to 100 (buyer_admin or approver of its company)")
    async def set_weights(self, request: PrincipalRequest, rfq_id: FromPath[int],
                          data: JSONBody[WeightsIn]) -> WeightsOut:
        return await scores.set_weights(principal_of(request), rfq_id, data)

    @get("/scores", summary="Each offer's normalized scores per line and criterion, weighted totals and ranking, in "
                            "the RFQ's currency (buyer, after the close)")
    async def get_scores(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ScoresOut:
        return await scores.scores(principal_of(request), rfq_id)


class ScoringPages(Controller):
    """The weights form of the comparison page (its scores section: app/sourcing/pages.py)."""

    path = "/rfqs/{rfq_id:int}/scoring"
    guards = [authenticated]
    include_in_schema = False

    @post("/", status_code=303)
    async def set_weights(self, request: PrincipalRequest, rfq_id: FromPath[int],
                          data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        try:
            weights = await scores.set_weights(principal, rfq_id, weights_from_form(data))
        except DomainError as exc:
            return await comparison_page(principal, rfq_id, exc)
        flash(request, f"Offers are scored with price {weights.price} %, lead time {weights.lead_time} %, vendor "
                       f"rating {weights.vendor_rating} % and payment terms {weights.payment_terms} %.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/comparison#scores", status_code=303)


class ScenarioPages(Controller):
    """/rfqs/{id}/scenarios: build, compare, delete, and award one through the award's confirmation page."""

    path = "/rfqs/{rfq_id:int}/scenarios"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await pages.scenarios_page(principal_of(request), rfq_id)

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest, rfq_id: FromPath[int],
                     data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        try:
            problem = scenarios.problem_of(await offers.comparison_for_buyer(principal, rfq_id))
            line_of = {line.position: line.line_id for line in problem.lines}
            scenario = await scenarios.create(principal, rfq_id, scenario_from_form(
                data, [v.vendor_id for v in problem.vendors], line_of, principal.locale))
        except DomainError as exc:
            return await pages.scenarios_page(principal, rfq_id, exc, data)
        flash(request, f"Scenario “{scenario.name}” is solved: {STATUS_WORDS[scenario.status]}.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/scenarios#scenario-{scenario.id}", status_code=303)

    @post("/{scenario_id:int}/delete", status_code=303)
    async def delete(self, request: PrincipalRequest, rfq_id: FromPath[int],
                     scenario_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        try:
            await scenarios.delete(principal, rfq_id, scenario_id)
        except DomainError as exc:
            return await pages.scenarios_page(principal, rfq_id, exc)
        flash(request, "The scenario is deleted.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/scenarios", status_code=303)

    @post("/{scenario_id:int}/award/confirm", guards=[awarders_only], status_code=200)
    async def confirm_award(self, request: PrincipalRequest, rfq_id: FromPath[int],
                            scenario_id: FromPath[int]) -> Template:
        """The award's own confirmation page, pre-filled with the scenario's plan: its "Yes, award" posts to the
        one award (POST /rfqs/{id}/award)."""
        principal = principal_of(request)
        try:
            preview = await scenarios.preview_award(principal, rfq_id, scenario_id)
        except DomainError as exc:
            return await pages.scenarios_page(principal, rfq_id, exc)
        return award_confirm_template(preview)


STATUS_WORDS = {
    "optimal": "proven optimal", "best_found": "the best plan found in the time limit, with its gap",
    "infeasible": "no plan meets every constraint (the page says which ones conflict)",
    "no_plan": "no plan was found in the time limit",
}


ROUTES: list[ControllerRouterHandler] = [ScenarioApi, ScenarioPages, ScoringApi, ScoringPages, *SCORECARD_ROUTES]
