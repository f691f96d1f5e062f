"""The operators' view of the outbox."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from app.auth import operators_only
from app.notifications import services
from app.notifications.tables import OutboxStatus


class OutboxPages(Controller):
    path = "/operator/outbox"
    guards = [operators_only]
    include_in_schema = False

    @get("/")
    async def outbox(self, status: FromQuery[str | None] = None) -> Template:
        chosen = status if status in {s.value for s in OutboxStatus} else None
        return Template(
            template_name="notifications/outbox.html",
            context={
                "emails": await services.recent(status=chosen),
                "statuses": [s.value for s in OutboxStatus],
                "chosen": chosen,
            },
        )
