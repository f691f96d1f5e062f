"""The outbox: queue an e-mail inside the caller's transaction (it is sent once that commits), and read what is
in it. Every e-mail to a user also makes an in-app notification in the same transaction (in_app.notify). Delivery
itself: app/notifications/delivery.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app import db, grids
from app.auth import place_of_address
from app.clock import utcnow
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.locales import ANYWHERE, Place
from app.notifications.in_app import notify
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.notifications.tasks import deliver_email
from app.settings import get_settings


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def absolute_link(path: str) -> str:
    """The address of one of the app's pages for an e-mail: MARKET_BASE_URL and the page's path."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"an e-mail links to a page of the app by its path, not {path!r}")
    return f"{get_settings().base_url}{path}"


# What an e-mail says: fixed words, or words written for its recipient's locale and time zone (money, moments).
Words = str | Callable[[Place], str]


def in_place(words: Words, place: Place) -> str:
    return words(place) if callable(words) else words


async def queue_email(*, to: str, subject: Words, body: Words, link: str) -> int:
    """Write an e-mail in the current unit of work; it is sent once that commits.

    `link` is the path of the page where the recipient acts (required: an e-mail nobody can act on is a dead end);
    the body ends with its absolute address, so the body's last sentence introduces it. A user with that address
    also gets it as an in-app notification, linked to the same page. A subject or body that is a function of a
    `Place` is written in the recipient's locale and time zone (English and UTC for an outsider)."""
    place = await place_of_address(to) if callable(subject) or callable(body) else ANYWHERE
    subject, body = in_place(subject, place), in_place(body, place)
    email = OutboxEmail(
        message_id=uuid.uuid4(),
        to_address=to,
        subject=subject,
        body_text=f"{body.rstrip()}\n\n{absolute_link(link)}\n",
        status=OutboxStatus.PENDING.value,
        created_at=utcnow(),
    )
    await email.save()
    # In the app the title is the link: the sentence that introduced the e-mail's link ends without its colon.
    await notify(to=to, title=subject, body=body.rstrip().removesuffix(":"), link=link)
    db.after_commit(lambda: deliver_email.send(email.id))
    return email.id


OUTBOX_GRID = GridSpec(
    path="/operator/outbox",
    columns=(GridColumn("id", "#"), GridColumn("to", "To"), GridColumn("subject", "Subject"),
             GridColumn("status", "Status"), GridColumn("attempts", "Attempts"), GridColumn("queued", "Queued"),
             GridColumn("sent", "Sent"), GridColumn("error", "Last error", sortable=False)),
    default_sort="id", default_descending=True, search_label="Recipient or subject",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in OutboxStatus)),),
    per_page=50, export_name="outbox",
)
_OUTBOX_ORDER = {"id": (), "to": (OutboxEmail.to_address,), "subject": (OutboxEmail.subject,),
                 "status": (OutboxEmail.status,), "attempts": (OutboxEmail.attempts,),
                 "queued": (OutboxEmail.created_at,), "sent": (OutboxEmail.sent_at,)}


async def outbox_grid(state: GridState) -> GridPage:
    """The outbox page (operators): e-mails as the grid's state selects and orders them."""
    query = OutboxEmail.select(
        OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.status,
        OutboxEmail.attempts, OutboxEmail.last_error, OutboxEmail.created_at, OutboxEmail.sent_at,
    )
    count = OutboxEmail.count()
    conditions = [grids.search((OutboxEmail.to_address, OutboxEmail.subject), state.q)]
    if state.filter("status"):
        conditions.append(OutboxEmail.status == state.filter("status"))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _OUTBOX_ORDER, OutboxEmail.id), state)
    return state.page_of([OutboxEntry(**row) for row in rows], await count)


def export_row(email: OutboxEntry) -> tuple[object, ...]:
    return (email.id, email.to_address, email.subject, email.status, email.attempts, email.created_at,
            email.sent_at, email.last_error)
