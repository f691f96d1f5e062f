"""The negotiation thread as one timeline: revisions and counter-proposals in order, files with their revision."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.offers.schemas import (
    CounterProposalOut,
    OfferAttachmentOut,
    OfferLineOut,
    OfferOut,
    ProposalLineOut,
    RevisionOut,
)
from app.offers.thread import timeline

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def revision(number: int, at: datetime, price: str = "1.00") -> RevisionOut:
    return RevisionOut(number=number, received_at=at, lead_time_days=5, valid_until=None, notes="",
                       lines=[OfferLineOut(rfq_line_id=1, unit_price=Decimal(price), quantity=10)])


def proposal(id_: int, at: datetime, status: str, answered_by: int | None) -> CounterProposalOut:
    return CounterProposalOut(id=id_, offer_id=7, status=status, message="", created_at=at, answered_at=None,
                              revision_number=answered_by, lines=[ProposalLineOut(1, Decimal("0.90"))])


def offer(*revisions: RevisionOut) -> OfferOut:
    return OfferOut(id=7, rfq_id=3, currency="EUR", status="live", revision_count=len(revisions), created_at=T0,
                    withdrawn_at=None, revisions=list(revisions))


def attached(id_: int, revision_number: int) -> OfferAttachmentOut:
    return OfferAttachmentOut(id=id_, offer_id=7, revision_number=revision_number, filename=f"f{id_}.pdf",
                              content_type="application/pdf", size=10, uploaded_at=T0)


def test_revisions_and_proposals_come_in_the_order_they_happened():
    # given two revisions before the close, a proposal, the accepting revision, a second proposal still open
    entries = timeline(
        offer(revision(1, T0), revision(2, T0 + timedelta(hours=1)), revision(3, T0 + timedelta(days=2))),
        [proposal(11, T0 + timedelta(days=1), "accepted", 3), proposal(12, T0 + timedelta(days=3), "open", None)],
    )
    # then
    assert [(e.revision.number if e.revision else f"p{e.proposal.id}") for e in entries] == [1, 2, "p11", 3, "p12"]
    assert [e.answers for e in entries if e.revision] == ["", "", "accepted"]


def test_an_answering_revision_at_the_same_instant_still_follows_its_proposal():
    entries = timeline(offer(revision(1, T0), revision(2, T0 + timedelta(hours=1))),
                       [proposal(5, T0 + timedelta(hours=1), "answered", 2)])
    assert [e.proposal is not None for e in entries] == [False, True, False]
    assert entries[-1].answers == "answered"


def test_files_are_listed_with_the_revision_current_when_they_were_added():
    entries = timeline(offer(revision(1, T0), revision(2, T0 + timedelta(hours=1))), [],
                       [attached(1, 1), attached(2, 2), attached(3, 1)])
    assert [[f.id for f in e.files] for e in entries] == [[1, 3], [2]]


def test_an_offer_without_proposals_is_its_revisions():
    assert [e.revision.number for e in timeline(offer(revision(1, T0)), [])] == [1]
