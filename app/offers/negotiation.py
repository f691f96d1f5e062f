"""Negotiation after the close and before the award: the buyer's counter-proposal to one vendor's offer,
which the vendor accepts (a new revision at those prices) or answers with a revision of its own.

Only the buyer of the RFQ and the vendor of the offer see the thread; other vendors get 404.
"""

from __future__ import annotations

from dataclasses import replace

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.errors import Conflict, NotFound
from app.notifications.services import queue_email
from app.offers import store
from app.offers.rules import parse_offer_lines
from app.offers.schemas import (
    CounterProposalIn,
    CounterProposalOut,
    NegotiationOut,
    OfferLineIn,
)
from app.offers.tables import CounterProposal, CounterProposalLine, Offer, OfferRevision, OfferStatus, ProposalStatus
from app.rfq.mail import vendor_path
from app.rfq.states import RfqStatus

NOT_NEGOTIABLE = "Negotiation is open only after bidding has closed and before the award."


async def propose(principal: Principal, offer_id: int, data: CounterProposalIn) -> CounterProposalOut:
    """The buyer's target prices for lines the offer priced, with a message; one open proposal per offer."""
    row = await store.offer_for_buyer(principal, offer_id, acting=True)
    async with db.transaction():
        rfq = await store.lock_rfq(row["rfq"])
        if RfqStatus(rfq["status"]) is not RfqStatus.CLOSED:
            raise Conflict(NOT_NEGOTIABLE)
        latest = await store.latest_revisions(row["rfq"], [offer_id])
        if not latest:
            raise Conflict("This offer was withdrawn: there is nothing to negotiate.")
        lines = await store.asked_lines(row["rfq"])  # the prices may only target what the offer priced, as much
        asked = {line_id: replace(lines[line_id], quantity=quantity)
                 for line_id, (_, quantity) in latest[0].lines.items()}
        parsed = parse_offer_lines(asked, [OfferLineIn(line.rfq_line_id, line.unit_price) for line in data.lines])
        if await CounterProposal.exists().where(
            (CounterProposal.offer == offer_id) & (CounterProposal.status == ProposalStatus.OPEN.value)
        ):
            raise Conflict("A counter-proposal on this offer is still open: wait for the vendor's answer.")
        now = await db.db_now()
        proposal = CounterProposal(offer=offer_id, author=principal.user_id, message=data.message.strip(),
                                   status=ProposalStatus.OPEN.value, created_at=now)
        await proposal.save()
        await CounterProposalLine.insert(*[
            CounterProposalLine(proposal=proposal.id, rfq_line=line.rfq_line_id, unit_price=line.unit_price_minor)
            for line in parsed
        ])
        emails = await addresses_of([row["vendor"]], SELLER_ROLES)
        for address in emails.get(row["vendor"], []):
            await queue_email(
                to=address, subject=f"Counter-proposal on your offer for {row['rfq.number'] or row['rfq.title']}",
                body=f"The buyer of {row['rfq.number'] or 'the RFQ'} \"{row['rfq.title']}\" sent a counter-proposal on "
                     "your offer. "
                     "Accept it or answer with a revision of your offer on the RFQ's page:",
                link=vendor_path(row["rfq"]),
            )
    return (await store.proposals_of([offer_id]))[-1]


async def accept(principal: Principal, proposal_id: int) -> NegotiationOut:
    """The vendor accepts: a new revision of its offer at the proposed prices (other lines unchanged)."""
    proposal = await CounterProposal.select(CounterProposal.id, CounterProposal.offer).where(
        CounterProposal.id == proposal_id
    ).first()
    if proposal is None:
        raise NotFound("No such counter-proposal.")
    try:
        row = await store.own_offer_row(principal, proposal["offer"])
    except NotFound:
        raise NotFound("No such counter-proposal.") from None
    store.require_seller(principal)
    async with db.transaction():
        rfq = await store.lock_rfq(row["rfq"])
        if RfqStatus(rfq["status"]) is not RfqStatus.CLOSED:
            raise Conflict(NOT_NEGOTIABLE)
        taken = await CounterProposal.update({CounterProposal.status: ProposalStatus.ACCEPTED.value}).where(
            (CounterProposal.id == proposal_id) & (CounterProposal.status == ProposalStatus.OPEN.value)
        ).returning(CounterProposal.id)
        if not taken:
            raise Conflict("This counter-proposal was already accepted or answered.")
        latest = (await store.latest_revisions(row["rfq"], [row["id"]]) or [None])[0]
        if latest is None:
            raise Conflict("This offer was withdrawn.")
        proposed = {
            line["rfq_line"]: line["unit_price"]
            for line in await CounterProposalLine.select().where(CounterProposalLine.proposal == proposal_id)
        }
        now = await db.db_now()
        bumped = await Offer.update({Offer.revision_count: Offer.revision_count + 1}).where(
            (Offer.id == row["id"]) & (Offer.status == OfferStatus.LIVE.value)
        ).returning(Offer.revision_count)
        revision = OfferRevision(
            offer=row["id"], number=bumped[0]["revision_count"], received_at=now, submitted_by=principal.user_id,
            lead_time_days=latest.lead_time_days, valid_until=latest.valid_until,
            notes=f"Accepted counter-proposal {proposal_id}", currency=latest.currency,
            payment_terms_days=latest.payment_terms_days,
        )
        await revision.save()
        await store.insert_lines(revision.id, [
            (line_id, proposed.get(line_id, price), quantity) for line_id, (price, quantity) in latest.lines.items()
        ])
        await CounterProposal.update({CounterProposal.answered_at: now, CounterProposal.revision: revision.id}).where(
            CounterProposal.id == proposal_id
        )
    return await thread(principal, row["id"])


async def thread(principal: Principal, offer_id: int) -> NegotiationOut:
    """Proposals and revisions of one offer: for the offer's vendor, or the RFQ's buyer after the close."""
    if principal.company_kind is CompanyKind.VENDOR:
        row = await store.own_offer_row(principal, offer_id)
    else:
        row = await store.offer_for_buyer(principal, offer_id)
    offer = (await store.offers_out([row]))[0]
    return NegotiationOut(offer=offer, proposals=await store.proposals_of([offer_id]))


