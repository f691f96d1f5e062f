"""The curation audit log: an entry for each change, written in the change's unit of work, and read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where

from app.auth import Principal
from app.catalog.tables import CurationEvent
from app.clock import utcnow
from app.curation.schemas import EventOut, EventPage
from app.curation.store import INSERT_CHUNK
from app.errors import InvalidInput

EVENTS_PER_PAGE = 50


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, frozenset | set | tuple):
        return sorted(value) if not isinstance(value, tuple) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def event(
    principal: Principal, action: str, details: Mapping[str, Any], *, listing_id: int | None = None,
    product_id: int | None = None,
) -> CurationEvent:
    """An audit entry of `principal` doing `action`, for `record` to write with the change."""
    return entry(principal.user_id, action, details, listing_id=listing_id, product_id=product_id)


def entry(
    actor_id: int | None, action: str, details: Mapping[str, Any], *, listing_id: int | None = None,
    product_id: int | None = None,
) -> CurationEvent:
    """An audit entry of the user `actor_id` doing `action`: for callers that know the user only by id (the back
    office's operators, who sign in to piccolo-admin, have no `Principal` there)."""
    return CurationEvent(
        actor=actor_id,
        action=action,
        listing=listing_id,
        product=product_id,
        details=json.dumps(details, default=_json_default, sort_keys=True),
        created_at=utcnow(),
    )


async def record(*events: CurationEvent) -> None:
    """Write audit entries; called inside the unit of work of the change they describe."""
    for start in range(0, len(events), INSERT_CHUNK):
        await CurationEvent.insert(*events[start : start + INSERT_CHUNK])


async def list_events(
    *, listing_id: int | None = None, product_id: int | None = None, action: str = "", page: int = 1,
    per_page: int = EVENTS_PER_PAGE,
) -> EventPage:
    """The audit log, newest first, filtered by listing, product and action: two queries."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    conditions: list[Where] = []
    if listing_id is not None:
        conditions.append(CurationEvent.listing == listing_id)
    if product_id is not None:
        conditions.append(CurationEvent.product == product_id)
    if action.strip():
        conditions.append(CurationEvent.action == action.strip())
    query = CurationEvent.select(
        CurationEvent.id, CurationEvent.action, CurationEvent.actor, CurationEvent.actor.email,
        CurationEvent.listing, CurationEvent.product, CurationEvent.details, CurationEvent.created_at,
    ).output(load_json=True)
    count = CurationEvent.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(CurationEvent.created_at, CurationEvent.id, ascending=False).limit(per_page).offset(
        (page - 1) * per_page
    )
    items = [
        EventOut(
            id=row["id"], action=row["action"], actor_id=row["actor"], actor_email=row["actor.email"],
            listing_id=row["listing"], product_id=row["product"],
            details=row["details"] if isinstance(row["details"], dict) else json.loads(row["details"] or "{}"),
            created_at=row["created_at"],
        )
        for row in rows
    ]
    return EventPage(items=items, total=await count, page=page, per_page=per_page)
