"""The operators' view of the outbox, and every user's own notifications: the API and the /notifications page."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app import forms, grids
from app.auth import PrincipalRequest, authenticated, operators_only, principal_of
from app.errors import DomainError
from app.notifications import in_app, services
from app.notifications.schemas import NotificationOut, NotificationPageOut, ReadAllOut

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
                                           request.url.path, EXPORT_HEADER, services.export_row,
                                           zone=principal_of(request).time_zone)


class NotificationApi(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]
    guards = [authenticated]

    @get("/", summary="Your notifications, newest first, one page (`page` from 1, `per_page` up to 100), with the "
                      "unread count")
    async def index(self, request: PrincipalRequest, page: FromQuery[int] = 1,
                    per_page: FromQuery[int] = in_app.PAGE_SIZE) -> NotificationPageOut:
        return await in_app.page_of(principal_of(request), page, per_page)

    @post("/{notification_id:int}/read", status_code=200, summary="Mark one of your notifications read")
    async def read(self, request: PrincipalRequest, notification_id: FromPath[int]) -> NotificationOut:
        return await in_app.mark_read(principal_of(request), notification_id)

    @post("/read-all", status_code=200, summary="Mark all your notifications read")
    async def read_all(self, request: PrincipalRequest) -> ReadAllOut:
        return await in_app.mark_all_read(principal_of(request))


class NotificationPages(Controller):
    path = "/notifications"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        grid = await in_app.notification_grid(principal, in_app.NOTIFICATION_GRID.read(request.query_params))
        return grids.page_template("notifications/list.html", grid, max_bulk=grids.MAX_BULK)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(partial(in_app.notification_grid, principal_of(request)),
                                           in_app.NOTIFICATION_GRID.read(request.query_params), request.url.path,
                                           in_app.EXPORT_HEADER, in_app.export_row,
                                           zone=principal_of(request).time_zone)

    @post("/{notification_id:int}/open", status_code=303)
    async def open(self, request: PrincipalRequest, notification_id: FromPath[int]) -> Redirect:
        """Opening a notification marks it read and goes to the page where the user acts."""
        notification = await in_app.mark_read(principal_of(request), notification_id)
        return Redirect(path=notification.link, status_code=303)

    @post("/read", status_code=303)
    async def read_ticked(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        back = forms.back_to(form, "/notifications")
        try:
            marked = await in_app.mark_many_read(principal_of(request),
                                                 grids.ticked(form.getall("notification_id", []), "notifications"))
            flash(request, f"{marked} notification{'' if marked == 1 else 's'} marked read.", "success")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return Redirect(path=back, status_code=303)

    @post("/read-all", status_code=303)
    async def read_all(self, request: PrincipalRequest) -> Response[Any]:
        marked = await in_app.mark_all_read(principal_of(request))
        flash(request, f"{marked.marked} notification{'' if marked.marked == 1 else 's'} marked read.", "success")
        return Redirect(path="/notifications", status_code=303)
