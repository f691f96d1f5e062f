"""Award scenarios over HTTP: the API (bearer token) and the buyer's scenarios page (app/sourcing/pages.py)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, principal_of
from app.offers.schemas import AwardResultOut
from app.sourcing import scenarios
from app.sourcing.schemas import ScenarioAwardIn, ScenarioIn, ScenarioListOut, ScenarioOut


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


ROUTES: list[ControllerRouterHandler] = [ScenarioApi]
