"""Offers, revisions, withdrawals, declines, the sealed view, the comparison and the award.

Every write that depends on the deadline or the RFQ's state reads both inside its transaction,
against the database's clock, with the RFQ row locked on PostgreSQL (SQLite transactions are
immediate: one writer at a time). The unique indexes of the migrations back every invariant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app import db
from app.auth import Principal
from app.errors import Conflict, InvalidInput, NotFound
from app.money import from_minor
from app.offers import comparison, currencies, live, store
from app.offers.rules import check_valid_until, offer_terms, parse_offer_lines
from app.offers.schemas import (
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
    NotComparedOut,
    OfferIn,
    OfferLineOut,
    OfferOut,
    RfqLineView,
    RfqOffersOut,
    RowOut,
    VendorColumnOut,
    VendorRfqOut,
)
from app.offers.tables import Award, CounterProposal, Offer, OfferStatus, ProposalStatus
from app.rfq import attachments, clarifications, rules
from app.rfq.access import RfqHead, WhenSealed, buyer_sees_offers, meant_for_vendor, rfq_for_buyer, rfq_for_vendor
from app.rfq.states import BiddingMode, RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine

# --- loading ------------------------------------------------------------------------------------


# --- vendor: offers, revisions, withdrawals, declines -------------------------------------------


async def submit_offer(principal: Principal, rfq_id: int, data: OfferIn) -> OfferOut:
    """A vendor's first offer on an RFQ meant for it; a second one while the first is live is 409."""
    store.require_seller(principal)
    head = await rfq_for_vendor(principal, rfq_id)
    parsed = parse_offer_lines(await store.asked_lines(rfq_id), data.lines)
    try:
        async with db.transaction():
            # Bids on an auction are serialised (an exclusive lock): each is judged against the one before it.
            rfq = await store.lock_rfq(rfq_id, exclusive=head.bidding_mode is BiddingMode.AUCTION)
            now = await db.db_now()
            rules.check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now, principal.place)
            valid_until = check_valid_until(data.valid_until, now)
            terms = offer_terms(data.currency, data.payment_terms_days, rfq["currency"], rfq["payment_terms"],
                                auction=rfq["bidding_mode"] == BiddingMode.AUCTION.value)
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
            _, revision = await store.insert_revision(offer_id, 1, principal, data, now, parsed, valid_until, terms)
            await live.after_bid(auction_rfq, now)
            # Answering takes back an earlier decline.
            await RfqInvitation.update({RfqInvitation.declined_at: None, RfqInvitation.decline_reason: ""}).where(
                (RfqInvitation.rfq == rfq_id) & (RfqInvitation.vendor == principal.company_id)
                & RfqInvitation.declined_at.is_not_null()
            )
    except db.UNIQUE_VIOLATIONS:
        existing = await Offer.select(Offer.id).where(
            (Offer.rfq == rfq_id) & (Offer.vendor == principal.company_id) & (Offer.status == OfferStatus.LIVE.value)
        ).first()
        how = f"PUT /api/v1/offers/{existing['id']}" if existing else "PUT /api/v1/offers/{id}"
        raise Conflict(f"You already have a live offer on this RFQ: revise it with {how}.") from None
    return OfferOut(id=offer_id, rfq_id=rfq_id, currency=terms[0], status=OfferStatus.LIVE.value,
                    revision_count=1, created_at=now, withdrawn_at=None, revisions=[revision])


async def revise_offer(principal: Principal, offer_id: int, data: OfferIn) -> OfferOut:
    """A new immutable revision of a live offer, before the deadline; after the close only to answer the
    buyer's open counter-proposal."""
    store.require_seller(principal)
    row = await store.own_offer_row(principal, offer_id)
    parsed = parse_offer_lines(await store.asked_lines(row["rfq"]), data.lines)
    exclusive = row["rfq.bidding_mode"] == BiddingMode.AUCTION.value
    async with db.transaction():
        rfq = await store.lock_rfq(row["rfq"], exclusive=exclusive)
        now = await db.db_now()
        proposal = None
        if RfqStatus(rfq["status"]) is RfqStatus.CLOSED:
            proposal = await CounterProposal.select(CounterProposal.id).where(
                (CounterProposal.offer == offer_id) & (CounterProposal.status == ProposalStatus.OPEN.value)
            ).first()
        if proposal is None:
            rules.check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now, principal.place)
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
        terms = offer_terms(data.currency, data.payment_terms_days, rfq["currency"], rfq["payment_terms"],
                            auction=exclusive)
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
        revision_id, revision = await store.insert_revision(offer_id, number, principal, data, now, parsed, valid_until,
                                                            terms)
        await live.after_bid(auction_rfq, now)
        if proposal is not None:
            await CounterProposal.update({CounterProposal.revision: revision_id}).where(
                CounterProposal.id == proposal["id"]
            )
    # The earlier revisions are immutable: read them, the new one is already in hand.
    offer = (await store.offers_out([{**row, "revision_count": number}], before_revision=number))[0]
    offer.revisions.append(revision)
    offer.currency = revision.currency
    return offer


async def withdraw_offer(principal: Principal, offer_id: int) -> OfferOut:
    """Take a live offer back, before the deadline; its revisions stay on record."""
    store.require_seller(principal)
    row = await store.own_offer_row(principal, offer_id)
    async with db.transaction():
        rfq = await store.lock_rfq(row["rfq"])
        await store.lock_offer(offer_id)
        now = await db.db_now()
        rules.check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now, principal.place)
        done = await Offer.update({Offer.status: OfferStatus.WITHDRAWN.value, Offer.withdrawn_at: now}).where(
            (Offer.id == offer_id) & (Offer.status == OfferStatus.LIVE.value)
        ).returning(Offer.revision_count)
        if not done:
            raise Conflict("This offer is already withdrawn.")
    withdrawn = {**row, "status": OfferStatus.WITHDRAWN.value, "withdrawn_at": now, **done[0]}
    return (await store.offers_out([withdrawn]))[0]


async def decline_rfq(principal: Principal, rfq_id: int, data: DeclineIn) -> DeclineOut:
    """Record that the vendor will not answer (creating its invitation row on an open RFQ)."""
    store.require_seller(principal)
    await rfq_for_vendor(principal, rfq_id)
    reason = data.reason.strip()
    async with db.transaction():
        rfq = await store.lock_rfq(rfq_id)
        now = await db.db_now()
        rules.check_bidding_open(RfqStatus(rfq["status"]), rfq["deadline"], now, principal.place)
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
    row = await store.own_offer_row(principal, offer_id)
    return (await store.offers_out([row]))[0]


# --- vendor: inbox and RFQ page -----------------------------------------------------------------


INBOX_PAGE_SIZE = 25
MAX_INBOX_PAGE_SIZE = 100


async def inbox_items(vendor_id: int, rows: list[dict[str, Any]]) -> list[InboxItemOut]:
    """Open RFQs (rows of id, title, currency, deadline) with the vendor's answer to each: two queries."""
    ids = [row["id"] for row in rows] or [-1]
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
    return [
        InboxItemOut(
            rfq_id=row["id"], title=row["title"], currency=row["currency"], deadline=row["deadline"],
            seconds_left=max(0, int((row["deadline"] - now).total_seconds())), declined=row["id"] in declined,
            offer_id=offers[row["id"]]["id"] if row["id"] in offers else None,
            offer_revisions=offers[row["id"]]["revision_count"] if row["id"] in offers else 0,
        )
        for row in rows
    ]


async def vendor_inbox(principal: Principal, page: int = 1, per_page: int | None = None) -> InboxPageOut:
    """One page of the published RFQs the caller's vendor company may answer, soonest deadline first.

    Filtered, sorted and paged in SQL (access.meant_for_vendor); then two queries for this page's answers.
    """
    store.require_seller(principal)
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
    items = await inbox_items(vendor_id, visible)
    return InboxPageOut(items=items, page=page, per_page=per_page, next_page=page + 1 if more else None)


async def rfq_for_seller(principal: Principal, rfq_id: int) -> VendorRfqOut:
    """The RFQ as a vendor it is meant for sees it, with the vendor's own live offer."""
    store.require_seller(principal)
    await rfq_for_vendor(principal, rfq_id)
    rfq = await Rfq.select(Rfq.all_columns(), Rfq.buyer.name).where(Rfq.id == rfq_id).first()
    lines = await RfqLine.select().where(RfqLine.rfq == rfq_id).order_by(RfqLine.position)
    declined = await RfqInvitation.exists().where(
        (RfqInvitation.rfq == rfq_id) & (RfqInvitation.vendor == principal.company_id)
        & RfqInvitation.declined_at.is_not_null()
    )
    offer_rows = await Offer.select(
        Offer.id, Offer.rfq, Offer.vendor, Offer.status, Offer.revision_count, Offer.created_at, Offer.withdrawn_at,
        Offer.rfq.currency,
    ).where((Offer.rfq == rfq_id) & (Offer.vendor == principal.company_id) & (Offer.status == OfferStatus.LIVE.value))
    offers = await store.offers_out(offer_rows) if offer_rows else []
    if rfq is None:
        raise NotFound("No such RFQ.")
    proposals = await store.proposals_of([offer.id for offer in offers]) if offers else []
    return VendorRfqOut(
        id=rfq["id"], title=rfq["title"], description=rfq["description"], currency=rfq["currency"],
        status=rfq["status"], deadline=rfq["deadline"], delivery_address=rfq["delivery_address"],
        payment_terms=rfq["payment_terms"],
        lines=[RfqLineView(line["id"], line["position"], line["description"], line["quantity"], line["unit"],
                           line["notes"]) for line in lines],
        declined=declined, offer=offers[0] if offers else None, proposals=proposals,
        bidding_mode=rfq["bidding_mode"], buyer_name=rfq["buyer.name"],
        attachments=await attachments.list_attachments(rfq_id),
        clarifications=await clarifications.list_for(principal, rfq_id),
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
    sealed = not buyer_sees_offers(head, WhenSealed.HIDE)
    offers = [] if sealed else [
        BuyerOfferOut(
            offer_id=latest.offer_id, vendor_id=latest.vendor_id, vendor_name=latest.vendor_name,
            revision_number=latest.number, received_at=latest.received_at, lead_time_days=latest.lead_time_days,
            valid_until=latest.valid_until, notes=latest.notes,
            lines=[OfferLineOut(line_id, from_minor(price), quantity)  # type: ignore[arg-type]
                   for line_id, (price, quantity) in sorted(latest.lines.items())],
            currency=latest.currency, payment_terms_days=latest.payment_terms_days,
        )
        for latest in await store.latest_revisions(rfq_id)
    ]
    return RfqOffersOut(rfq_id=rfq_id, title=head.title, status=head.status.value, sealed=sealed,
                        currency=head.currency, answered=answered, declined=declined, offers=offers)


async def _revealed_head(principal: Principal, rfq_id: int) -> RfqHead:
    head = await rfq_for_buyer(principal, rfq_id)
    buyer_sees_offers(head, WhenSealed.REFUSE, principal.place)
    return head


async def comparison_for_buyer(principal: Principal, rfq_id: int) -> comparison.Comparison:
    """The lines-by-vendors matrix of every live offer's latest revision (after the close only), in the RFQ's
    currency: an offer in another is converted at the rate in force on the close, or listed apart without one."""
    head = await _revealed_head(principal, rfq_id)
    lines = [
        comparison.LineAsked(row["id"], row["position"], row["description"], row["quantity"], row["unit"],
                             from_minor(row["target_price"]))
        for row in await RfqLine.select().where(RfqLine.rfq == rfq_id)
    ]
    latest = await store.latest_revisions(rfq_id)
    rates = await currencies.rates_at_close(rfq_id, head.currency, (r.currency for r in latest))
    return comparison.compare(lines, [bid_of(r, rates) for r in latest if rates.comparable(r.currency)], [
        comparison.NotCompared(r.offer_id, r.vendor_id, r.vendor_name, r.currency, rates.missing(r.currency))
        for r in latest if not rates.comparable(r.currency)
    ])


def bid_of(latest: store.LatestRevision, rates: currencies.RatesAtClose) -> comparison.Bid:
    """A revision as the comparison takes it: prices in the RFQ's currency, its own kept beside them."""
    rate = rates.rate_of(latest.currency)

    def price(minor: int, quantity: int) -> comparison.PriceOffered:
        own: Decimal = from_minor(minor)  # type: ignore[assignment]
        if rate is None:
            return comparison.PriceOffered(own, quantity)
        return comparison.PriceOffered(rates.convert(own, latest.currency), quantity, own)

    return comparison.Bid(
        offer_id=latest.offer_id, vendor_id=latest.vendor_id, vendor_name=latest.vendor_name,
        revision_number=latest.number, lead_time_days=latest.lead_time_days, valid_until=latest.valid_until,
        prices={line_id: price(minor, quantity) for line_id, (minor, quantity) in latest.lines.items()},
        currency=latest.currency or rates.rfq_currency, rate_label=rate.label() if rate else None,
        payment_terms_days=latest.payment_terms_days,
    )


async def comparison_out(principal: Principal, rfq_id: int) -> ComparisonOut:
    head = await _revealed_head(principal, rfq_id)
    matrix = await comparison_for_buyer(principal, rfq_id)
    return to_comparison_out(head, matrix)


def to_comparison_out(head: RfqHead, matrix: comparison.Comparison) -> ComparisonOut:
    return ComparisonOut(
        rfq_id=head.id, rfq_number=head.number, title=head.title, status=head.status.value, currency=head.currency,
        vendors=[
            VendorColumnOut(
                offer_id=v.offer_id, vendor_id=v.vendor_id, vendor_name=v.vendor_name,
                revision_number=v.revision_number, lead_time_days=v.lead_time_days, valid_until=v.valid_until,
                total=v.total, lines_offered=v.lines_offered, line_count=matrix.line_count, lines_best=v.lines_best,
                savings=v.savings, lines_without_target=v.lines_without_target, currency=v.currency,
                rate=v.rate_label, payment_terms_days=v.payment_terms_days,
            )
            for v in matrix.vendors
        ],
        not_compared=[NotComparedOut(n.offer_id, n.vendor_id, n.vendor_name, n.currency, n.reason)
                      for n in matrix.not_compared],
        rows=[
            RowOut(
                rfq_line_id=row.line.rfq_line_id, position=row.line.position, description=row.line.description,
                quantity=row.line.quantity, unit=row.line.unit, target_price=row.line.target_price,
                best_unit_price=row.best_unit_price,
                cells=[None if c is None else CellOut(c.offer_id, c.unit_price, c.quantity, c.extended_price, c.best,
                                                       c.savings, c.own_unit_price) for c in row.cells],
            )
            for row in matrix.rows
        ],
    )


async def awards_of(rfq_id: int, status: RfqStatus) -> AwardResultOut:
    rows = await Award.select(
        Award.all_columns(), Award.rfq_line.position, Award.vendor.name, Award.revision.number
    ).where(Award.rfq == rfq_id).order_by(Award.rfq_line.position)
    return AwardResultOut(rfq_id=rfq_id, status=status.value, awards=[
        AwardOut(
            id=row["id"], rfq_line_id=row["rfq_line"], position=row["rfq_line.position"], offer_id=row["offer"],
            revision_number=row["revision.number"],
            vendor_id=row["vendor"], vendor_name=row["vendor.name"], unit_price=from_minor(row["unit_price"]),  # type: ignore[arg-type]
            currency=row["currency"], quantity=row["quantity"], awarded_by=row["awarded_by"],
            awarded_at=row["awarded_at"], justification=row["justification"],
        )
        for row in rows
    ])
