"""Vendor scorecards over HTTP: the API, the vendor profile page (buyers, operators, the vendor itself), the
comparison's row of short scorecards, and the operators' grid of every vendor's scorecard with its export."""

from __future__ import annotations

from functools import partial

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import PrincipalRequest, authenticated, buyers_only, operators_only, principal_of, sellers_only
from app.offers import services as offers
from app.sourcing import scorecards
from app.sourcing.scorecard_schemas import ScorecardOut


class ScorecardApi(Controller):
    path = "/api/v1/vendors"
    tags = ["sourcing"]
    guards = [authenticated]

    @get("/{vendor_id:int}/scorecard",
         summary="A vendor's scorecard: buyers get figures across buyers (withheld where one other buyer would show) "
                 "and their own history, each labelled; operators every vendor's full figures; a vendor its own")
    async def scorecard(self, request: PrincipalRequest, vendor_id: FromPath[int]) -> ScorecardOut:
        return await scorecards.scorecard(principal_of(request), vendor_id)


class ScorecardPages(Controller):
    path = "/"
    guards = [authenticated]
    include_in_schema = False

    @get("/vendors/{vendor_id:int}")
    async def profile(self, request: PrincipalRequest, vendor_id: FromPath[int]) -> Template:
        card = await scorecards.scorecard(principal_of(request), vendor_id)
        return Template(template_name="sourcing/vendor_profile.html", context={"card": card})

    @get("/vendor/scorecard", guards=[sellers_only])
    async def own(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        card = await scorecards.scorecard(principal, principal.company_id)
        return Template(template_name="sourcing/vendor_profile.html", context={"card": card})

    @get("/rfqs/{rfq_id:int}/scorecards", guards=[buyers_only])
    async def comparison_row(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        """The comparison's row of short scorecards, one cell per vendor column (an htmx fragment)."""
        principal = principal_of(request)
        matrix = await offers.comparison_out(principal, rfq_id)
        summaries = await scorecards.summaries(principal, [v.vendor_id for v in matrix.vendors])
        return Template(template_name="sourcing/_scorecard_row.html",
                        context={"matrix": matrix, "summaries": summaries})

    @get("/operator/scorecards", guards=[operators_only])
    async def grid(self, request: PrincipalRequest) -> Template:
        page = await scorecards.scorecard_grid(scorecards.SCORECARD_GRID.read(request.query_params))
        return grids.page_template("sourcing/scorecards.html", page)

    @get(["/operator/scorecards/export.csv", "/operator/scorecards/export.xlsx"], guards=[operators_only])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(scorecards.scorecard_grid), scorecards.SCORECARD_GRID.read(request.query_params),
            request.url.path, scorecards.EXPORT_HEADER, scorecards.export_row)


ROUTES: list[ControllerRouterHandler] = [ScorecardApi, ScorecardPages]
