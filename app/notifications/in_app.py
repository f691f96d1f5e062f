"""In-app notifications: one for every e-mail event to a user of the marketplace, written beside the e-mail in the
same unit of work (`services.queue_email` calls `notify`), listed on /notifications and counted in every page's
header. A user reads only their own: another user's notification is missing, in the same words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.apps.user.tables import BaseUser

from app import grids
from app.auth import Principal
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.notifications.schemas import NotificationOut, NotificationPageOut, ReadAllOut
from app.notifications.tables import Notification

NO_SUCH_NOTIFICATION = "No such notification."
PAGE_SIZE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 100_000

_COLUMNS = (Notification.id, Notification.title, Notification.body, Notification.link, Notification.created_at,
            Notification.read_at)


async def notify(*, to: str, title: str, body: str, link: str) -> int | None:
    """A notification for the user whose e-mail address is `to`, in the caller's unit of work; None (and nothing
    written) when no user has that address: an e-mail to an outsider is only an e-mail."""
    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == to).first()
    if user is None:
        return None
    notification = Notification(recipient=user["id"], title=title[:300], body=body, link=link, created_at=utcnow())
    await notification.save()
    return notification.id


async def unread_count(user_id: int) -> int:
    """The header's figure: one COUNT over the user's unread notifications (an index answers it)."""
    return await Notification.count().where((Notification.recipient == user_id) & Notification.read_at.is_null())


async def page_of(principal: Principal, page: int = 1, per_page: int = PAGE_SIZE) -> NotificationPageOut:
    """One page of the caller's notifications, newest first, with the unread count (two queries)."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    rows = await Notification.select(*_COLUMNS).where(Notification.recipient == principal.user_id).order_by(
        Notification.id, ascending=False).limit(per_page + 1).offset((page - 1) * per_page)
    return NotificationPageOut(
        items=[NotificationOut(**row) for row in rows[:per_page]], unread=await unread_count(principal.user_id),
        page=page, per_page=per_page, next_page=page + 1 if len(rows) > per_page else None,
    )


async def mark_read(principal: Principal, notification_id: int) -> NotificationOut:
    """Mark one of the caller's notifications read (once: a second call keeps the first moment); 404 for a missing
    one and for another user's alike."""
    mine = (Notification.id == notification_id) & (Notification.recipient == principal.user_id)
    await Notification.update({Notification.read_at: utcnow()}).where(mine & Notification.read_at.is_null())
    row = await Notification.select(*_COLUMNS).where(mine).first()
    if row is None:
        raise NotFound(NO_SUCH_NOTIFICATION)
    return NotificationOut(**row)


async def mark_all_read(principal: Principal) -> ReadAllOut:
    """Mark every unread notification of the caller read."""
    marked = await Notification.update({Notification.read_at: utcnow()}).where(
        (Notification.recipient == principal.user_id) & Notification.read_at.is_null()
    ).returning(Notification.id)
    return ReadAllOut(marked=len(marked))


async def mark_many_read(principal: Principal, notification_ids: list[int]) -> int:
    """Mark the ticked notifications of the caller read; ids of others' notifications are ignored as missing ones
    are (nothing says they exist). How many were unread and now are read."""
    marked = await Notification.update({Notification.read_at: utcnow()}).where(
        (Notification.recipient == principal.user_id) & Notification.id.is_in(notification_ids)
        & Notification.read_at.is_null()
    ).returning(Notification.id)
    return len(marked)


# --- The /notifications page's grid ------------------------------------------------------------------

UNREAD, READ = "unread", "read"
EXPORT_HEADER = ("Received (UTC)", "Title", "Text", "Read (UTC)", "Link")


@dataclass(frozen=True, slots=True)
class NotificationRow:
    id: int
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


NOTIFICATION_GRID = GridSpec(
    path="/notifications",
    columns=(GridColumn("select", "Select", sortable=False), GridColumn("received", "Received"),
             GridColumn("title", "Title"), GridColumn("read", "Read")),
    default_sort="received", default_descending=True, search_label="Title or text",
    filters=(GridFilter("state", "Read or not", ((UNREAD, "unread"), (READ, "read"))),),
    per_page=PAGE_SIZE, export_name="notifications",
)
_ORDER = {"received": (Notification.created_at,), "title": (Notification.title,), "read": (Notification.read_at,)}


async def notification_grid(principal: Principal, state: GridState) -> GridPage:
    """The caller's own notifications as the grid's state selects and orders them (never another user's)."""
    query = Notification.select(*_COLUMNS).where(Notification.recipient == principal.user_id)
    count = Notification.count().where(Notification.recipient == principal.user_id)
    conditions = [grids.search((Notification.title, Notification.body), state.q)]
    if state.filter("state") == UNREAD:
        conditions.append(Notification.read_at.is_null())
    elif state.filter("state") == READ:
        conditions.append(Notification.read_at.is_not_null())
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Notification.id), state)
    return state.page_of([NotificationRow(**row) for row in rows], await count)


def export_row(notification: NotificationRow) -> tuple[object, ...]:
    return (notification.created_at, notification.title, notification.body, notification.read_at, notification.link)
