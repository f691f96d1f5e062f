"""Cost centers, budgets, approval rules and user limits over HTTP: every buyer user reads its company's, its admins
write them. Thin: each handler calls one service."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyer_admins_only, buyers_only, principal_of
from app.openapi import STATUSES
from app.spending import services
from app.spending.pages import ROUTES as PAGES
from app.spending.schemas import (
    ApprovalRuleIn,
    ApprovalRuleOut,
    ApprovalRulePatch,
    BudgetIn,
    BudgetOut,
    BudgetPatch,
    CostCenterIn,
    CostCenterOut,
    UserLimitIn,
    UserLimitOut,
)


class CostCenterApi(Controller):
    path = "/api/v1/cost-centers"
    tags = ["spending"]
    guards = [buyers_only]

    @get("/", summary="Your company's cost centers and who may order on each")
    async def list_cost_centers(self, request: PrincipalRequest) -> list[CostCenterOut]:
        return await services.list_cost_centers(principal_of(request))

    @post("/", guards=[buyer_admins_only], status_code=201, opt={STATUSES: [409]},
          summary="Add a cost center and the users who may order on it (buyer admins)")
    async def create_cost_center(self, request: PrincipalRequest, data: JSONBody[CostCenterIn]) -> CostCenterOut:
        return await services.create_cost_center(principal_of(request), data)


class BudgetApi(Controller):
    path = "/api/v1/budgets"
    tags = ["spending"]
    guards = [buyers_only]

    @get("/", summary="Your company's budgets with what each period's orders reserved and spent, and what is left")
    async def list_budgets(
        self, request: PrincipalRequest, cost_center_id: FromQuery[int | None] = None,
    ) -> list[BudgetOut]:
        return await services.list_budgets(principal_of(request), cost_center_id)

    @post("/", guards=[buyer_admins_only], status_code=201, opt={STATUSES: [409]},
          summary="Set a budget for a cost center and period, hard (refused over it) or soft (approval over it)")
    async def create_budget(self, request: PrincipalRequest, data: JSONBody[BudgetIn]) -> BudgetOut:
        return await services.create_budget(principal_of(request), data)

    @patch("/{budget_id:int}", guards=[buyer_admins_only], opt={STATUSES: [404]},
           summary="Change a budget's amount or whether it is hard")
    async def update_budget(
        self, request: PrincipalRequest, budget_id: FromPath[int], data: JSONBody[BudgetPatch],
    ) -> BudgetOut:
        return await services.update_budget(principal_of(request), budget_id, data)


class ApprovalRuleApi(Controller):
    path = "/api/v1/approval-rules"
    tags = ["spending"]
    guards = [buyers_only]

    @get("/", summary="Your company's approval rules, by level")
    async def list_rules(self, request: PrincipalRequest) -> list[ApprovalRuleOut]:
        return await services.list_rules(principal_of(request))

    @post("/", guards=[buyer_admins_only], status_code=201,
          summary="Add an approval rule: its conditions (total, category, vendor, cost center, requester's role), "
                  "its approvers (users or a role) and its level")
    async def create_rule(self, request: PrincipalRequest, data: JSONBody[ApprovalRuleIn]) -> ApprovalRuleOut:
        return await services.create_rule(principal_of(request), data)

    @patch("/{approval_rule_id:int}", guards=[buyer_admins_only], opt={STATUSES: [404]},
           summary="Change an approval rule")
    async def update_rule(
        self, request: PrincipalRequest, approval_rule_id: FromPath[int], data: JSONBody[ApprovalRulePatch],
    ) -> ApprovalRuleOut:
        return await services.update_rule(principal_of(request), approval_rule_id, data)

    @delete("/{approval_rule_id:int}", guards=[buyer_admins_only], status_code=204, opt={STATUSES: [404]},
            summary="Delete an approval rule; orders already waiting keep what it asked")
    async def delete_rule(self, request: PrincipalRequest, approval_rule_id: FromPath[int]) -> None:
        await services.delete_rule(principal_of(request), approval_rule_id)


class UserLimitApi(Controller):
    path = "/api/v1/spending-limits"
    tags = ["spending"]
    guards = [buyers_only]

    @get("/{user_id:int}", opt={STATUSES: [404]}, summary="A user's per-order, per-month and approval limits")
    async def get_limit(self, request: PrincipalRequest, user_id: FromPath[int]) -> UserLimitOut:
        return await services.get_user_limit(principal_of(request), user_id)

    @put("/{user_id:int}", guards=[buyer_admins_only], opt={STATUSES: [404]},
         summary="Set a user's per-order, per-month and approval limits (buyer admins)")
    async def set_limit(self, request: PrincipalRequest, user_id: FromPath[int], data: JSONBody[UserLimitIn]
                        ) -> UserLimitOut:
        return await services.set_user_limit(principal_of(request), user_id, data)


ROUTES: list[ControllerRouterHandler] = [CostCenterApi, BudgetApi, ApprovalRuleApi, UserLimitApi, *PAGES]
