"""Offers, revisions, withdrawals, declines, the sealed view, the comparison and the award.

Every write that depends on the deadline or the RFQ's state reads both inside its transaction,
against the database's clock, with the RFQ row locked on PostgreSQL (SQLite transactions are
immediate: one writer at a time). The unique indexes of the migrations back every invariant.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from app import db
from app.accounts.roles import CompanyKind, Role
from app.accounts.tables import MemberRole
from app.auth import Principal
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.money import from_minor
from app.notifications.services import queue_email
from app.offers import comparison, live
from app.offers.rules import check_bidding_open, check_valid_until, parse_offer_lines
from app.offers.schemas import (
    AwardIn,
    AwardOut,
    AwardResultOut,
    BuyerOfferOut,
    CellOut,
    ComparisonOut,
    DeclinedVendorOut,
    DeclineIn,
    DeclineOut,
    InboxItemOut,
    InboxPageOut,
    OfferIn,
    OfferLineOut,
    OfferOut,
    RevisionOut,
    RfqLineView,
    RfqOffersOut,
    RowOut,
    VendorColumnOut,
    VendorRfqOut,
)
from app.offers.tables import Award, Offer, OfferLine, OfferRevision, OfferStatus
from app.rfq.access import RfqHead, buyer_actor, meant_for_vendor, rfq_for_buyer, rfq_for_vendor
from app.rfq.states import Actor, BiddingMode, RfqStatus, TransitionError, check_transition, prices_revealed
from app.rfq.tables import Rfq, RfqInvitation, RfqLine

SELLER_ROLES = frozenset({Role.VENDOR_ADMIN, Role.VENDOR_SALES})
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


# --- loading ------------------------------------------------------------------------------------


async def _lock_rfq(rfq_id: int, *, exclusive: bool = False) -> dict[str, Any]:
    """The RFQ's status and deadline, read inside the caller's transaction.

    On PostgreSQL offer writes take a SHARE lock (they do not wait for each other, but a close,
    an extension or an award updating the row waits for them, and they for it); the award takes
    the row exclusively. SQLite's immediate transaction already excludes every other writer.
    """
    lock = "" if db.is_sqlite() else (" FOR UPDATE" if exclusive else " FOR SHARE")
    rows = await Rfq.raw(
        f"SELECT id, status, deadline, currency, bidding_mode FROM rfq WHERE id = {{}}{lock}", rfq_id  # noqa: S608
    )
    if not rows:
        raise NotFound("No such RFQ.")
    return rows[0]


async def _asked_quantities(rfq_id: int) -> dict[int, int]:
    rows = await RfqLine.raw("SELECT id, quantity FROM rfq_line WHERE rfq = {}", rfq_id)
    return {row["id"]: row["quantity"] for row in rows}


def _require_seller(principal: Principal) -> None:
    if principal.company_kind is not CompanyKind.VENDOR:
        raise NotFound("No such RFQ.")
    if not principal.has_any_role(SELLER_ROLES):
        raise Forbidden("Only a vendor_admin or vendor_sales user can answer RFQs.")


async def _own_offer_row(principal: Principal, offer_id: int) -> dict[str, Any]:
    """The offer if it belongs to the caller's vendor company; anyone else's is 404.

    It carries its RFQ's currency and bidding mode (fixed once published), so a revision needs no
    other read before its transaction.
    """
    rows = await Offer.raw(
        "SELECT o.id AS id, o.rfq AS rfq, o.vendor AS vendor, o.status AS status,"
        " o.revision_count AS revision_count, o.created_at AS created_at, o.withdrawn_at AS withdrawn_at,"
        ' r.currency AS "rfq.currency", r.bidding_mode AS "rfq.bidding_mode"'
        " FROM offer o JOIN rfq r ON r.id = o.rfq WHERE o.id = {}",
        offer_id,
    )
    row = rows[0] if rows else None
    if (
        row is None
        or principal.company_kind is not CompanyKind.VENDOR
        or row["vendor"] not in principal.visible_company_ids
    ):
        raise NotFound("No such offer.")
    return row


async def _offers_out(rows: list[dict[str, Any]], before_revision: int | None = None) -> list[OfferOut]:
    """Offers with every revision (or those numbered before `before_revision`) and line: two queries for any
    number of offers. (Lines are read by revision id: joined to the revisions instead, the planner may scan
    every offer line.)"""
    ids = [row["id"] for row in rows]
    query = OfferRevision.select().where(OfferRevision.offer.is_in(ids or [-1])).order_by(OfferRevision.number)
    if before_revision is not None:
        query = query.where(OfferRevision.number < before_revision)
    revisions = await query
    lines = await OfferLine.select().where(
        OfferLine.revision.is_in([r["id"] for r in revisions] or [-1])
    ).order_by(OfferLine.id)
    lines_by_revision: dict[int, list[OfferLineOut]] = defaultdict(list)
    for line in lines:
        lines_by_revision[line["revision"]].append(
            OfferLineOut(line["rfq_line"], from_minor(line["unit_price"]), line["quantity"])  # type: ignore[arg-type]
        )
    revisions_by_offer: dict[int, list[RevisionOut]] = defaultdict(list)
    for revision in revisions:
        revisions_by_offer[revision["offer"]].append(RevisionOut(
            number=revision["number"], received_at=revision["received_at"],
            lead_time_days=revision["lead_time_days"], valid_until=revision["valid_until"], notes=revision["notes"],
            lines=lines_by_revision[revision["id"]],
        ))
    return [
        OfferOut(
            id=row["id"], rfq_id=row["rfq"], currency=row["rfq.currency"], status=row["status"],
            revision_count=row["revision_count"], created_at=row["created_at"], withdrawn_at=row["withdrawn_at"],
            revisions=revisions_by_offer[row["id"]],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class _Latest:
    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_id: int
    number: int
    received_at: datetime
    lead_time_days: int
    valid_until: datetime | None
    notes: str
    lines: dict[int, tuple[int, int]]  # rfq line id → (unit price minor, quantity)


async def _latest_revisions(rfq_id: int, offer_ids: list[int] | None = None) -> list[_Latest]:
    """Every live offer's latest revision with its lines (three queries)."""
    query = Offer.select(Offer.id, Offer.vendor, Offer.vendor.name, Offer.revision_count).where(
        (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
    ).order_by(Offer.id)
    if offer_ids is not None:
        query = query.where(Offer.id.is_in(offer_ids or [-1]))
    offers = await query
    by_id = {offer["id"]: offer for offer in offers}
    revisions = [
        revision
        for revision in await OfferRevision.select().where(OfferRevision.offer.is_in(list(by_id) or [-1]))
        if revision["number"] == by_id[revision["offer"]]["revision_count"]
    ]
    lines: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for line in await OfferLine.select().where(OfferLine.revision.is_in([r["id"] for r in revisions] or [-1])):
        lines[line["revision"]][line["rfq_line"]] = (line["unit_price"], line["quantity"])
    return [
        _Latest(
            offer_id=revision["offer"], vendor_id=by_id[revision["offer"]]["vendor"],
            vendor_name=by_id[revision["offer"]]["vendor.name"], revision_id=revision["id"], number=revision["number"],
            received_at=revision["received_at"], lead_time_days=revision["lead_time_days"],
            valid_until=revision["valid_until"], notes=revision["notes"], lines=lines[revision["id"]],
        )
        for revision in sorted(revisions, key=lambda r: r["offer"])
    ]


async def _insert_revision(offer_id: int, number: int, principal: Principal, data: OfferIn, now: datetime,
                           parsed: list[Any], valid_until: datetime | None) -> tuple[int, RevisionOut]:
    """Write one immutable revision with its lines; returns its id and the revision as the vendor sees it."""
    rows = await OfferRevision.raw(
        "INSERT INTO offer_revision (offer, number, received_at, submitted_by, lead_time_days, valid_until, notes)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
        offer_id, number, now, principal.user_id, data.lead_time_days, valid_until, data.notes,
    )
    await _insert_lines(rows[0]["id"], [(line.rfq_line_id, line.unit_price_minor, line.quantity) for line in parsed])
    return rows[0]["id"], RevisionOut(
        number=number, received_at=now, lead_time_days=data.lead_time_days, valid_until=valid_until,
        notes=data.notes, lines=[
            OfferLineOut(line.rfq_line_id, from_minor(line.unit_price_minor), line.quantity) for line in parsed
        ],
    )


async def _insert_lines(revision_id: int, lines: list[tuple[int, int, int]]) -> None:
    """(rfq line, unit price minor, quantity) rows of a revision in one INSERT: fifty Table objects per
    revision cost more than the database does. PostgreSQL takes three arrays (three parameters, not 200)."""
    if db.is_sqlite():
        values = ", ".join(["({}, {}, {}, {})"] * len(lines))
        args = [value for line in lines for value in (revision_id, *line)]
        await OfferLine.raw(
            f"INSERT INTO offer_line (revision, rfq_line, unit_price, quantity) VALUES {values}", *args  # noqa: S608
        )
        return
    rfq_lines, prices, quantities = zip(*lines, strict=True) if lines else ((), (), ())
    await OfferLine.raw(
        "INSERT INTO offer_line (revision, rfq_line, unit_price, quantity)"
        " SELECT {}, * FROM unnest({}::integer[], {}::bigint[], {}::integer[])",
        revision_id, list(rfq_lines), list(prices), list(quantities),
    )


# --- vendor: offers, revisions, withdrawals, declines -------------------------------------------


async def submit_offer(principal: Principal, rfq_id: int, data: OfferIn) -> OfferOut:
    """A vendor's first offer on an RFQ meant for it; a second one while the first is live is 409."""
    _require_seller(principal)
    head = await rfq_for_vendor(principal, rfq_id)
    parsed = parse_offer_lines(await _asked_quantities(rfq_id), data.lines)
    try:
        async with db.transaction():
            # Bids on an auction are serialised (an exclusive lock): each is judged against the one before it.
            rfq = await _lock_rfq(rfq_id, exclusive=head.bidding_mode is BiddingMode.AUCTION)
            now = await db.db_now()
            check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now)
            valid_until = check_valid_until(data.valid_until, now)
            # The unique index on live offers answers "a second live offer" (below), without a read first.
            offer_id = (await Offer.raw(
                "INSERT INTO offer (rfq, vendor, status, revision_count, created_at) VALUES ({}, {}, {}, 1, {})"
                " RETURNING id",
                rfq_id, principal.company_id, OfferStatus.LIVE.value, now,
            ))[0]["id"]
            # A sealed bid has no auction rules: skip their reads on the hot path. (The offer row just written
            # has no revision yet, so it does not count as the vendor's previous bid.)
            auction_rfq = (await live.check_bid(rfq_id, principal.company_id, parsed)
                           if rfq["bidding_mode"] == BiddingMode.AUCTION.value else None)
            _, revision = await _insert_revision(offer_id, 1, principal, data, now, parsed, valid_until)
            await live.after_bid(auction_rfq, now)
            # Answering takes back an earlier decline.
            await RfqInvitation.update({RfqInvitation.declined_at: None, RfqInvitation.decline_reason: ""}).where(
                (RfqInvitation.rfq == rfq_id) & (RfqInvitation.vendor == principal.company_id)
                & RfqInvitation.declined_at.is_not_null()
            )
    except UNIQUE_VIOLATIONS:
        existing = await Offer.select(Offer.id).where(
            (Offer.rfq == rfq_id) & (Offer.vendor == principal.company_id) & (Offer.status == OfferStatus.LIVE.value)
        ).first()
        how = f"PUT /api/v1/offers/{existing['id']}" if existing else "PUT /api/v1/offers/{id}"
        raise Conflict(f"You already have a live offer on this RFQ: revise it with {how}.") from None
    return OfferOut(id=offer_id, rfq_id=rfq_id, currency=rfq["currency"], status=OfferStatus.LIVE.value,
                    revision_count=1, created_at=now, withdrawn_at=None, revisions=[revision])


async def revise_offer(principal: Principal, offer_id: int, data: OfferIn) -> OfferOut:
    """A new immutable revision of a live offer, before the deadline; after the close only to answer the
    buyer's open counter-proposal."""
    from app.offers.tables import CounterProposal, ProposalStatus

    _require_seller(principal)
    row = await _own_offer_row(principal, offer_id)
    parsed = parse_offer_lines(await _asked_quantities(row["rfq"]), data.lines)
    exclusive = row["rfq.bidding_mode"] == BiddingMode.AUCTION.value
    async with db.transaction():
        rfq = await _lock_rfq(row["rfq"], exclusive=exclusive)
        now = await db.db_now()
        proposal = None
        if RfqStatus(rfq["status"]) is RfqStatus.CLOSED:
            proposal = await CounterProposal.select(CounterProposal.id).where(
                (CounterProposal.offer == offer_id) & (CounterProposal.status == ProposalStatus.OPEN.value)
            ).first()
        if proposal is None:
            check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now)
        else:
            # Claim the proposal first: an acceptance racing this answer gets it, or this answer does, never both.
            claimed = await CounterProposal.update({
                CounterProposal.status: ProposalStatus.ANSWERED.value, CounterProposal.answered_at: now,
            }).where(
                (CounterProposal.id == proposal["id"]) & (CounterProposal.status == ProposalStatus.OPEN.value)
            ).returning(CounterProposal.id)
            if not claimed:
                raise Conflict("The counter-proposal was accepted meanwhile: bidding is closed for other revisions.")
        valid_until = check_valid_until(data.valid_until, now)
        # Answering a counter-proposal after the close is negotiation, not a bid: no auction rules then.
        auction_rfq = (await live.check_bid(row["rfq"], row["vendor"], parsed)
                       if proposal is None and exclusive else None)
        # The conditional update takes the offer's row lock: a withdrawal racing it waits, then sees it.
        bumped = await Offer.raw(
            "UPDATE offer SET revision_count = revision_count + 1 WHERE id = {} AND status = {}"
            " RETURNING revision_count",
            offer_id, OfferStatus.LIVE.value,
        )
        if not bumped:
            raise Conflict("This offer was withdrawn: submit a new offer instead of revising it.")
        number = bumped[0]["revision_count"]
        revision_id, revision = await _insert_revision(offer_id, number, principal, data, now, parsed, valid_until)
        await live.after_bid(auction_rfq, now)
        if proposal is not None:
            await CounterProposal.update({CounterProposal.revision: revision_id}).where(
                CounterProposal.id == proposal["id"]
            )
    # The earlier revisions are immutable: read them, the new one is already in hand.
    offer = (await _offers_out([{**row, "revision_count": number}], before_revision=number))[0]
    offer.revisions.append(revision)
    return offer


async def withdraw_offer(principal: Principal, offer_id: int) -> OfferOut:
    """Take a live offer back, before the deadline; its revisions stay on record."""
    _require_seller(principal)
    row = await _own_offer_row(principal, offer_id)
    async with db.transaction():
        rfq = await _lock_rfq(row["rfq"])
        now = await db.db_now()
        check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now)
        done = await Offer.update({Offer.status: OfferStatus.WITHDRAWN.value, Offer.withdrawn_at: now}).where(
            (Offer.id == offer_id) & (Offer.status == OfferStatus.LIVE.value)
        ).returning(Offer.revision_count)
        if not done:
            raise Conflict("This offer is already withdrawn.")
    withdrawn = {**row, "status": OfferStatus.WITHDRAWN.value, "withdrawn_at": now, **done[0]}
    return (await _offers_out([withdrawn]))[0]


async def decline_rfq(principal: Principal, rfq_id: int, data: DeclineIn) -> DeclineOut:
    """Record that the vendor will not answer (creating its invitation row on an open RFQ)."""
    _require_seller(principal)
    await rfq_for_vendor(principal, rfq_id)
    reason = data.reason.strip()
    async with db.transaction():
        rfq = await _lock_rfq(rfq_id)
        now = await db.db_now()
        check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now)
        if await Offer.exists().where(
            (Offer.rfq == rfq_id) & (Offer.vendor == principal.company_id) & (Offer.status == OfferStatus.LIVE.value)
        ):
            raise Conflict("You have a live offer on this RFQ: withdraw it before declining.")
        changed = await RfqInvitation.update(
            {RfqInvitation.declined_at: now, RfqInvitation.decline_reason: reason}
        ).where((RfqInvitation.rfq == rfq_id) & (RfqInvitation.vendor == principal.company_id)).returning(
            RfqInvitation.id
        )
        if not changed:
            await RfqInvitation(rfq=rfq_id, vendor=principal.company_id, invited_at=now, declined_at=now,
                                decline_reason=reason).save()
    return DeclineOut(rfq_id=rfq_id, declined_at=now, reason=reason)


async def get_offer(principal: Principal, offer_id: int) -> OfferOut:
    """The caller's own offer with every revision; any other vendor's is 404."""
    row = await _own_offer_row(principal, offer_id)
    return (await _offers_out([row]))[0]


# --- vendor: inbox and RFQ page -----------------------------------------------------------------


INBOX_PAGE_SIZE = 25
MAX_INBOX_PAGE_SIZE = 100


async def vendor_inbox(principal: Principal, page: int = 1, per_page: int | None = None) -> InboxPageOut:
    """One page of the published RFQs the caller's vendor company may answer, soonest deadline first.

    Filtered, sorted and paged in SQL (access.meant_for_vendor); then two queries for this page's answers.
    """
    _require_seller(principal)
    per_page = INBOX_PAGE_SIZE if per_page is None else per_page
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_INBOX_PAGE_SIZE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_INBOX_PAGE_SIZE}")
    vendor_id = principal.company_id
    rows = await Rfq.select(Rfq.id, Rfq.title, Rfq.currency, Rfq.deadline).where(
        (Rfq.status == RfqStatus.PUBLISHED.value) & meant_for_vendor(vendor_id)
    ).order_by(Rfq.deadline).order_by(Rfq.id).limit(per_page + 1).offset((page - 1) * per_page)
    visible, more = rows[:per_page], len(rows) > per_page
    ids = [row["id"] for row in visible] or [-1]
    declined = {
        row["rfq"]
        for row in await RfqInvitation.select(RfqInvitation.rfq).where(
            (RfqInvitation.vendor == vendor_id) & RfqInvitation.declined_at.is_not_null()
            & RfqInvitation.rfq.is_in(ids)
        )
    }
    offers = {
        row["rfq"]: row
        for row in await Offer.select(Offer.id, Offer.rfq, Offer.revision_count).where(
            (Offer.vendor == vendor_id) & (Offer.status == OfferStatus.LIVE.value) & Offer.rfq.is_in(ids)
        )
    }
    now = await db.db_now()
    items = [
        InboxItemOut(
            rfq_id=row["id"], title=row["title"], currency=row["currency"], deadline=row["deadline"],
            seconds_left=max(0, int((row["deadline"] - now).total_seconds())), declined=row["id"] in declined,
            offer_id=offers[row["id"]]["id"] if row["id"] in offers else None,
            offer_revisions=offers[row["id"]]["revision_count"] if row["id"] in offers else 0,
        )
        for row in visible
    ]
    return InboxPageOut(items=items, page=page, per_page=per_page, next_page=page + 1 if more else None)


async def rfq_for_seller(principal: Principal, rfq_id: int) -> VendorRfqOut:
    """The RFQ as a vendor it is meant for sees it, with the vendor's own live offer."""
    _require_seller(principal)
    await rfq_for_vendor(principal, rfq_id)
    rfq = await Rfq.select().where(Rfq.id == rfq_id).first()
    lines = await RfqLine.select().where(RfqLine.rfq == rfq_id).order_by(RfqLine.position)
    declined = await RfqInvitation.exists().where(
        (RfqInvitation.rfq == rfq_id) & (RfqInvitation.vendor == principal.company_id)
        & RfqInvitation.declined_at.is_not_null()
    )
    offer_rows = await Offer.select(
        Offer.id, Offer.rfq, Offer.vendor, Offer.status, Offer.revision_count, Offer.created_at, Offer.withdrawn_at,
        Offer.rfq.currency,
    ).where((Offer.rfq == rfq_id) & (Offer.vendor == principal.company_id) & (Offer.status == OfferStatus.LIVE.value))
    offers = await _offers_out(offer_rows) if offer_rows else []
    if rfq is None:
        raise NotFound("No such RFQ.")
    from app.offers.negotiation import proposals_of

    proposals = await proposals_of([offer.id for offer in offers]) if offers else []
    return VendorRfqOut(
        id=rfq["id"], title=rfq["title"], description=rfq["description"], currency=rfq["currency"],
        status=rfq["status"], deadline=rfq["deadline"], delivery_address=rfq["delivery_address"],
        payment_terms=rfq["payment_terms"],
        lines=[RfqLineView(line["id"], line["position"], line["description"], line["quantity"], line["unit"],
                           line["notes"]) for line in lines],
        declined=declined, offer=offers[0] if offers else None, proposals=proposals,
        bidding_mode=rfq["bidding_mode"],
    )


# --- buyer: sealed view, comparison, award ------------------------------------------------------


async def offers_for_buyer(principal: Principal, rfq_id: int) -> RfqOffersOut:
    """Before the close only how many vendors answered and who declined; after it, every live offer."""
    head = await rfq_for_buyer(principal, rfq_id)
    answered = await Offer.count().where((Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value))
    declined = [
        DeclinedVendorOut(row["vendor"], row["vendor.name"], row["declined_at"], row["decline_reason"])
        for row in await RfqInvitation.select(
            RfqInvitation.vendor, RfqInvitation.vendor.name, RfqInvitation.declined_at, RfqInvitation.decline_reason
        ).where((RfqInvitation.rfq == rfq_id) & RfqInvitation.declined_at.is_not_null()).order_by(
            RfqInvitation.declined_at
        )
    ]
    sealed = not prices_revealed(head.status)
    offers = [] if sealed else [
        BuyerOfferOut(
            offer_id=latest.offer_id, vendor_id=latest.vendor_id, vendor_name=latest.vendor_name,
            revision_number=latest.number, received_at=latest.received_at, lead_time_days=latest.lead_time_days,
            valid_until=latest.valid_until, notes=latest.notes,
            lines=[OfferLineOut(line_id, from_minor(price), quantity)  # type: ignore[arg-type]
                   for line_id, (price, quantity) in sorted(latest.lines.items())],
        )
        for latest in await _latest_revisions(rfq_id)
    ]
    return RfqOffersOut(rfq_id=rfq_id, status=head.status.value, sealed=sealed, currency=head.currency,
                        answered=answered, declined=declined, offers=offers)


async def _revealed_head(principal: Principal, rfq_id: int) -> RfqHead:
    head = await rfq_for_buyer(principal, rfq_id)
    if not prices_revealed(head.status):
        raise Conflict(
            f"Offers are sealed until bidding closes ({head.deadline:%Y-%m-%d %H:%M} UTC); the comparison opens then."
        )
    return head


async def comparison_for_buyer(principal: Principal, rfq_id: int) -> comparison.Comparison:
    """The lines-by-vendors matrix of every live offer's latest revision (after the close only)."""
    await _revealed_head(principal, rfq_id)
    lines = [
        comparison.LineAsked(row["id"], row["position"], row["description"], row["quantity"], row["unit"],
                             from_minor(row["target_price"]))
        for row in await RfqLine.select().where(RfqLine.rfq == rfq_id)
    ]
    bids = [
        comparison.Bid(
            offer_id=latest.offer_id, vendor_id=latest.vendor_id, vendor_name=latest.vendor_name,
            revision_number=latest.number, lead_time_days=latest.lead_time_days, valid_until=latest.valid_until,
            prices={line_id: comparison.PriceOffered(from_minor(price), quantity)  # type: ignore[arg-type]
                    for line_id, (price, quantity) in latest.lines.items()},
        )
        for latest in await _latest_revisions(rfq_id)
    ]
    return comparison.compare(lines, bids)


async def comparison_out(principal: Principal, rfq_id: int) -> ComparisonOut:
    head = await _revealed_head(principal, rfq_id)
    matrix = await comparison_for_buyer(principal, rfq_id)
    return to_comparison_out(head, matrix)


def to_comparison_out(head: RfqHead, matrix: comparison.Comparison) -> ComparisonOut:
    return ComparisonOut(
        rfq_id=head.id, title=head.title, status=head.status.value, currency=head.currency,
        vendors=[
            VendorColumnOut(
                offer_id=v.offer_id, vendor_id=v.vendor_id, vendor_name=v.vendor_name,
                revision_number=v.revision_number, lead_time_days=v.lead_time_days, valid_until=v.valid_until,
                total=v.total, lines_offered=v.lines_offered, line_count=matrix.line_count, lines_best=v.lines_best,
                savings=v.savings,
            )
            for v in matrix.vendors
        ],
        rows=[
            RowOut(
                rfq_line_id=row.line.rfq_line_id, position=row.line.position, description=row.line.description,
                quantity=row.line.quantity, unit=row.line.unit, target_price=row.line.target_price,
                best_unit_price=row.best_unit_price,
                cells=[None if c is None else CellOut(c.offer_id, c.unit_price, c.quantity, c.extended_price, c.best,
                                                       c.savings) for c in row.cells],
            )
            for row in matrix.rows
        ],
    )


async def award(principal: Principal, rfq_id: int, data: AwardIn) -> AwardResultOut:
    """Award lines to offers, once: the RFQ moves closed → awarded by a conditional update in the
    same transaction as the Award rows (one per line, a unique index), so concurrent calls make one award."""
    head = await rfq_for_buyer(principal, rfq_id)
    if buyer_actor(principal, head) is not Actor.AWARDER:
        raise Forbidden("Only a buyer_admin or an approver of the RFQ's company can award it.")
    line_ids = [item.rfq_line_id for item in data.awards]
    if len(set(line_ids)) != len(line_ids):
        raise InvalidInput("An RFQ line appears twice in awards; award each line to one offer.")
    async with db.transaction():
        rfq = await _lock_rfq(rfq_id, exclusive=True)
        try:
            check_transition(RfqStatus(rfq["status"]), RfqStatus.AWARDED, Actor.AWARDER)
        except TransitionError as exc:
            raise Conflict(str(exc)) from None
        now = await db.db_now()
        moved = await Rfq.update({Rfq.status: RfqStatus.AWARDED.value, Rfq.awarded_at: now}).where(
            (Rfq.id == rfq_id) & (Rfq.status == RfqStatus.CLOSED.value)
        ).returning(Rfq.id)
        if not moved:
            raise Conflict("This RFQ cannot become awarded: it has been awarded already.")
        asked = {row["id"]: row for row in await RfqLine.select().where(RfqLine.rfq == rfq_id)}
        latest = {
            bid.offer_id: bid
            for bid in await _latest_revisions(rfq_id, sorted({item.offer_id for item in data.awards}))
        }
        rows = []
        for index, item in enumerate(data.awards, start=1):
            if item.rfq_line_id not in asked:
                raise InvalidInput(f"awards[{index}]: line {item.rfq_line_id} is not a line of this RFQ.")
            bid = latest.get(item.offer_id)
            if bid is None:
                raise InvalidInput(f"awards[{index}]: offer {item.offer_id} is not a live offer on this RFQ.")
            if item.rfq_line_id not in bid.lines:
                raise InvalidInput(
                    f"awards[{index}]: offer {item.offer_id} does not offer line {item.rfq_line_id}; "
                    "choose an offer that priced it."
                )
            price, quantity = bid.lines[item.rfq_line_id]
            rows.append(Award(
                rfq=rfq_id, rfq_line=item.rfq_line_id, offer=bid.offer_id, revision=bid.revision_id,
                vendor=bid.vendor_id, unit_price=price, currency=rfq["currency"], quantity=quantity,
                awarded_by=principal.user_id, awarded_at=now,
            ))
        await Award.insert(*rows)
        from app.contracts.awards import contracts_from_award  # contracts read offers: import at the call

        await contracts_from_award(rfq_id)  # one contract per awarded vendor, in this same transaction
        await _tell_vendors(rfq_id, head.title, rfq["currency"], rows, asked, latest_all=await _live_vendors(rfq_id))
    return await awards_of(rfq_id, RfqStatus.AWARDED)


async def _live_vendors(rfq_id: int) -> set[int]:
    rows = await Offer.select(Offer.vendor).where((Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value))
    return {row["vendor"] for row in rows}


async def _seller_emails(vendor_ids: set[int]) -> dict[int, list[str]]:
    rows = await MemberRole.select(
        MemberRole.membership.company, MemberRole.membership.user.email
    ).where(
        MemberRole.membership.company.is_in(sorted(vendor_ids) or [-1])
        & MemberRole.role.is_in([role.value for role in SELLER_ROLES])
        & (MemberRole.membership.user.active == True)  # noqa: E712
    )
    emails: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        address = row["membership.user.email"]
        if address not in emails[row["membership.company"]]:
            emails[row["membership.company"]].append(address)
    return emails


async def _tell_vendors(rfq_id: int, title: str, currency: str, rows: list[Award], asked: dict[int, Any],
                        latest_all: set[int]) -> None:
    """Winners hear what they won at their own price; everyone else only that they did not win."""
    won: dict[int, list[Award]] = defaultdict(list)
    for row in rows:
        won[row.vendor].append(row)
    recipients = await _seller_emails(set(won) | latest_all)
    for vendor_id in sorted(set(won) | latest_all):
        if vendor_id in won:
            listing = "\n".join(
                f"- line {asked[row.rfq_line]['position']}: {asked[row.rfq_line]['description']}, "
                f"{row.quantity} {asked[row.rfq_line]['unit']} at {from_minor(row.unit_price)} {currency}"
                for row in sorted(won[vendor_id], key=lambda r: asked[r.rfq_line]["position"])
            )
            subject = f"You won lines of RFQ {rfq_id}: {title}"
            body = f"Your offer on RFQ {rfq_id} \"{title}\" was awarded these lines:\n\n{listing}\n"
        else:
            subject = f"RFQ {rfq_id} was awarded to another offer"
            body = f"Thank you for your offer on RFQ {rfq_id} \"{title}\". It was not successful this time.\n"
        for address in recipients.get(vendor_id, []):
            await queue_email(to=address, subject=subject, body=body)


async def awards_of(rfq_id: int, status: RfqStatus) -> AwardResultOut:
    rows = await Award.select(
        Award.all_columns(), Award.vendor.name, Award.revision.number
    ).where(Award.rfq == rfq_id).order_by(Award.rfq_line)
    return AwardResultOut(rfq_id=rfq_id, status=status.value, awards=[
        AwardOut(
            id=row["id"], rfq_line_id=row["rfq_line"], offer_id=row["offer"], revision_number=row["revision.number"],
            vendor_id=row["vendor"], vendor_name=row["vendor.name"], unit_price=from_minor(row["unit_price"]),  # type: ignore[arg-type]
            currency=row["currency"], quantity=row["quantity"], awarded_by=row["awarded_by"],
            awarded_at=row["awarded_at"],
        )
        for row in rows
    ])
