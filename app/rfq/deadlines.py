"""Deadlines as the database keeps them: closing an RFQ whose deadline passed, finding what a lost message left
behind, noting when the closing message is due, and the reminder a day before the deadline.

No messages are sent from here: app/rfq/tasks.py sends them (and its actors call this module).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.columns.combination import Where

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import SELLER_ROLES
from app.notifications.services import queue_email
from app.offers.tables import Offer, OfferStatus
from app.rfq import access, mail, rules
from app.rfq.states import (
    Actor,
    RfqStatus,
    check_transition,
)
from app.rfq.tables import Rfq, RfqInvitation


async def close_if_due(rfq_id: int) -> bool:
    """Close a published RFQ whose deadline has passed (by the database's clock). True when this call closed it;
    a second call, a duplicate message or an early one is a no-op and sends nothing."""
    async with db.transaction():
        now = await db.db_now()
        moved = await Rfq.update({Rfq.status: RfqStatus.CLOSED.value, Rfq.closed_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value) & _bidding_over(now)
        ).returning(Rfq.id)
        if not moved:
            return False
        check_transition(RfqStatus.PUBLISHED, RfqStatus.CLOSED, Actor.SYSTEM)
        head = await access.rfq_head(rfq_id)
        assert head is not None
        await mail.tell_buyer_closed(head)
    return True


def _bidding_over(now: datetime) -> Where:
    """rules.bidding_over as SQL on `rfq` rows: the deadline is at or before `now`."""
    return Rfq.deadline <= now


async def overdue_ids() -> list[int]:
    """Published RFQs whose deadline has passed: the ones a lost closing message left open."""
    now = await db.db_now()
    return [
        row["id"]
        for row in await Rfq.select(Rfq.id).where((Rfq.status == RfqStatus.PUBLISHED.value) & _bidding_over(now))
    ]


async def unscheduled_closings(now: datetime) -> list[tuple[int, datetime]]:
    """(RFQ, deadline) of published RFQs whose deadline came within the broker's range and whose closing message
    was not sent for that deadline (it was too far off then, or it was moved)."""
    horizon = now + rules.MAX_MESSAGE_DELAY
    rows = await Rfq.select(Rfq.id, Rfq.deadline, Rfq.close_scheduled_for).where(
        (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline > now) & (Rfq.deadline < horizon)
    )
    return [(row["id"], row["deadline"]) for row in rows if row["close_scheduled_for"] != row["deadline"]]


async def note_close_scheduled(rfq_id: int, deadline: datetime, now: datetime) -> timedelta | None:
    """In the caller's transaction: the delay of the closing message for `deadline`, noted on the RFQ; None when
    the deadline is beyond the broker's range (a later sweep schedules it)."""
    delay = rules.close_delay(deadline, now)
    if delay is not None:
        await Rfq.update({Rfq.close_scheduled_for: deadline}).where(Rfq.id == rfq_id)
    return delay


async def send_reminders() -> int:
    """One reminder per invited vendor that has neither a live offer nor declined, in the last 24 hours."""
    now = await db.db_now()
    rows = await RfqInvitation.select(
        RfqInvitation.id, RfqInvitation.rfq, RfqInvitation.vendor, RfqInvitation.rfq.deadline,
    ).where(
        (RfqInvitation.rfq.status == RfqStatus.PUBLISHED.value)
        & (RfqInvitation.rfq.deadline > now)
        & (RfqInvitation.rfq.deadline <= now + rules.REMIND_BEFORE)
        & RfqInvitation.reminded_at.is_null()
        & RfqInvitation.declined_at.is_null()
    )
    if not rows:
        return 0
    rfq_ids = sorted({row["rfq"] for row in rows})
    answered = {
        (row["rfq"], row["vendor"])
        for row in await Offer.select(Offer.rfq, Offer.vendor).where(
            Offer.rfq.is_in(rfq_ids) & (Offer.status == OfferStatus.LIVE.value)
        )
    }
    todo = [
        row for row in rows
        if (row["rfq"], row["vendor"]) not in answered and rules.reminder_due(row["rfq.deadline"], now)
    ]
    if not todo:
        return 0
    heads = {rfq_id: await access.rfq_head(rfq_id) for rfq_id in sorted({row["rfq"] for row in todo})}
    addresses = await addresses_of([row["vendor"] for row in todo], SELLER_ROLES)
    sent = 0
    async with db.transaction():
        for row in todo:
            claimed = await RfqInvitation.update({RfqInvitation.reminded_at: now}).where(
                (RfqInvitation.id == row["id"]) & RfqInvitation.reminded_at.is_null()
            ).returning(RfqInvitation.id)
            head = heads[row["rfq"]]
            if not claimed or head is None:
                continue
            for address in addresses.get(row["vendor"], []):
                await queue_email(to=address, subject=lambda place, head=head: mail.reminder_mail(head, place)[0],
                                  body=lambda place, head=head: mail.reminder_mail(head, place)[1],
                                  link=mail.vendor_path(head.id))
            sent += 1
    return sent


