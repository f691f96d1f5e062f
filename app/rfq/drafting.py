"""Drafting an RFQ: its fields, lines, auction settings and invited vendors, checked and saved while it is a draft."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from app import db
from app.accounts.roles import BUYER_ROLES, CompanyKind, CompanyStatus
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.services import require_visible_product
from app.catalog.tables import Product
from app.clock import as_utc
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.locales import Place
from app.money import MoneyError, parse_currency
from app.numbering import next_in_year
from app.rfq import access, cost_centers, mail, rules, views
from app.rfq.access import buyer_actor
from app.rfq.schemas import (
    AuctionSettingsIn,
    RfqIn,
    RfqLineIn,
    RfqOut,
    RfqPatch,
)
from app.rfq.states import (
    BiddingMode,
    PaymentTerms,
    RfqStatus,
    Visibility,
    editable,
)
from app.rfq.tables import Rfq, RfqInvitation, RfqLine, RfqNumberCounter


def invalid(exc: Exception) -> InvalidInput:
    return InvalidInput(str(exc))


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
        raise invalid(exc) from None


async def unbuyable_products(buyer_id: int, product_ids: Iterable[int]) -> set[int]:
    """The products among `product_ids` that are no catalog product the buyer company may see (unknown and hidden
    alike); one query per distinct product: a bounded list (MAX_LINES)."""
    unbuyable = set()
    for product_id in sorted(set(product_ids)):
        try:
            await require_visible_product(buyer_id, product_id)
        except NotFound:
            unbuyable.add(product_id)
    return unbuyable


async def _lines(buyer_id: int, lines: list[RfqLineIn]) -> list[rules.LineDraft]:
    """Checked lines; a catalog product the buyer's segment may not see is refused (400)."""
    try:
        rules.check_line_count(len(lines))
    except rules.RuleError as exc:
        raise invalid(exc) from None
    product_ids = sorted({line.product_id for line in lines if line.product_id is not None})
    names: dict[int, str] = {}
    if product_ids:
        names = {
            row["id"]: row["name"]
            for row in await Product.select(Product.id, Product.name).where(Product.id.is_in(product_ids))
        }
    for product_id in sorted(await unbuyable_products(buyer_id, product_ids)):
        raise InvalidInput(
            f"product_id {product_id} is not a catalog product your company can buy; "
            "choose another or describe the item as free text"
        )
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
            raise invalid(exc) from None
    return drafts


async def uninvitable_vendors(buyer_id: int, vendor_ids: Iterable[int]) -> list[int]:
    """The vendors among `vendor_ids` that are no active vendor company the buyer's segment may see (unknown and
    hidden alike, so the answer tells nobody which exist)."""
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
    return [vendor_id for vendor_id in wanted if vendor_id not in found or vendor_id in hidden]


async def _invitable_vendors(buyer_id: int, vendor_ids: Iterable[int]) -> list[int]:
    """The ids if each is an active vendor company the buyer's segment may see; else 400 naming the others (in one
    message, so it tells nobody which of them exist)."""
    wanted = sorted(set(vendor_ids))
    refused = await uninvitable_vendors(buyer_id, wanted)
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
            raise invalid(exc) from None
    for field, column in (("description", Rfq.description), ("delivery_address", Rfq.delivery_address)):
        value = getattr(data, field)
        if value is not msgspec.UNSET:
            values[column] = value.strip()
    if data.delivery_date is not msgspec.UNSET:
        values[Rfq.delivery_date] = data.delivery_date
    if data.payment_terms is not msgspec.UNSET:
        values[Rfq.payment_terms] = views.choice(PaymentTerms, data.payment_terms, "payment_terms").value
    if data.visibility is not msgspec.UNSET:
        values[Rfq.visibility] = views.choice(Visibility, data.visibility, "visibility").value
    return values


def _auction_values(draft: rules.AuctionDraft, mode: BiddingMode) -> dict[Any, Any]:
    return {
        Rfq.bidding_mode: mode.value,
        Rfq.min_decrement: draft.min_decrement,
        Rfq.show_best_price: draft.show_best_price,
        Rfq.anti_snipe_minutes: draft.anti_snipe_minutes,
        Rfq.max_extension_minutes: draft.max_extension_minutes,
    }


async def _check_deadline(deadline: datetime, place: Place) -> datetime:
    now = await db.db_now()
    try:
        rules.check_deadline_horizon(deadline, now, place)  # first: a moment past the calendar cannot be converted
        rules.check_deadline(deadline, now)
    except rules.RuleError as exc:
        raise invalid(exc) from None
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


async def create_rfq(principal: Principal, data: RfqIn) -> RfqOut:
    """A new draft RFQ of the caller's company, with its lines and invited vendors."""
    if principal.company_kind is not CompanyKind.BUYER or not principal.has_any_role(BUYER_ROLES):
        raise Forbidden("Only a purchaser, buyer_admin or approver of a buyer company can request quotations.")
    values = _text_fields(data)
    mode = views.choice(BiddingMode, data.bidding_mode, "bidding_mode")
    values.update(_auction_values(_auction(mode, data.auction), mode))
    drafts = await _lines(principal.company_id, data.lines)
    vendor_ids = await _invitable_vendors(principal.company_id, data.vendor_ids)
    deadline = await _check_deadline(data.deadline, principal.place)
    cost_center_id = (await cost_centers.check(principal.company_id, data.cost_center_id)
                      if data.cost_center_id is not None
                      else await cost_centers.default_for(principal.user_id, principal.company_id))
    async with db.transaction():
        now = await db.db_now()
        number = rules.format_number(now.year, await next_in_year(RfqNumberCounter, now.year))
        rfq = Rfq(buyer=principal.company_id, author=principal.user_id, deadline=deadline, created_at=now,
                  status=RfqStatus.DRAFT.value, number=number)
        for column, value in values.items():
            setattr(rfq, column._meta.name, value)
        await rfq.save()
        await _save_lines(rfq.id, drafts)
        await _invite(rfq.id, vendor_ids, now)
        await cost_centers.save(rfq.id, cost_center_id)
    return await views.buyer_view(rfq.id)


async def update_rfq(principal: Principal, rfq_id: int, data: RfqPatch) -> RfqOut:
    """Change a draft; once published, lines and currency (and everything but the deadline) are fixed."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    values = _text_fields(data)
    if data.bidding_mode is not msgspec.UNSET or data.auction is not msgspec.UNSET:
        mode = views.choice(BiddingMode, data.bidding_mode, "bidding_mode") if data.bidding_mode is not msgspec.UNSET \
            else head.bidding_mode
        values.update(_auction_values(_auction(mode, data.auction or None), mode))
    drafts = await _lines(head.buyer_id, data.lines) if data.lines is not msgspec.UNSET else None
    if data.deadline is not msgspec.UNSET:
        values[Rfq.deadline] = await _check_deadline(data.deadline, principal.place)
    vendor_ids = (await _invitable_vendors(head.buyer_id, data.vendor_ids)
                  if data.vendor_ids is not msgspec.UNSET else None)
    if data.cost_center_id not in (msgspec.UNSET, None):
        await cost_centers.check(head.buyer_id, data.cost_center_id)  # type: ignore[arg-type]
    async with db.transaction():
        current = await status_of(rfq_id)
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
        if vendor_ids is not None:  # a draft's invitations: nobody has been told of them yet
            dropped = RfqInvitation.rfq == rfq_id
            if vendor_ids:
                dropped &= RfqInvitation.vendor.not_in(vendor_ids)
            await RfqInvitation.delete().where(dropped)
            await _invite(rfq_id, vendor_ids, await db.db_now())
        if data.cost_center_id is not msgspec.UNSET:
            await cost_centers.save(rfq_id, data.cost_center_id)
    return await views.buyer_view(rfq_id)


async def draft_for_editing(principal: Principal, rfq_id: int) -> RfqOut:
    """The buyer's draft as it stands, to edit; 409 once it is published (or closed, awarded, cancelled)."""
    head = await access.rfq_for_buyer(principal, rfq_id)
    buyer_actor(principal, head)
    if not editable(head.status):
        raise Conflict(f"This RFQ is {head.status}: only a draft can be changed.")
    return await views.buyer_view(rfq_id)


async def publish_needs(rfq: RfqOut) -> list[str]:
    """What the draft still needs before it can be published (the publish rule's own words); empty when it can be,
    or when it is no draft."""
    if rfq.status != RfqStatus.DRAFT.value:
        return []
    return rules.publish_gaps(
        line_count=len(rfq.lines), visibility=Visibility(rfq.visibility), invited_count=len(rfq.invitations),
        deadline=rfq.deadline, now=await db.db_now(),
    )


async def status_of(rfq_id: int) -> RfqStatus:
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
        current = await status_of(rfq_id)
        if current not in (RfqStatus.DRAFT, RfqStatus.PUBLISHED):
            raise Conflict(f"Vendors can only be invited to a draft or published RFQ; this one is {current}.")
        new = await _invite(rfq_id, wanted, await db.db_now())
        if current is RfqStatus.PUBLISHED and new:
            await mail.tell_vendors(new, head, mail.invitation_mail)
    return await views.buyer_view(rfq_id)


