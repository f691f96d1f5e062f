"""Savings analytics over HTTP: the API (bearer token), the buyer's savings page, an RFQ's analytics page, the
operators' marketplace page, and the CSV/XLSX of every table behind a chart. Handlers parse and call one function."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.analytics import pages, services
from app.analytics.schemas import GroupBy, MarketplaceOut, RfqSavingsOut, SavingsOut
from app.auth import PrincipalRequest, authenticated, operators_only, principal_of
from app.openapi import STATUSES

From = Annotated[date | None, QueryParameter(name="from", description="First day of the period (UTC), inclusive")]
To = Annotated[date | None, QueryParameter(name="to", description="Last day of the period (UTC), inclusive")]
# The pages' GET forms send an empty field for "no bound": read as text, parsed by services.day.
FromText = Annotated[str, QueryParameter(name="from")]
ToText = Annotated[str, QueryParameter(name="to")]


class SavingsApi(Controller):
    path = "/api/v1"
    tags = ["analytics"]
    guards = [authenticated]

    @get("/analytics/savings",
         summary="The caller's savings against each baseline, grouped by category, vendor, month or cost center "
                 "(the RFQ's), per currency (buyers: their company; operators: the marketplace; vendors: 404); with "
                 "group_by=cost_center also the contract value consumed per the orders' cost centers",
         opt={STATUSES: [404]})
    async def savings(self, request: PrincipalRequest, start: From = None, end: To = None,
                      group_by: FromQuery[GroupBy] = GroupBy.MONTH) -> SavingsOut:
        return await services.savings(principal_of(request), group_by, start, end)

    @get("/analytics/marketplace", guards=[operators_only],
         summary="The marketplace's figures (operators only, like every operator API): RFQs published and awarded, "
                 "invitations answered, active vendors and buyers, volume and savings summed over every buyer, per "
                 "currency, in total, by month and by category")
    async def marketplace(self, request: PrincipalRequest, start: From = None, end: To = None) -> MarketplaceOut:
        return await services.marketplace_figures(principal_of(request), start, end)

    @get("/rfqs/{rfq_id:int}/savings",
         summary="One RFQ's savings per vendor awarded and its offer spread per line (buyer, after the close)")
    async def rfq_savings(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> RfqSavingsOut:
        return await services.rfq_savings(principal_of(request), rfq_id)


class SavingsPages(Controller):
    """/analytics/savings: the buyer's savings with charts and tables, and their downloads."""

    path = "/analytics/savings"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, start: FromText = "", end: ToText = "",
                   currency: FromQuery[str | None] = None, vendor: FromQuery[int | None] = None) -> Template:
        return await pages.savings_page(principal_of(request), start, end, currency, vendor)

    @get("/export.csv")
    async def csv(self, request: PrincipalRequest, table: FromQuery[str], start: FromText = "", end: ToText = "",
                  currency: FromQuery[str | None] = None, vendor: FromQuery[int | None] = None) -> Response[bytes]:
        return await pages.savings_export(principal_of(request), table, "csv", start, end, currency, vendor)

    @get("/export.xlsx")
    async def xlsx(self, request: PrincipalRequest, table: FromQuery[str], start: FromText = "", end: ToText = "",
                   currency: FromQuery[str | None] = None, vendor: FromQuery[int | None] = None) -> Response[bytes]:
        return await pages.savings_export(principal_of(request), table, "xlsx", start, end, currency, vendor)


class RfqAnalyticsPages(Controller):
    """/rfqs/{id}/analytics: one RFQ's savings and offer spread, after the close."""

    path = "/rfqs/{rfq_id:int}/analytics"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await pages.rfq_page(principal_of(request), rfq_id)

    @get("/export.csv")
    async def csv(self, request: PrincipalRequest, rfq_id: FromPath[int], table: FromQuery[str]) -> Response[bytes]:
        return await pages.rfq_export(principal_of(request), rfq_id, table, "csv")

    @get("/export.xlsx")
    async def xlsx(self, request: PrincipalRequest, rfq_id: FromPath[int], table: FromQuery[str]) -> Response[bytes]:
        return await pages.rfq_export(principal_of(request), rfq_id, table, "xlsx")


class MarketplacePages(Controller):
    """/operator/analytics: the marketplace's figures, summed over every buyer."""

    path = "/operator/analytics"
    guards = [authenticated, operators_only]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, start: FromText = "", end: ToText = "") -> Template:
        return await pages.marketplace_page(principal_of(request), start, end)

    @get("/export.csv")
    async def csv(self, request: PrincipalRequest, table: FromQuery[str], start: FromText = "",
                  end: ToText = "") -> Response[bytes]:
        return await pages.marketplace_export(principal_of(request), table, "csv", start, end)

    @get("/export.xlsx")
    async def xlsx(self, request: PrincipalRequest, table: FromQuery[str], start: FromText = "",
                   end: ToText = "") -> Response[bytes]:
        return await pages.marketplace_export(principal_of(request), table, "xlsx", start, end)


ROUTES: list[ControllerRouterHandler] = [SavingsApi, SavingsPages, RfqAnalyticsPages, MarketplacePages]
