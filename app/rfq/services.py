"""Requests for quotation with their queries: drafting, publishing, deadlines, closing, reminders.

Every write is one unit of work (`db.transaction()`); deadlines are judged by the database's
clock (`db_now()`); status changes are conditional updates, so a repeated or concurrent move is
a no-op and never a second notification; e-mails go through the outbox in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from app import db
from app.accounts.roles import CompanyKind, CompanyStatus, Role
from app.accounts.tables import Company, MemberRole
from app.auth import Principal, scope_to_companies
from app.catalog.services import require_visible_product
from app.catalog.tables import Product
from app.clock import as_utc
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.money import MoneyError, from_minor, parse_currency
from app.notifications.services import queue_email
from app.offers.tables import Offer, OfferStatus
from app.rfq import access, attachments, rules
from app.rfq.access import BUYER_ROLES, RfqHead, buyer_actor
from app.rfq.schemas import (
    AuctionSettingsIn,
    AuctionSettingsOut,
    InvitationOut,
    RfqIn,
    RfqLineIn,
    RfqLineOut,
    RfqOut,
    RfqPage,
    RfqPatch,
    RfqSummaryOut,
    RfqVendorOut,
    VendorChoice,
)
from app.rfq.states import (
    Actor,
    BiddingMode,
    PaymentTerms,
    RfqStatus,
    TransitionError,
    Visibility,
    check_transition,
    editable,
)
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from app.settings import get_settings

VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.VENDOR_SALES})
MAX_PER_PAGE = 100


# --- who acts -----------------------------------------------------------------------------------


def _check(current: RfqStatus, target: RfqStatus, actor: Actor) -> None:
    try:
        check_transition(current, target, actor)
    except TransitionError as exc:
        raise Conflict(str(exc)) from None


def _invalid(exc: Exception) -> InvalidInput:
    return InvalidInput(str(exc))


# --- parsing a draft ----------------------------------------------------------------------------


def _enum(kind: type, raw: str, what: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"{what} must be one of {', '.join(v.value for v in kind)}") from None


def _auction(mode: BiddingMode, settings: AuctionSettingsIn | None) -> rules.AuctionDraft:
    settings = settings or AuctionSettingsIn()
    try:
        return rules.check_auction(
            mode,
            min_decrement=settings.min_decrement,
            show_best_price=settings.show_best_price,
            anti_snipe_minutes=settings.anti_snipe_minutes,
            max_extension_minutes=settings.max_extension_minutes,
        )
    except rules.RuleError as exc:
        raise _invalid(exc) from None


async def _lines(buyer_id: int, lines: list[RfqLineIn]) -> list[rules.LineDraft]:
    """Checked lines; a catalog product the buyer's segment may not see is refused (400)."""
    try:
        rules.check_line_count(len(lines))
    except rules.RuleError as exc:
        raise _invalid(exc) from None
    product_ids = sorted({line.product_id for line in lines if line.product_id is not None})
    names: dict[int, str] = {}
    if product_ids:
        names = {
            row["id"]: row["name"]
            for row in await Product.select(Product.id, Product.name).where(Product.id.is_in(product_ids))
        }
    for product_id in product_ids:  # one query per distinct product: a bounded list (MAX_LINES)
        try:
            if product_id not in names:
                raise NotFound("No such product.")
            await require_visible_product(buyer_id, product_id)
        except NotFound:
            raise InvalidInput(
                f"product_id {product_id} is not a catalog product your company can buy; "
                "choose another or describe the item as free text"
            ) from None
    drafts = []
    for position, line in enumerate(lines, start=1):
        try:
            drafts.append(
                rules.check_line(
                    position, product_id=line.product_id, description=line.description, quantity=line.quantity,
                    unit=line.unit, target_price=line.target_price, notes=line.notes,
                    product_name=names.get(line.product_id) if line.product_id else None,
                )
            )
        except rules.RuleError as exc:
            raise _invalid(exc) from None
    return drafts


async def _invitable_vendors(buyer_id: int, vendor_ids: Iterable[int]) -> list[int]:
    """The ids if each is an active vendor company the buyer's segment may see; else 400 naming the others (in one
    message, so it tells nobody which of them exist)."""
    wanted = sorted(set(vendor_ids))
    if not wanted:
        return []
    found = {
        row["id"]
        for row in await Company.select(Company.id).where(
            Company.id.is_in(wanted)
            & (Company.kind == CompanyKind.VENDOR.value)
            & (Company.status == CompanyStatus.ACTIVE.value)
        )
    }
    hidden = set(await access.vendors_hidden_from(buyer_id, sorted(found)))
    refused = [vendor_id for vendor_id in wanted if vendor_id not in found or vendor_id in hidden]
    if refused:
        raise InvalidInput(f"vendor_ids {refused} are not active vendor companies your company can invite")
    return wanted


def _text_fields(data: RfqIn | RfqPatch) -> dict[Any, Any]:
    values: dict[Any, Any] = {}
    if data.title is not msgspec.UNSET:
        title = data.title.strip()
        if not title:
            raise InvalidInput("title must not be blank")
        values[Rfq.title] = title
    if data.currency is not msgspec.UNSET:
        try:
            values[Rfq.currency] = parse_currency(data.currency)
        except MoneyError as exc:
            raise _invalid(exc) from None
    for field, column in (("description", Rfq.description), ("delivery_address", Rfq.delivery_address)):
        value = getattr(data, field)
        if value is not msgspec.UNSET:
            values[column] = value.strip()
    if data.delivery_date is not msgspec.UNSET:
        values[Rfq.delivery_date] = data.delivery_date
    if data.payment_terms is not msgspec.UNSET:
        values[Rfq.payment_terms] = _enum(PaymentTerms, data.payment_terms, "payment_terms").value
    if data.visibility is not msgspec.UNSET:
        values[Rfq.visibility] = _enum(Visibility, data.visibility, "visibility").value
    return values


def _auction_values(draft: rules.AuctionDraft, mode: BiddingMode) -> dict[Any, Any]:
    return {
        Rfq.bidding_mode: mode.value,
        Rfq.min_decrement: draft.min_decrement,
        Rfq.show_best_price: draft.show_best_price,
        Rfq.anti_snipe_minutes: draft.anti_snipe_minutes,
        Rfq.max_extension_minutes: draft.max_extension_minutes,
    }


async def _check_deadline(deadline: datetime) -> datetime:
    try:
        rules.check_deadline(deadline, await db.db_now())
    except rules.RuleError as exc:
        raise _invalid(exc) from None
    return as_utc(deadline)


async def _save_lines(rfq_id: int, drafts: list[rules.LineDraft]) -> None:
    if drafts:
        await RfqLine.insert(
            *[
                RfqLine(
                    rfq=rfq_id, position=d.position, product=d.product_id, description=d.description,
                    quantity=d.quantity, unit=d.unit, target_price=d.target_price, notes=d.notes,
                )
                for d in drafts
            ]
        )


# --- drafting -----------------------------------------------------------------------------------


async def create_rfq(principal: Principal, data: RfqIn) -> RfqOut:
    """A new draft RFQ of the caller's company, with its lines and invited vendors."""
    if principal.company_kind is not CompanyKind.BUYER or not principal.has_any_role(BUYER_ROLES):
        raise Forbidden("Only a purchaser, buyer_admin or approver of a buyer company can request quotations.")
    values = _text_fields(data)
    mode = _enum(BiddingMode, data.bidding_mode, "bidding_mode")
    values.update(_auction_values(_auction(mode, data.auction), mode))
    drafts = await _lines(principal.company_id, data.lines)
    vendor_ids = await _invitable_vendors(principal.company_id, data.vendor_ids)
    deadline = await _check_deadline(data.deadline)
    async with db.transaction():
        now = await db.db_now()
        rfq = Rfq(buyer=principal.company_id, author=principal.user_id, deadline=deadline, created_at=now,
                  status=RfqStatus.DRAFT.value)
        for column, value in values.items():
            setattr(rfq, column._meta.name, value)
        await rfq.save()
        await _save_lines(rfq.id, drafts)
        await _invite(rfq.id, vendor_ids, now)
    return await _buyer_view(rfq.id)


async def update_rfq(principal: Principal, rfq_id: int, data: RfqPatch) -> RfqOut:
    """Change a draft; once published, lines and currency (and everything but the deadline) are fixed."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    values = _text_fields(data)
    if data.bidding_mode is not msgspec.UNSET or data.auction is not msgspec.UNSET:
        mode = _enum(BiddingMode, data.bidding_mode, "bidding_mode") if data.bidding_mode is not msgspec.UNSET \
            else head.bidding_mode
        values.update(_auction_values(_auction(mode, data.auction or None), mode))
    drafts = await _lines(head.buyer_id, data.lines) if data.lines is not msgspec.UNSET else None
    if data.deadline is not msgspec.UNSET:
        values[Rfq.deadline] = await _check_deadline(data.deadline)
    async with db.transaction():
        current = await _status(rfq_id)
        if not editable(current):
            raise Conflict(
                f"This RFQ is {current}: only a draft can be changed. A published RFQ's lines and currency are "
                "fixed; its deadline can be extended (POST /api/v1/rfqs/{id}/extend)."
            )
        if values:
            await Rfq.update(values).where((Rfq.id == rfq_id) & (Rfq.status == RfqStatus.DRAFT.value))
        if drafts is not None:
            await RfqLine.delete().where(RfqLine.rfq == rfq_id)
            await _save_lines(rfq_id, drafts)
    return await _buyer_view(rfq_id)


async def _status(rfq_id: int) -> RfqStatus:
    row = await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first()
    if row is None:
        raise NotFound("No such RFQ.")
    return RfqStatus(row["status"])


async def _invite(rfq_id: int, vendor_ids: list[int], now: datetime) -> list[int]:
    """Invite the vendors not invited yet; the newly invited ones."""
    if not vendor_ids:
        return []
    already = {
        row["vendor"]
        for row in await RfqInvitation.select(RfqInvitation.vendor).where(
            (RfqInvitation.rfq == rfq_id) & RfqInvitation.vendor.is_in(vendor_ids)
        )
    }
    new = [vendor_id for vendor_id in vendor_ids if vendor_id not in already]
    if new:
        await RfqInvitation.insert(*[RfqInvitation(rfq=rfq_id, vendor=v, invited_at=now) for v in new])
    return new


async def add_invitations(principal: Principal, rfq_id: int, vendor_ids: list[int]) -> RfqOut:
    """Invite more vendors, in draft or while published; the newly invited are told at once if published."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    wanted = await _invitable_vendors(head.buyer_id, vendor_ids)
    async with db.transaction():
        current = await _status(rfq_id)
        if current not in (RfqStatus.DRAFT, RfqStatus.PUBLISHED):
            raise Conflict(f"Vendors can only be invited to a draft or published RFQ; this one is {current}.")
        new = await _invite(rfq_id, wanted, await db.db_now())
        if current is RfqStatus.PUBLISHED and new:
            await _tell_vendors(new, head, _invitation_mail)
    return await _buyer_view(rfq_id)


# --- transitions --------------------------------------------------------------------------------


async def publish(principal: Principal, rfq_id: int) -> RfqOut:
    """Publish a draft: at least one line, and for invited RFQs at least one invited vendor, who are told."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    actor = buyer_actor(principal, head)
    async with db.transaction():
        head = await access.rfq_for_buyer(principal, rfq_id)  # fresh, under the write lock on SQLite
        _check(head.status, RfqStatus.PUBLISHED, actor)
        if not await RfqLine.exists().where(RfqLine.rfq == rfq_id):
            raise Conflict("This RFQ cannot be published: add at least one line first.")
        invited = await _invited_vendor_ids(rfq_id)
        if head.visibility is Visibility.INVITED and not invited:
            raise Conflict("This RFQ cannot be published: invite at least one vendor, or make it open.")
        now = await db.db_now()
        if head.deadline <= now:
            raise Conflict("This RFQ cannot be published: its deadline has passed. Set a later deadline first.")
        await _still_visible(head, invited)
        moved = await Rfq.update({Rfq.status: RfqStatus.PUBLISHED.value, Rfq.published_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.DRAFT.value)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become published: it changed at the same moment. Reload it.")
        audience = set(invited)
        if head.visibility is Visibility.OPEN:
            audience |= await access.eligible_vendor_ids(rfq_id)
        await _tell_vendors(sorted(audience), head, _invitation_mail)
        await schedule_close(rfq_id, head.deadline, now)
    return await _buyer_view(rfq_id)


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
    requested = as_utc(deadline)
    async with db.transaction():
        head = await access.rfq_for_buyer(principal, rfq_id)
        if head.status is not RfqStatus.PUBLISHED:
            hint = " Change a draft's deadline with PATCH." if head.status is RfqStatus.DRAFT else ""
            raise Conflict(f"Only a published RFQ's deadline can be extended; this one is {head.status}.{hint}")
        now = await db.db_now()
        try:
            rules.check_extension(head.deadline, requested, now)
        except rules.RuleError as exc:
            raise Conflict(f"The deadline cannot move: {exc}.") from None
        moved = await Rfq.update({Rfq.deadline: requested}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline < requested)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("The deadline cannot move: the RFQ changed at the same moment. Reload it.")
        await deadline_moved(dataclasses.replace(head, deadline=requested), head.deadline, now)
    return await _buyer_view(rfq_id)


async def deadline_moved(head: RfqHead, previous: datetime, now: datetime) -> None:
    """In the transaction that moved a published RFQ's deadline later (the buyer's extension or an auction's
    anti-sniping): every vendor it is meant for is told, the closing message is sent for the new deadline, and
    the 24-hour reminder goes out again when the new deadline is more than a day away."""
    await _tell_vendors(await audience_of(head), head, lambda h: _extension_mail(h, previous))
    await schedule_close(head.id, head.deadline, now)
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
        current = await _status(rfq_id)
        _check(current, RfqStatus.CLOSED, actor)
        now = await db.db_now()
        moved = await Rfq.update({Rfq.status: RfqStatus.CLOSED.value, Rfq.closed_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become closed: it changed at the same moment. Reload it.")
        await _tell_buyer_closed(head)
    return await _buyer_view(rfq_id)


async def cancel(principal: Principal, rfq_id: int, reason: str) -> RfqOut:
    """Cancel with a reason; vendors it was published to are told (without anyone's price or name)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason must say why the RFQ is cancelled; the vendors will read it")
    head = await access.rfq_for_buyer(principal, rfq_id)
    actor = buyer_actor(principal, head)
    async with db.transaction():
        current = await _status(rfq_id)
        _check(current, RfqStatus.CANCELLED, actor)
        now = await db.db_now()
        moved = await Rfq.update(
            {Rfq.status: RfqStatus.CANCELLED.value, Rfq.cancelled_at: now, Rfq.cancel_reason: reason}
        ).where((Rfq.id == rfq_id) & (Rfq.status == current.value)).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become cancelled: it changed at the same moment. Reload it.")
        if current is not RfqStatus.DRAFT:
            await _tell_vendors(await audience_of(head), head, lambda h: _cancel_mail(h, reason))
    return await _buyer_view(rfq_id)


async def close_if_due(rfq_id: int) -> bool:
    """Close a published RFQ whose deadline has passed (by the database's clock). True when this call closed it;
    a second call, a duplicate message or an early one is a no-op and sends nothing."""
    async with db.transaction():
        now = await db.db_now()
        moved = await Rfq.update({Rfq.status: RfqStatus.CLOSED.value, Rfq.closed_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline <= now)
        ).returning(Rfq.id)
        if not moved:
            return False
        check_transition(RfqStatus.PUBLISHED, RfqStatus.CLOSED, Actor.SYSTEM)
        head = await access.rfq_head(rfq_id)
        assert head is not None
        await _tell_buyer_closed(head)
    return True


async def sweep() -> dict[str, int]:
    """What a lost or far-off message would miss: close overdue RFQs, schedule closing messages for deadlines
    that came within the broker's range, remind unanswered vendors a day before the deadline."""
    now = await db.db_now()
    due = [
        row["id"]
        for row in await Rfq.select(Rfq.id).where(
            (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline <= now)
        )
    ]
    closed = sum([await close_if_due(rfq_id) for rfq_id in due])
    scheduled = await _schedule_due_messages(now)
    reminded = await send_reminders()
    return {"closed": closed, "scheduled": scheduled, "reminded": reminded}


async def _schedule_due_messages(now: datetime) -> int:
    horizon = now + rules.MAX_MESSAGE_DELAY
    rows = await Rfq.select(Rfq.id, Rfq.deadline, Rfq.close_scheduled_for).where(
        (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline > now) & (Rfq.deadline < horizon)
    )
    pending = [row for row in rows if row["close_scheduled_for"] != row["deadline"]]
    for row in pending:
        async with db.transaction():
            await schedule_close(row["id"], row["deadline"], now)
    return len(pending)


async def schedule_close(rfq_id: int, deadline: datetime, now: datetime) -> None:
    """Send the delayed closing message after commit, when the deadline is within the broker's range."""
    delay = rules.close_delay(deadline, now)
    if delay is None:
        return
    await Rfq.update({Rfq.close_scheduled_for: deadline}).where(Rfq.id == rfq_id)

    def send() -> None:
        from app.rfq.tasks import close_rfq_at_deadline

        close_rfq_at_deadline.send_with_options(args=(rfq_id,), delay=int(delay.total_seconds() * 1000))

    db.after_commit(send)


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
    addresses = await addresses_of([row["vendor"] for row in todo], VENDOR_ROLES)
    sent = 0
    async with db.transaction():
        for row in todo:
            claimed = await RfqInvitation.update({RfqInvitation.reminded_at: now}).where(
                (RfqInvitation.id == row["id"]) & RfqInvitation.reminded_at.is_null()
            ).returning(RfqInvitation.id)
            head = heads[row["rfq"]]
            if not claimed or head is None:
                continue
            subject, body = _reminder_mail(head)
            for address in addresses.get(row["vendor"], []):
                await queue_email(to=address, subject=subject, body=body)
            sent += 1
    return sent


# --- reading ------------------------------------------------------------------------------------


async def get_rfq(principal: Principal, rfq_id: int) -> RfqOut | RfqVendorOut:
    """The buyer's view for its company (and operators), the vendor's view for a vendor it is meant for."""
    if principal.company_kind is CompanyKind.VENDOR:
        head = await access.rfq_for_vendor(principal, rfq_id)
        return await _vendor_view(head, principal.company_id)
    await access.rfq_for_buyer(principal, rfq_id)
    return await _buyer_view(rfq_id)


async def list_rfqs(principal: Principal, status: str | None, page: int, per_page: int) -> RfqPage:
    """Each role its own: buyers their companies' RFQs, vendors the published ones meant for them, operators all."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    wanted = _enum(RfqStatus, status, "status") if status else None
    query = Rfq.select(
        Rfq.id, Rfq.title, Rfq.buyer, Rfq.buyer.name, Rfq.status, Rfq.deadline, Rfq.currency, Rfq.visibility,
        Rfq.bidding_mode,
    )
    count = Rfq.count()
    if principal.company_kind is CompanyKind.VENDOR:
        # The rule as SQL: the database filters and pages, no list of every RFQ meant for the vendor first.
        meant_for = access.meant_for_vendor(principal.company_id)
        query, count = query.where(meant_for), count.where(meant_for)
    else:
        query, count = scope_to_companies(query, Rfq.buyer, principal), scope_to_companies(count, Rfq.buyer, principal)
    if wanted is not None:
        query, count = query.where(Rfq.status == wanted.value), count.where(Rfq.status == wanted.value)
    rows = await query.order_by(Rfq.deadline, ascending=False).order_by(Rfq.id, ascending=False).limit(
        per_page
    ).offset((page - 1) * per_page)
    items = [
        RfqSummaryOut(
            id=row["id"], title=row["title"], buyer_id=row["buyer"], buyer_name=row["buyer.name"],
            status=row["status"], deadline=row["deadline"], currency=row["currency"], visibility=row["visibility"],
            bidding_mode=row["bidding_mode"],
        )
        for row in rows
    ]
    return RfqPage(items=items, total=await count, page=page, per_page=per_page)


async def vendor_choices(buyer_id: int) -> list[VendorChoice]:
    """Active vendor companies the buyer company may invite (those its segment may see)."""
    rows = await Company.select(Company.id, Company.name).where(
        (Company.kind == CompanyKind.VENDOR.value) & (Company.status == CompanyStatus.ACTIVE.value)
    ).order_by(Company.name)
    hidden = set(await access.vendors_hidden_from(buyer_id, [row["id"] for row in rows]))
    return [VendorChoice(id=row["id"], name=row["name"]) for row in rows if row["id"] not in hidden]


async def _rfq_row(rfq_id: int) -> dict[str, Any]:
    row = await Rfq.select(Rfq.all_columns(), Rfq.buyer.name).where(Rfq.id == rfq_id).first()
    if row is None:
        raise NotFound("No such RFQ.")
    return row


async def _line_outs(rfq_id: int) -> list[RfqLineOut]:
    rows = await RfqLine.select().where(RfqLine.rfq == rfq_id).order_by(RfqLine.position)
    return [
        RfqLineOut(
            id=row["id"], position=row["position"], product_id=row["product"], description=row["description"],
            quantity=row["quantity"], unit=row["unit"], target_price=from_minor(row["target_price"]),
            notes=row["notes"],
        )
        for row in rows
    ]


def _auction_out(row: dict[str, Any]) -> AuctionSettingsOut | None:
    if row["bidding_mode"] != BiddingMode.AUCTION.value:
        return None
    return AuctionSettingsOut(
        min_decrement=from_minor(row["min_decrement"]), show_best_price=row["show_best_price"],
        anti_snipe_minutes=row["anti_snipe_minutes"], max_extension_minutes=row["max_extension_minutes"],
    )


async def _buyer_view(rfq_id: int) -> RfqOut:
    row = await _rfq_row(rfq_id)
    invitations = await RfqInvitation.select(
        RfqInvitation.vendor, RfqInvitation.vendor.name, RfqInvitation.invited_at, RfqInvitation.declined_at,
        RfqInvitation.decline_reason,
    ).where(RfqInvitation.rfq == rfq_id).order_by(RfqInvitation.vendor.name)
    answered = {
        r["vendor"]
        for r in await Offer.select(Offer.vendor).where(
            (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
        )
    }
    return RfqOut(
        id=row["id"], title=row["title"], description=row["description"], buyer_id=row["buyer"],
        buyer_name=row["buyer.name"], currency=row["currency"], delivery_address=row["delivery_address"],
        delivery_date=row["delivery_date"], payment_terms=row["payment_terms"], deadline=row["deadline"],
        visibility=row["visibility"], bidding_mode=row["bidding_mode"], auction=_auction_out(row),
        status=row["status"], created_at=row["created_at"], published_at=row["published_at"],
        closed_at=row["closed_at"], cancelled_at=row["cancelled_at"], cancel_reason=row["cancel_reason"],
        lines=await _line_outs(rfq_id),
        attachments=await attachments.list_attachments(rfq_id),
        invitations=[
            InvitationOut(
                vendor_id=i["vendor"], vendor_name=i["vendor.name"], invited_at=i["invited_at"],
                answered=i["vendor"] in answered, declined=i["declined_at"] is not None,
                decline_reason=i["decline_reason"],
            )
            for i in invitations
        ],
        answered_count=len(answered),
        invited_count=len(invitations),
    )


async def _vendor_view(head: RfqHead, vendor_id: int) -> RfqVendorOut:
    row = await _rfq_row(head.id)
    mine = await RfqInvitation.select(RfqInvitation.declined_at).where(
        (RfqInvitation.rfq == head.id) & (RfqInvitation.vendor == vendor_id)
    ).first()
    return RfqVendorOut(
        id=row["id"], title=row["title"], description=row["description"], buyer_name=row["buyer.name"],
        currency=row["currency"], delivery_address=row["delivery_address"], delivery_date=row["delivery_date"],
        payment_terms=row["payment_terms"], deadline=row["deadline"], visibility=row["visibility"],
        bidding_mode=row["bidding_mode"], auction=_auction_out(row), status=row["status"],
        published_at=row["published_at"], closed_at=row["closed_at"], cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"], lines=await _line_outs(head.id),
        attachments=await attachments.list_attachments(head.id),
        declined=bool(mine and mine["declined_at"] is not None),
    )


# --- notifications ------------------------------------------------------------------------------


async def _invited_vendor_ids(rfq_id: int) -> list[int]:
    return [r["vendor"] for r in await RfqInvitation.select(RfqInvitation.vendor).where(RfqInvitation.rfq == rfq_id)]


async def audience_of(head: RfqHead) -> list[int]:
    """Every vendor an RFQ is meant for: the invited ones, and for open RFQs the eligible ones."""
    audience = set(await _invited_vendor_ids(head.id))
    if head.visibility is Visibility.OPEN:
        audience |= await access.eligible_vendor_ids(head.id)
    return sorted(audience)


async def addresses_of(company_ids: Iterable[int], roles: frozenset[Role]) -> dict[int, list[str]]:
    """The e-mail addresses of the active users of these companies holding one of `roles`, per company."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    rows = await MemberRole.select(
        MemberRole.membership.company, MemberRole.membership.user.email,
    ).where(
        MemberRole.membership.company.is_in(ids)
        & MemberRole.role.is_in(sorted(r.value for r in roles))
        & (MemberRole.membership.user.active.eq(True))
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        emails = found.setdefault(row["membership.company"], [])
        if row["membership.user.email"] not in emails:
            emails.append(row["membership.user.email"])
    return found


async def _tell_vendors(vendor_ids: Iterable[int], head: RfqHead, mail: Any) -> None:
    """One e-mail per vendor user, naming no other vendor and no price."""
    subject, body = mail(head)
    addresses = await addresses_of(vendor_ids, VENDOR_ROLES)
    for vendor_id in sorted(addresses):
        for address in addresses[vendor_id]:
            await queue_email(to=address, subject=subject, body=body)


async def buyer_recipients(head: RfqHead) -> list[str]:
    """The RFQ's author and its company's buyer_admins."""
    row = await Rfq.select(Rfq.author.email).where(Rfq.id == head.id).first()
    recipients = list((await addresses_of([head.buyer_id], frozenset({Role.BUYER_ADMIN}))).get(head.buyer_id, []))
    if row and row["author.email"] and row["author.email"] not in recipients:
        recipients.insert(0, row["author.email"])
    return recipients


async def _tell_buyer_closed(head: RfqHead) -> None:
    """The RFQ's author and its company's buyer_admins hear that bidding is over."""
    recipients = await buyer_recipients(head)
    link = f"{get_settings().base_url}/rfqs/{head.id}"
    subject = f"Bidding closed: {head.title}"
    body = (
        f"Bidding on your request for quotation \"{head.title}\" (RFQ {head.id}) is closed.\n\n"
        f"Compare the offers and award: {link}/comparison\n"
    )
    for address in recipients:
        await queue_email(to=address, subject=subject, body=body)


def _deadline_text(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _vendor_link(head: RfqHead) -> str:
    return f"{get_settings().base_url}/vendor/rfqs/{head.id}"


def _invitation_mail(head: RfqHead) -> tuple[str, str]:
    return (
        f"Request for quotation: {head.title}",
        f"You are invited to quote on \"{head.title}\" (RFQ {head.id}).\n\n"
        f"Deadline: {_deadline_text(head.deadline)}\nAnswer here: {_vendor_link(head)}\n",
    )


def _extension_mail(head: RfqHead, previous: datetime) -> tuple[str, str]:
    return (
        f"Deadline extended: {head.title}",
        f"The deadline of \"{head.title}\" (RFQ {head.id}) moved from {_deadline_text(previous)} "
        f"to {_deadline_text(head.deadline)}.\n\n{_vendor_link(head)}\n",
    )


def _cancel_mail(head: RfqHead, reason: str) -> tuple[str, str]:
    return (
        f"Cancelled: {head.title}",
        f"The buyer cancelled the request for quotation \"{head.title}\" (RFQ {head.id}).\n\nReason: {reason}\n",
    )


def _reminder_mail(head: RfqHead) -> tuple[str, str]:
    return (
        f"Reminder: {head.title} closes {_deadline_text(head.deadline)}",
        f"Bidding on \"{head.title}\" (RFQ {head.id}) closes at {_deadline_text(head.deadline)} and you have not "
        f"answered yet. Send an offer or decline: {_vendor_link(head)}\n",
    )
