"""What an RFQ tells people: who hears of it (its vendors, its buyer's people) and the e-mails' words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.accounts.recipients import addresses_of, author_and_admins
from app.accounts.roles import SELLER_ROLES
from app.clock import format_moment
from app.locales import ANYWHERE, Place
from app.notifications.services import queue_email
from app.rfq import access
from app.rfq.access import RfqHead
from app.rfq.states import (
    Visibility,
)
from app.rfq.tables import Rfq, RfqInvitation


async def invited_vendor_ids(rfq_id: int) -> list[int]:
    return [r["vendor"] for r in await RfqInvitation.select(RfqInvitation.vendor).where(RfqInvitation.rfq == rfq_id)]


async def audience_of(head: RfqHead) -> list[int]:
    """Every vendor an RFQ is meant for: the invited ones, and for open RFQs the eligible ones."""
    audience = set(await invited_vendor_ids(head.id))
    if head.visibility is Visibility.OPEN:
        audience |= await access.eligible_vendor_ids(head.id)
    return sorted(audience)


async def tell_vendors(vendor_ids: Iterable[int], head: RfqHead, mail: Any) -> None:
    """One e-mail per vendor user, naming no other vendor and no price; `mail(head, place)` gives its subject and
    body in the recipient's locale and zone."""
    addresses = await addresses_of(vendor_ids, SELLER_ROLES)
    for vendor_id in sorted(addresses):
        for address in addresses[vendor_id]:
            await queue_email(to=address, subject=lambda place: mail(head, place)[0],
                              body=lambda place: mail(head, place)[1], link=vendor_path(head.id))


async def buyer_recipients(head: RfqHead) -> list[str]:
    """The RFQ's author and its company's buyer_admins."""
    row = await Rfq.select(Rfq.author).where(Rfq.id == head.id).first()
    return await author_and_admins(head.buyer_id, row["author"] if row else None)


async def tell_buyer_closed(head: RfqHead) -> None:
    """The RFQ's author and its company's buyer_admins hear that bidding is over."""
    recipients = await buyer_recipients(head)
    subject = f"Bidding closed: {head.title}"
    body = (
        f"Bidding on your request for quotation \"{head.title}\" ({head.reference}) is closed.\n\n"
        "Compare the offers and award:"
    )
    for address in recipients:
        await queue_email(to=address, subject=subject, body=body, link=f"/rfqs/{head.id}/comparison")


def deadline_text(moment: datetime, place: Place = ANYWHERE) -> str:
    return format_moment(moment, place.time_zone, place.locale)


def vendor_path(rfq_id: int) -> str:
    """The vendor's page of an RFQ: where it answers, asks, negotiates, and sees how the RFQ ended."""
    return f"/vendor/rfqs/{rfq_id}"


def buyer_path(rfq_id: int) -> str:
    """The buyer's page of an RFQ: where it answers questions, extends, closes and cancels."""
    return f"/rfqs/{rfq_id}"


# Each mail below is the body of an e-mail to the RFQ's vendors; it ends with the sentence that introduces the
# link to the vendor's page of the RFQ (tell_vendors gives it).


def invitation_mail(head: RfqHead, place: Place = ANYWHERE) -> tuple[str, str]:
    return (
        f"Request for quotation: {head.title}",
        f"You are invited to quote on \"{head.title}\" ({head.reference}).\n\n"
        f"Deadline: {deadline_text(head.deadline, place)}\nAnswer here:",
    )


def extension_mail(head: RfqHead, previous: datetime, place: Place = ANYWHERE) -> tuple[str, str]:
    return (
        f"Deadline extended: {head.title}",
        f"The deadline of \"{head.title}\" ({head.reference}) moved from {deadline_text(previous, place)} "
        f"to {deadline_text(head.deadline, place)}.\n\nYour answer:",
    )


def cancel_mail(head: RfqHead, reason: str, place: Place = ANYWHERE) -> tuple[str, str]:
    return (
        f"Cancelled: {head.title}",
        f"The buyer cancelled the request for quotation \"{head.title}\" ({head.reference}).\n\nReason: {reason}\n\n"
        "The RFQ stays in the history of your RFQs:",
    )


def reminder_mail(head: RfqHead, place: Place = ANYWHERE) -> tuple[str, str]:
    return (
        f"Reminder: {head.title} closes {deadline_text(head.deadline, place)}",
        f"Bidding on \"{head.title}\" ({head.reference}) closes at {deadline_text(head.deadline, place)} and you "
        "have not answered yet. Send an offer or decline:",
    )
