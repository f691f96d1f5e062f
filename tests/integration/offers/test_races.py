"""Races: writes while the deadline passes, concurrent awards, a revision against a withdrawal, double submits."""

import asyncio
import random
from datetime import timedelta

from app import db
from app.clock import as_utc
from app.contracts import awards
from app.errors import Conflict
from app.offers import services
from app.offers.schemas import AwardIn, AwardLineIn, OfferIn, OfferLineIn
from app.offers.tables import Award, Offer, OfferRevision
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.fixtures import make_company, make_user
from tests.support.offers import offer_body, principal, set_status


def offer_in(lines: list[int], price: str) -> OfferIn:
    return OfferIn(lines=[OfferLineIn(rfq_line_id=line, unit_price=price) for line in lines], lead_time_days=5)


async def test_fifty_offer_writes_while_the_deadline_passes_accept_none_after_it(bidding):
    # given fifty invited vendors, and a deadline half a second away
    sellers = []
    now = await db.db_now()
    for _ in range(50):
        company = await make_company("vendor")
        await RfqInvitation(rfq=bidding.rfq_id, vendor=company.id, invited_at=now).save()
        sellers.append(await principal(await make_user(company.id, "vendor_sales")))
    deadline = await db.db_now() + timedelta(milliseconds=500)
    await Rfq.update({Rfq.deadline: deadline}).where(Rfq.id == bidding.rfq_id)

    async def write(index: int, seller):  # type: ignore[no-untyped-def]
        await asyncio.sleep(index * 0.02)  # spread over a second: about half land after the deadline
        return await services.submit_offer(seller, bidding.rfq_id, offer_in(bidding.lines, f"1.{index:02d}"))

    # when they all write
    results = await asyncio.gather(*[write(i, s) for i, s in enumerate(sellers)], return_exceptions=True)
    # then every write either landed before the deadline or was refused with 409, nothing else
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) and "Bidding closed at" in r.message for r in refused), refused
    assert accepted and refused, (len(accepted), len(refused))
    assert all(as_utc(o.revisions[0].received_at) < deadline for o in accepted)
    # and exactly the accepted ones are stored, none received at or after the deadline
    stored = await OfferRevision.select(OfferRevision.received_at, OfferRevision.offer)
    assert sorted(r["offer"] for r in stored) == sorted(o.id for o in accepted)
    assert all(as_utc(r["received_at"]) < deadline for r in stored)


async def test_twenty_concurrent_awards_make_exactly_one(bidding, api, world):
    # given a closed RFQ with two offers
    a = (await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "1", "2", "3"))).json()
    b = (await (await api(bidding.seller_b)).post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                                                   json=offer_body(bidding.lines, "0.5", "2.5", "3.5"))).json()
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    clients = [await api(world.buyer_admin), await api(world.approver)]
    rng = random.Random(4)

    def body() -> dict[str, object]:
        # each click awards the lines differently: only one of them may win
        return {"awards": [{"rfq_line_id": line, "offer_id": rng.choice([a["id"], b["id"]])} for line in bidding.lines],
                "justification": "Mixed on purpose"}

    # when twenty award calls race
    responses = await asyncio.gather(*[clients[i % 2].post(f"/api/v1/rfqs/{bidding.rfq_id}/award", json=body())
                                       for i in range(20)])
    # then exactly one succeeded, the others got 409, and the RFQ holds exactly that one award
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 19, [r.text for r in responses if r.status_code not in (200, 409)]
    winner = next(r.json() for r in responses if r.status_code == 200)
    stored = await Award.select(Award.rfq_line, Award.offer).order_by(Award.rfq_line)
    expected = [(w["rfq_line_id"], w["offer_id"]) for w in winner["awards"]]
    assert [(s["rfq_line"], s["offer"]) for s in stored] == expected


async def test_twenty_concurrent_award_service_calls_make_one(bidding, world):
    seller = await principal(bidding.seller_a)
    offer = await services.submit_offer(seller, bidding.rfq_id, offer_in(bidding.lines, "1"))
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    admin = await principal(world.buyer_admin)
    data = AwardIn(awards=[AwardLineIn(rfq_line_id=line, offer_id=offer.id) for line in bidding.lines])
    results = await asyncio.gather(*[awards.award(admin, bidding.rfq_id, data) for _ in range(20)],
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert await Award.count() == len(bidding.lines)


async def test_a_revision_racing_a_withdrawal_leaves_a_consistent_offer(bidding):
    seller = await principal(bidding.seller_a)
    for round_ in range(8):
        # given a live offer
        offer = await services.submit_offer(seller, bidding.rfq_id, offer_in(bidding.lines, "1"))
        # when a revision and a withdrawal arrive together
        revise, withdraw = await asyncio.gather(
            services.revise_offer(seller, offer.id, offer_in(bidding.lines, f"0.{round_ + 1}")),
            services.withdraw_offer(seller, offer.id),
            return_exceptions=True,
        )
        # then the withdrawal wins or comes second, never half of each
        assert not isinstance(withdraw, Exception), withdraw
        assert isinstance(revise, Conflict) or not isinstance(revise, Exception), revise
        row = await Offer.select().where(Offer.id == offer.id).first()
        revisions = await OfferRevision.select().where(OfferRevision.offer == offer.id).order_by(OfferRevision.number)
        assert row["status"] == "withdrawn"
        assert row["revision_count"] == len(revisions) == (1 if isinstance(revise, Exception) else 2)
        assert [r["number"] for r in revisions] == list(range(1, len(revisions) + 1))
        assert all(as_utc(r["received_at"]) <= as_utc(row["withdrawn_at"]) for r in revisions)


async def test_ten_concurrent_first_offers_of_one_vendor_make_one_live_offer(bidding):
    seller = await principal(bidding.seller_a)
    results = await asyncio.gather(
        *[services.submit_offer(seller, bidding.rfq_id, offer_in(bidding.lines, "1")) for _ in range(10)],
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert await Offer.count().where(Offer.status == "live") == 1


async def test_accepting_a_counter_proposal_races_answering_it_one_wins(bidding, world):
    from app.offers import negotiation
    from app.offers.schemas import CounterProposalIn, ProposalLineIn

    seller = await principal(bidding.seller_a)
    buyer = await principal(world.buyer_admin)
    for _ in range(5):
        # given a closed RFQ and an open counter-proposal on the vendor's offer
        await set_status(bidding.rfq_id, RfqStatus.PUBLISHED)
        for offer in await Offer.select(Offer.id).where(Offer.status == "live"):
            await services.withdraw_offer(seller, offer["id"])
        offer = await services.submit_offer(seller, bidding.rfq_id, offer_in(bidding.lines, "1"))
        await set_status(bidding.rfq_id, RfqStatus.CLOSED)
        proposal = await negotiation.propose(buyer, offer.id, CounterProposalIn(
            lines=[ProposalLineIn(rfq_line_id=bidding.lines[0], unit_price="0.9")]))
        # when the vendor accepts and answers at the same moment
        accepted, answered = await asyncio.gather(
            negotiation.accept(seller, proposal.id),
            services.revise_offer(seller, offer.id, offer_in(bidding.lines, "0.95")),
            return_exceptions=True,
        )
        # then exactly one of them made a revision
        outcomes = [r for r in (accepted, answered) if not isinstance(r, Exception)]
        assert len(outcomes) == 1, (accepted, answered)
        assert all(isinstance(r, Conflict) for r in (accepted, answered) if isinstance(r, Exception))
        assert await OfferRevision.count().where(OfferRevision.offer == offer.id) == 2
