"""An RFQ's states and transitions: the one module that knows them.

draft → published → closed → awarded, and draft/published/closed → cancelled. Each move names
who may make it; the pure `check_transition` says why a move is refused (HTTP 409).
"""

from __future__ import annotations

from enum import StrEnum


class RfqStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


class Visibility(StrEnum):
    INVITED = "invited"
    OPEN = "open"


class BiddingMode(StrEnum):
    SEALED = "sealed"
    AUCTION = "auction"


class PaymentTerms(StrEnum):
    PREPAID = "prepaid"
    NET_30 = "net_30"
    NET_60 = "net_60"
    NET_90 = "net_90"


# The days to pay each term gives: an offer's payment terms default to its RFQ's.
PAYMENT_DAYS = {PaymentTerms.PREPAID: 0, PaymentTerms.NET_30: 30, PaymentTerms.NET_60: 60, PaymentTerms.NET_90: 90}


class Actor(StrEnum):
    BUYER = "buyer"  # a purchaser, buyer_admin or approver of the RFQ's company
    AWARDER = "awarder"  # a buyer_admin or approver of the RFQ's company
    SYSTEM = "system"  # the deadline job or the sweeper


class TransitionError(ValueError):
    """The move is not allowed; the message says why."""


_MOVES: dict[tuple[RfqStatus, RfqStatus], frozenset[Actor]] = {
    (RfqStatus.DRAFT, RfqStatus.PUBLISHED): frozenset({Actor.BUYER, Actor.AWARDER}),
    (RfqStatus.PUBLISHED, RfqStatus.CLOSED): frozenset({Actor.SYSTEM, Actor.BUYER, Actor.AWARDER}),
    (RfqStatus.CLOSED, RfqStatus.AWARDED): frozenset({Actor.AWARDER}),
    (RfqStatus.DRAFT, RfqStatus.CANCELLED): frozenset({Actor.BUYER, Actor.AWARDER}),
    (RfqStatus.PUBLISHED, RfqStatus.CANCELLED): frozenset({Actor.BUYER, Actor.AWARDER}),
    (RfqStatus.CLOSED, RfqStatus.CANCELLED): frozenset({Actor.BUYER, Actor.AWARDER}),
}

_WHY_NOT = {
    RfqStatus.AWARDED: "it has been awarded",
    RfqStatus.CANCELLED: "it was cancelled",
}


def check_transition(current: RfqStatus, target: RfqStatus, actor: Actor) -> None:
    """Raise `TransitionError` with the reason unless `actor` may move an RFQ from `current` to `target`."""
    allowed = _MOVES.get((current, target))
    if allowed is None:
        reason = _WHY_NOT.get(current, f"it is {current}")
        raise TransitionError(f"This RFQ cannot become {target}: {reason}.")
    if actor not in allowed:
        who = " or ".join(sorted(a.value for a in allowed))
        raise TransitionError(f"Only the {who} can make this RFQ {target}.")


def editable(status: RfqStatus) -> bool:
    """Lines and currency change only while the RFQ is a draft."""
    return status is RfqStatus.DRAFT


def accepts_offers(status: RfqStatus) -> bool:
    """Offers and revisions are taken while published (the deadline is checked separately)."""
    return status is RfqStatus.PUBLISHED


def prices_revealed(status: RfqStatus) -> bool:
    """Sealed prices are seen by the buyer only once bidding has closed."""
    return status in (RfqStatus.CLOSED, RfqStatus.AWARDED)
