"""An RFQ's moves after drafting: publish, extend, close (by the buyer or at the deadline), cancel, award's
status change; the sweep that re-derives from the database what a lost message missed; reminders."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from app import db
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.services import require_visible_product
from app.clock import as_utc
from app.errors import Conflict, InvalidInput, NotFound
from app.rfq import access, drafting, mail, rules, tasks, views
from app.rfq.access import RfqHead, buyer_actor
from app.rfq.schemas import (
    RfqOut,
)
from app.rfq.states import (
    Actor,
    RfqStatus,
    TransitionError,
    Visibility,
    check_transition,
)
from app.rfq.tables import Rfq, RfqInvitation, RfqLine


def check_move(current: RfqStatus, target: RfqStatus, actor: Actor) -> None:
    try:
        check_transition(current, target, actor)
    except TransitionError as exc:
        raise Conflict(str(exc)) from None


async def publish(principal: Principal, rfq_id: int) -> RfqOut:
    """Publish a draft that has what `rules.publish_gaps` asks (lines, vendors or open, a future deadline); the
    vendors it is meant for are told."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    actor = buyer_actor(principal, head)
    async with db.transaction():
        head = await access.rfq_for_buyer(principal, rfq_id)  # fresh, under the write lock on SQLite
        check_move(head.status, RfqStatus.PUBLISHED, actor)
        invited = await mail.invited_vendor_ids(rfq_id)
        now = await db.db_now()
        gaps = rules.publish_gaps(
            line_count=await RfqLine.count().where(RfqLine.rfq == rfq_id), visibility=head.visibility,
            invited_count=len(invited), deadline=head.deadline, now=now,
        )
        if gaps:
            raise Conflict(f"This RFQ cannot be published: {'; '.join(gaps)}.")
        await _still_visible(head, invited)
        moved = await Rfq.update({Rfq.status: RfqStatus.PUBLISHED.value, Rfq.published_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.DRAFT.value)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become published: it changed at the same moment. Reload it.")
        audience = set(invited)
        if head.visibility is Visibility.OPEN:
            audience |= await access.eligible_vendor_ids(rfq_id)
        await mail.tell_vendors(sorted(audience), head, mail.invitation_mail)
        await tasks.schedule_close(rfq_id, head.deadline, now)
    return await views.buyer_view(rfq_id)


async def _still_visible(head: RfqHead, invited: list[int]) -> None:
    """409 naming what to fix unless the buyer's segment may still see every line's product and every invited
    vendor: the rules may have changed since the draft was written."""
    lines = await RfqLine.select(RfqLine.position, RfqLine.product).where(
        (RfqLine.rfq == head.id) & RfqLine.product.is_not_null()
    ).order_by(RfqLine.position)
    hidden_products: set[int] = set()
    for product_id in sorted({line["product"] for line in lines}):  # one query each: a bounded list (MAX_LINES)
        try:
            await require_visible_product(head.buyer_id, product_id)
        except NotFound:
            hidden_products.add(product_id)
    problems = [
        f"line {line['position']} (product_id {line['product']}) is no longer a catalog product your company can "
        "buy: replace its product or describe the item as free text"
        for line in lines if line["product"] in hidden_products
    ]
    hidden_vendors = await access.vendors_hidden_from(head.buyer_id, invited)
    if hidden_vendors:
        names = {row["id"]: row["name"] for row in await Company.select(Company.id, Company.name).where(
            Company.id.is_in(hidden_vendors))}
        problems.append(
            "your company can no longer invite "
            + ", ".join(f"vendor {vendor_id} ({names.get(vendor_id, '')})" for vendor_id in hidden_vendors)
            + ": cancel this draft and draft it again without them"
        )
    if problems:
        raise Conflict(f"This RFQ cannot be published: {'; '.join(problems)}.")


async def extend(principal: Principal, rfq_id: int, deadline: datetime) -> RfqOut:
    """Move a published RFQ's deadline later (never earlier); every vendor it is meant for is told."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    async with db.transaction():
        head = await access.rfq_for_buyer(principal, rfq_id)
        if head.status is not RfqStatus.PUBLISHED:
            hint = " Change a draft's deadline with PATCH." if head.status is RfqStatus.DRAFT else ""
            raise Conflict(f"Only a published RFQ's deadline can be extended; this one is {head.status}.{hint}")
        now = await db.db_now()
        try:
            rules.check_deadline_horizon(deadline, now, principal.place)  # a bad value (400)
        except rules.RuleError as exc:
            raise InvalidInput(str(exc)) from None
        try:
            rules.check_extension(head.deadline, deadline, now, principal.place)
        except rules.RuleError as exc:
            raise Conflict(f"The deadline cannot move: {exc}.") from None
        requested = as_utc(deadline)  # within two years of now and after the current deadline: convertible
        moved = await Rfq.update({Rfq.deadline: requested}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline < requested)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("The deadline cannot move: the RFQ changed at the same moment. Reload it.")
        await deadline_moved(dataclasses.replace(head, deadline=requested), head.deadline, now)
    return await views.buyer_view(rfq_id)


async def deadline_moved(head: RfqHead, previous: datetime, now: datetime) -> None:
    """In the transaction that moved a published RFQ's deadline later (the buyer's extension or an auction's
    anti-sniping): every vendor it is meant for is told, the closing message is sent for the new deadline, and
    the 24-hour reminder goes out again when the new deadline is more than a day away."""
    await mail.tell_vendors(await mail.audience_of(head), head,
                            lambda h, place: mail.extension_mail(h, previous, place))
    await tasks.schedule_close(head.id, head.deadline, now)
    if head.deadline > now + rules.REMIND_BEFORE:
        # A reminder sent for the old deadline said "closes within a day": no longer true, remind again.
        await RfqInvitation.update({RfqInvitation.reminded_at: None}).where(
            (RfqInvitation.rfq == head.id) & RfqInvitation.reminded_at.is_not_null()
        )


async def close(principal: Principal, rfq_id: int) -> RfqOut:
    """The buyer ends bidding early; the buyer's people are told, as at the deadline."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    actor = buyer_actor(principal, head)
    async with db.transaction():
        current = await drafting.status_of(rfq_id)
        check_move(current, RfqStatus.CLOSED, actor)
        now = await db.db_now()
        moved = await Rfq.update({Rfq.status: RfqStatus.CLOSED.value, Rfq.closed_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become closed: it changed at the same moment. Reload it.")
        await mail.tell_buyer_closed(head)
    return await views.buyer_view(rfq_id)


async def check_cancellable(principal: Principal, rfq_id: int) -> None:
    """What `cancel` checks before it writes (who, and the RFQ's state): the confirmation page asks only when
    cancelling can happen, and refuses as cancelling would."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    check_move(head.status, RfqStatus.CANCELLED, buyer_actor(principal, head))


async def cancel(principal: Principal, rfq_id: int, reason: str) -> RfqOut:
    """Cancel with a reason; vendors it was published to are told (without anyone's price or name)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason must say why the RFQ is cancelled; the vendors will read it")
    head = await access.rfq_for_buyer(principal, rfq_id)
    actor = buyer_actor(principal, head)
    async with db.transaction():
        current = await drafting.status_of(rfq_id)
        check_move(current, RfqStatus.CANCELLED, actor)
        now = await db.db_now()
        moved = await Rfq.update(
            {Rfq.status: RfqStatus.CANCELLED.value, Rfq.cancelled_at: now, Rfq.cancel_reason: reason}
        ).where((Rfq.id == rfq_id) & (Rfq.status == current.value)).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become cancelled: it changed at the same moment. Reload it.")
        if current is not RfqStatus.DRAFT:
            await mail.tell_vendors(await mail.audience_of(head), head,
                                    lambda h, place: mail.cancel_mail(h, reason, place))
    return await views.buyer_view(rfq_id)




async def award(rfq_id: int, current: RfqStatus, now: datetime) -> None:
    """closed → awarded, in the award's transaction (the RFQ row locked by the caller): 409 unless the move is
    allowed, and again if another award took it first (the conditional update)."""
    check_move(current, RfqStatus.AWARDED, Actor.AWARDER)
    moved = await Rfq.update({Rfq.status: RfqStatus.AWARDED.value, Rfq.awarded_at: now}).where(
        (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.CLOSED.value)
    ).returning(Rfq.id)
    if not moved:
        raise Conflict("This RFQ cannot become awarded: it has been awarded already.")
