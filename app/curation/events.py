"""The curation audit log: an entry for each change, written in the change's unit of work, and read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where

from app import grids
from app.auth import Principal
from app.catalog.tables import CurationEvent
from app.clock import utcnow
from app.curation.schemas import EventOut, EventPage
from app.curation.store import INSERT_CHUNK
from app.errors import InvalidInput
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

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
    query, count = _filtered(listing_id, product_id, action)
    rows = await query.order_by(CurationEvent.created_at, CurationEvent.id, ascending=False).limit(per_page).offset(
        (page - 1) * per_page
    )
    return EventPage(items=[_out(row) for row in rows], total=await count, page=page, per_page=per_page)


EVENT_GRID = GridSpec(
    path="/operator/curation/events",
    columns=(GridColumn("when", "When"), GridColumn("who", "Who"), GridColumn("action", "Action"),
             GridColumn("listing", "Listing"), GridColumn("product", "Product"),
             GridColumn("changes", "What changed", sortable=False)),
    default_sort="when", default_descending=True,
    filters=(GridFilter("listing", "Listing #", kind="text"), GridFilter("product", "Product #", kind="text"),
             GridFilter("action", "Action", kind="text")),
    per_page=EVENTS_PER_PAGE, export_name="curation-audit-log", sheet_title="Curation audit log",
)
EXPORT_HEADER = ("When (UTC)", "Who", "Action", "Listing", "Product", "Details")
_EVENT_ORDER = {"when": (CurationEvent.created_at,), "who": (CurationEvent.actor.email,),
                "action": (CurationEvent.action,), "listing": (CurationEvent.listing,),
                "product": (CurationEvent.product,)}


async def event_grid(state: GridState) -> GridPage:
    """The audit log page: entries as its grid filters and orders them, two queries."""
    query, count = _filtered(_number(state.filter("listing"), "Listing #"),
                             _number(state.filter("product"), "Product #"), state.filter("action"))
    rows = await grids.paged(grids.ordered(query, state, _EVENT_ORDER, CurationEvent.id), state)
    return state.page_of([_out(row) for row in rows], await count)


def export_row(event: EventOut) -> tuple[object, ...]:
    return (event.created_at, event.actor_email or "", event.action, event.listing_id, event.product_id,
            json.dumps(event.details, sort_keys=True, default=str))


def _number(text: str, what: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput(f"{what} must be a whole number, such as 42.")
    return int(text)


def _filtered(listing_id: int | None, product_id: int | None, action: str) -> tuple[Any, Any]:
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
        query, count = query.where(condition), count.where(condition)
    return query, count


def _out(row: dict[str, Any]) -> EventOut:
    return EventOut(
        id=row["id"], action=row["action"], actor_id=row["actor"], actor_email=row["actor.email"],
        listing_id=row["listing"], product_id=row["product"],
        details=row["details"] if isinstance(row["details"], dict) else json.loads(row["details"] or "{}"),
        created_at=row["created_at"],
    )
