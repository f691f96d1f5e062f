"""Negotiation after the close and before the award: the buyer's counter-proposal to one vendor's offer,
which the vendor accepts (a new revision at those prices) or answers with a revision of its own.

Only the buyer of the RFQ and the vendor of the offer see the thread; other vendors get 404.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.errors import Conflict, NotFound
from app.money import from_minor
from app.notifications.services import queue_email
from app.offers import services
from app.offers.rules import parse_offer_lines
from app.offers.schemas import (
    CounterProposalIn,
    CounterProposalOut,
    NegotiationOut,
    OfferLineIn,
    ProposalLineOut,
)
from app.offers.tables import CounterProposal, CounterProposalLine, Offer, OfferRevision, OfferStatus, ProposalStatus
from app.rfq.access import buyer_actor, rfq_for_buyer
from app.rfq.states import RfqStatus, prices_revealed

NOT_NEGOTIABLE = "Negotiation is open only after bidding has closed and before the award."


async def _offer_row(offer_id: int) -> dict[str, Any]:
    row = await Offer.select(
        Offer.id, Offer.rfq, Offer.vendor, Offer.status, Offer.revision_count, Offer.created_at, Offer.withdrawn_at,
        Offer.rfq.currency, Offer.rfq.title,
    ).where(Offer.id == offer_id).first()
    if row is None:
        raise NotFound("No such offer.")
    return row


async def _offer_for_buyer(principal: Principal, offer_id: int, *, acting: bool = False) -> dict[str, Any]:
    """The offer, for the buyer of its RFQ once prices are revealed; else 404 (sealed means unseen).
    `acting`: the caller must also be a buyer user of the RFQ's own company (operators and group admins
    may read the thread, not negotiate)."""
    row = await _offer_row(offer_id)
    head = await rfq_for_buyer(principal, row["rfq"])
    if not prices_revealed(head.status):
        raise NotFound("No such offer.")
    if acting:
        buyer_actor(principal, head)
    return row


async def propose(principal: Principal, offer_id: int, data: CounterProposalIn) -> CounterProposalOut:
    """The buyer's target prices for lines the offer priced, with a message; one open proposal per offer."""
    row = await _offer_for_buyer(principal, offer_id, acting=True)
    async with db.transaction():
        rfq = await services._lock_rfq(row["rfq"])
        if RfqStatus(rfq["status"]) is not RfqStatus.CLOSED:
            raise Conflict(NOT_NEGOTIABLE)
        latest = await services._latest_revisions(row["rfq"], [offer_id])
        if not latest:
            raise Conflict("This offer was withdrawn: there is nothing to negotiate.")
        asked = {line_id: quantity for line_id, (_, quantity) in latest[0].lines.items()}
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
        emails = await services._seller_emails({row["vendor"]})
        for address in emails.get(row["vendor"], []):
            await queue_email(
                to=address, subject=f"Counter-proposal on your offer for RFQ {row['rfq']}",
                body=f"The buyer of RFQ {row['rfq']} \"{row['rfq.title']}\" sent a counter-proposal on your offer. "
                     "Accept it or answer with a revision in the vendor portal.\n",
            )
    return (await proposals_of([offer_id]))[-1]


async def accept(principal: Principal, proposal_id: int) -> NegotiationOut:
    """The vendor accepts: a new revision of its offer at the proposed prices (other lines unchanged)."""
    proposal = await CounterProposal.select(CounterProposal.id, CounterProposal.offer).where(
        CounterProposal.id == proposal_id
    ).first()
    if proposal is None:
        raise NotFound("No such counter-proposal.")
    try:
        row = await services._own_offer_row(principal, proposal["offer"])
    except NotFound:
        raise NotFound("No such counter-proposal.") from None
    services._require_seller(principal)
    async with db.transaction():
        rfq = await services._lock_rfq(row["rfq"])
        if RfqStatus(rfq["status"]) is not RfqStatus.CLOSED:
            raise Conflict(NOT_NEGOTIABLE)
        taken = await CounterProposal.update({CounterProposal.status: ProposalStatus.ACCEPTED.value}).where(
            (CounterProposal.id == proposal_id) & (CounterProposal.status == ProposalStatus.OPEN.value)
        ).returning(CounterProposal.id)
        if not taken:
            raise Conflict("This counter-proposal was already accepted or answered.")
        latest = (await services._latest_revisions(row["rfq"], [row["id"]]) or [None])[0]
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
            notes=f"Accepted counter-proposal {proposal_id}",
        )
        await revision.save()
        await services._insert_lines(revision.id, [
            (line_id, proposed.get(line_id, price), quantity) for line_id, (price, quantity) in latest.lines.items()
        ])
        await CounterProposal.update({CounterProposal.answered_at: now, CounterProposal.revision: revision.id}).where(
            CounterProposal.id == proposal_id
        )
    return await thread(principal, row["id"])


async def thread(principal: Principal, offer_id: int) -> NegotiationOut:
    """Proposals and revisions of one offer: for the offer's vendor, or the RFQ's buyer after the close."""
    if principal.company_kind is CompanyKind.VENDOR:
        row = await services._own_offer_row(principal, offer_id)
    else:
        row = await _offer_for_buyer(principal, offer_id)
    offer = (await services._offers_out([row]))[0]
    return NegotiationOut(offer=offer, proposals=await proposals_of([offer_id]))


async def proposals_of(offer_ids: list[int]) -> list[CounterProposalOut]:
    rows = await CounterProposal.select(
        CounterProposal.all_columns(), CounterProposal.revision.number
    ).where(CounterProposal.offer.is_in(offer_ids or [-1])).order_by(CounterProposal.id)
    lines: dict[int, list[ProposalLineOut]] = defaultdict(list)
    for line in await CounterProposalLine.select().where(
        CounterProposalLine.proposal.is_in([r["id"] for r in rows] or [-1])
    ).order_by(CounterProposalLine.rfq_line):
        lines[line["proposal"]].append(ProposalLineOut(line["rfq_line"], from_minor(line["unit_price"])))  # type: ignore[arg-type]
    return [
        CounterProposalOut(
            id=r["id"], offer_id=r["offer"], status=r["status"], message=r["message"], created_at=r["created_at"],
            answered_at=r["answered_at"], revision_number=r["revision.number"], lines=lines[r["id"]],
        )
        for r in rows
    ]
