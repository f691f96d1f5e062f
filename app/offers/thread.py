"""The negotiation thread of one offer as one timeline: the vendor's revisions and the buyer's
counter-proposals in the order they happened, each revision with the files added with it. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.offers.schemas import CounterProposalOut, OfferAttachmentOut, OfferOut, RevisionOut


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    """One step: a revision (with the proposal it `answers`, if any) or a counter-proposal."""

    at: datetime
    revision: RevisionOut | None = None
    proposal: CounterProposalOut | None = None
    # For a revision that accepted or answered a counter-proposal: that proposal's status ("accepted" or "answered").
    answers: str = ""
    files: list[OfferAttachmentOut] = field(default_factory=list)


def timeline(offer: OfferOut, proposals: Sequence[CounterProposalOut],
             files: Sequence[OfferAttachmentOut] = ()) -> list[ThreadEntry]:
    """Revisions and proposals by time; a revision that answers a proposal always comes after it."""
    answered_by = {p.revision_number: p.status for p in proposals if p.revision_number is not None}
    files_of: dict[int, list[OfferAttachmentOut]] = defaultdict(list)
    for attached in files:
        files_of[attached.revision_number].append(attached)
    keyed: list[tuple[tuple[datetime, int, int], ThreadEntry]] = []
    for revision in offer.revisions:
        answers = answered_by.get(revision.number, "")
        # Same instant: a plain revision sorts before a proposal, an answering one after it.
        keyed.append(((revision.received_at, 2 if answers else 0, revision.number),
                      ThreadEntry(at=revision.received_at, revision=revision, answers=answers,
                                  files=files_of[revision.number])))
    for proposal in proposals:
        keyed.append(((proposal.created_at, 1, proposal.id), ThreadEntry(at=proposal.created_at, proposal=proposal)))
    return [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]
