"""The operators' view of the outbox."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from app import grids
from app.auth import operators_only
from app.notifications import services

EXPORT_HEADER = ("#", "To", "Subject", "Status", "Attempts", "Queued (UTC)", "Sent (UTC)", "Last error")


class OutboxPages(Controller):
    path = "/operator/outbox"
    guards = [operators_only]
    include_in_schema = False

    @get("/")
    async def outbox(self, request: Request) -> Template:
        grid = await services.outbox_grid(services.OUTBOX_GRID.read(request.query_params))
        return grids.page_template("notifications/outbox.html", grid)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: Request) -> Response[bytes]:
        return await grids.export_response(services.outbox_grid, services.OUTBOX_GRID.read(request.query_params),
                                           request.url.path, EXPORT_HEADER, services.export_row)
