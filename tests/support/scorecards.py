"""A vendor's history built row by row at chosen moments: RFQ rounds with offers and revisions, awards with their
contracts, purchase orders with their timeline, ratings. Written directly, so the scorecard's figures are known."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from app import db
from app.contracts.tables import Contract, ContractRating
from app.money import to_minor
from app.offers.tables import Award, Offer, OfferLine, OfferRevision
from app.orders.tables import OrderEvent, OrderGroup, PurchaseOrder
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.accounts import an_address

QUANTITY = 10
_numbers = count(1)


@dataclass
class Bid:
    """A vendor's offer in a round: its revisions' unit prices per line, the first one `hours` after the invitation."""

    revisions: list[list[str]]
    hours: int = 1


@dataclass
class Round:
    """An RFQ of one buyer, published `days_ago`, closed; `award_to` wins every line of it."""

    buyer: int
    invited: list[int]
    bids: dict[int, Bid] = field(default_factory=dict)
    award_to: int | None = None
    days_ago: int = 30


async def a_round(spec: Round) -> tuple[int, int | None]:
    """The RFQ's id, and its contract's id when awarded."""
    now = await db.db_now()
    published = now - timedelta(days=spec.days_ago)
    lines = max(len(bid.revisions[0]) for bid in spec.bids.values()) if spec.bids else 1
    rfq = Rfq(title=f"Round {next(_numbers)}", buyer=spec.buyer, currency="EUR", deadline=published + timedelta(days=2),
              status=(RfqStatus.AWARDED if spec.award_to else RfqStatus.CLOSED).value, created_at=published,
              published_at=published, closed_at=published + timedelta(days=2))
    await rfq.save()
    line_ids = []
    for position in range(1, lines + 1):
        line = RfqLine(rfq=rfq.id, position=position, description=f"Item {position}", quantity=QUANTITY)
        await line.save()
        line_ids.append(line.id)
    if spec.invited:
        await RfqInvitation.insert(*[RfqInvitation(rfq=rfq.id, vendor=v, invited_at=published) for v in spec.invited])
    finals: dict[int, tuple[int, int, list[str]]] = {}
    for vendor, bid in spec.bids.items():
        offer = Offer(rfq=rfq.id, vendor=vendor, revision_count=len(bid.revisions), created_at=published)
        await offer.save()
        for number, prices in enumerate(bid.revisions, start=1):
            revision = OfferRevision(offer=offer.id, number=number, lead_time_days=5,
                                     received_at=published + timedelta(hours=bid.hours + number - 1))
            await revision.save()
            await OfferLine.insert(*[OfferLine(revision=revision.id, rfq_line=line, unit_price=to_minor(Decimal(p)),
                                               quantity=QUANTITY) for line, p in zip(line_ids, prices, strict=False)])
            finals[vendor] = (offer.id, revision.id, prices)
    if spec.award_to is None:
        return rfq.id, None
    offer_id, revision_id, prices = finals[spec.award_to]
    awarded_at = published + timedelta(days=3)
    await Award.insert(*[
        Award(rfq=rfq.id, rfq_line=line, offer=offer_id, revision=revision_id, vendor=spec.award_to,
              unit_price=to_minor(Decimal(price)), currency="EUR", quantity=QUANTITY, awarded_at=awarded_at)
        for line, price in zip(line_ids, prices, strict=False)])
    contract = Contract(number=f"C-T-{rfq.id:06d}", buyer=spec.buyer, vendor=spec.award_to, currency="EUR",
                        payment_terms="net_30", valid_from=awarded_at, valid_to=awarded_at + timedelta(days=365),
                        rfq=rfq.id, offer_revision=revision_id, created_at=awarded_at)
    await contract.save()
    return rfq.id, contract.id


async def an_order(buyer: int, vendor: int, *, days_ago: int, confirmed_after: timedelta | None = None,
                   promised_in: int | None = None, shipped_in: int | None = None, rejected: bool = False) -> int:
    """A purchase order placed `days_ago`, confirmed `confirmed_after` it (promising to ship `promised_in` days
    after placing), wholly shipped `shipped_in` days after placing; or rejected."""
    now = await db.db_now()
    placed = now - timedelta(days=days_ago)
    address = await an_address(buyer)
    number = next(_numbers)
    group = OrderGroup(number=f"O-T{number}", company=buyer, po_number=f"PO-{number}", delivery_address=address.id,
                       delivery_address_text="Somewhere 1", placed_at=placed, updated_at=placed)
    await group.save()
    status = ("rejected" if rejected else "shipped" if shipped_in is not None
              else "confirmed" if confirmed_after else "placed")
    promised: date | None = (placed + timedelta(days=promised_in)).date() if promised_in is not None else None
    order = PurchaseOrder(number=f"O-T{number}-1", group=group.id, position=1, buyer=buyer, vendor=vendor,
                          status=status, currency="EUR", net=0, tax=0, gross=0, line_count=1,
                          expected_ship_date=promised, placed_at=placed, updated_at=placed)
    await order.save()
    events: list[tuple[str, str, datetime]] = [("placed", "placed", placed)]
    if rejected:
        events.append(("rejected", "rejected", placed + timedelta(hours=3)))
    if confirmed_after is not None:
        events.append(("confirmed", "confirmed", placed + confirmed_after))
    if shipped_in is not None:
        events.append(("shipped", "shipment 1", placed + timedelta(days=shipped_in)))
    await OrderEvent.insert(*[OrderEvent(order=order.id, status=s, kind=kind, side="vendor", at=at)
                              for s, kind, at in events])
    return order.id


async def a_rating(contract_id: int, buyer: int, vendor: int, score: int) -> None:
    now = await db.db_now()
    await ContractRating.insert(ContractRating(contract=contract_id, buyer=buyer, vendor=vendor, score=score,
                                               created_at=now, updated_at=now))
