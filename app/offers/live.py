"""Reverse auctions over the database: each bid checked, and the deadline extended, inside the bid's own
transaction; and the live view a vendor (or the buyer) gets, as a snapshot or a stream of server-sent events.

The rules themselves are in app/offers/auction.py. Several app processes may serve streams, so every event
is derived from the database: a stream polls a cheap query about once a second and sends only what changed.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
from litestar.response import ServerSentEventMessage

from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.clock import format_moment
from app.errors import NotFound
from app.locales import Place
from app.money import from_minor, shown
from app.offers import auction
from app.offers.rules import ParsedLine
from app.offers.schemas import AuctionBuyerOut, AuctionStandingOut, AuctionVendorOut
from app.offers.tables import Offer, OfferLine, OfferRevision, OfferStatus
from app.rfq import access, transitions
from app.rfq.states import BiddingMode, RfqStatus
from app.rfq.tables import Rfq, RfqLine

# How often a stream looks at the database, how often it says it is alive when nothing changed, and how long
# one stream lasts before the browser's EventSource reconnects (bounding what a forgotten tab costs).
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 600.0
RECONNECT_MILLISECONDS = 3000


@dataclass(frozen=True, slots=True)
class AuctionRfq:
    """An auction RFQ's settings and moving parts, read inside the caller's transaction."""

    id: int
    status: RfqStatus
    deadline: datetime
    currency: str
    min_decrement: Decimal | None
    show_best_price: bool
    anti_snipe_minutes: int
    max_extension_minutes: int
    extended_minutes: int


async def _auction_rfq(rfq_id: int) -> AuctionRfq | None:
    """The RFQ if it is a reverse auction, else None."""
    row = await Rfq.select(
        Rfq.id, Rfq.status, Rfq.deadline, Rfq.currency, Rfq.bidding_mode, Rfq.min_decrement, Rfq.show_best_price,
        Rfq.anti_snipe_minutes, Rfq.max_extension_minutes, Rfq.extended_minutes,
    ).where(Rfq.id == rfq_id).first()
    if row is None or row["bidding_mode"] != BiddingMode.AUCTION.value:
        return None
    return AuctionRfq(
        id=row["id"], status=RfqStatus(row["status"]), deadline=row["deadline"], currency=row["currency"],
        min_decrement=from_minor(row["min_decrement"]), show_best_price=row["show_best_price"],
        anti_snipe_minutes=row["anti_snipe_minutes"], max_extension_minutes=row["max_extension_minutes"],
        extended_minutes=row["extended_minutes"],
    )


# --- inside the bid's transaction ----------------------------------------------------------------


async def check_bid(rfq_id: int, vendor_id: int, parsed: Sequence[ParsedLine]) -> AuctionRfq | None:
    """For an auction RFQ, before the bid is written: it prices every line in full (400) and beats the vendor's
    previous bid by the minimum decrement (409). None for a sealed RFQ, which has neither rule.

    Call it inside the transaction, after the RFQ row is locked exclusively: bids on one auction are serialised,
    so the previous bid and the deadline read here are the ones the bid is judged against.
    """
    rfq = await _auction_rfq(rfq_id)
    if rfq is None:
        return None
    asked = {row["id"]: row["quantity"] for row in await RfqLine.select(RfqLine.id, RfqLine.quantity).where(
        RfqLine.rfq == rfq_id
    )}
    auction.check_covers_every_line(asked, {line.rfq_line_id: line.quantity for line in parsed})
    total = auction.bid_total((line.unit_price, line.quantity) for line in parsed)
    auction.check_decrement(await _previous_total(rfq_id, vendor_id), total, rfq.min_decrement, rfq.currency)
    return rfq


async def _previous_total(rfq_id: int, vendor_id: int) -> Decimal | None:
    """The total of the vendor's latest revision on this RFQ, of any of its offers (a withdrawn one too)."""
    latest = await OfferRevision.select(OfferRevision.id).where(
        (OfferRevision.offer.rfq == rfq_id) & (OfferRevision.offer.vendor == vendor_id)
    ).order_by(OfferRevision.received_at, ascending=False).order_by(OfferRevision.id, ascending=False).first()
    if latest is None:
        return None
    lines = await OfferLine.select(OfferLine.unit_price, OfferLine.quantity).where(
        OfferLine.revision == latest["id"]
    )
    return auction.bid_total((from_minor(line["unit_price"]), line["quantity"]) for line in lines)  # type: ignore[misc]


async def after_bid(rfq: AuctionRfq | None, received_at: datetime) -> None:
    """Anti-sniping, after the bid is written and in the same transaction: a bid in the last N minutes moves the
    deadline (within the cap), every vendor hears of it, and the closing message is sent again after commit."""
    if rfq is None:
        return
    extension = auction.anti_snipe(rfq.deadline, received_at, rfq.anti_snipe_minutes, rfq.max_extension_minutes,
                                   rfq.extended_minutes)
    if extension is None:
        return
    # Conditional on the extension read under the lock: a second writer can never add to a stale total.
    moved = await Rfq.update({
        Rfq.deadline: extension.deadline, Rfq.extended_minutes: rfq.extended_minutes + extension.minutes,
    }).where(
        (Rfq.id == rfq.id) & (Rfq.status == RfqStatus.PUBLISHED.value)
        & (Rfq.extended_minutes == rfq.extended_minutes)
    ).returning(Rfq.id)
    if not moved:
        return
    head = await access.rfq_head(rfq.id)
    if head is None:
        raise NotFound("No such RFQ.")
    await transitions.deadline_moved(head, rfq.deadline, received_at)


# --- the live view ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who watches an auction: a vendor it is meant for (its own standing) or the buyer (counts, then standings)."""

    rfq_id: int
    vendor_id: int | None


async def viewer(principal: Principal, rfq_id: int) -> Viewer:
    """The caller as a viewer of this auction: RFQ access as everywhere (404 for anyone it is not meant for),
    and 404 for an RFQ that is not a reverse auction."""
    if principal.company_kind is CompanyKind.VENDOR:
        head = await access.rfq_for_vendor(principal, rfq_id)
        vendor_id: int | None = principal.company_id
    else:
        head = await access.rfq_for_buyer(principal, rfq_id)
        vendor_id = None
    if head.bidding_mode is not BiddingMode.AUCTION:
        raise NotFound("This RFQ is a sealed-bid RFQ, not a reverse auction: it has no live auction view.")
    return Viewer(rfq_id=rfq_id, vendor_id=vendor_id)


async def live_bids(rfq_id: int) -> list[tuple[auction.Bid, str]]:
    """Every live offer's current bid (its latest revision's total) with the vendor's name, in three queries."""
    offers = {
        row["id"]: row
        for row in await Offer.select(Offer.id, Offer.vendor, Offer.vendor.name, Offer.revision_count).where(
            (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
        )
    }
    revisions = [
        row
        for row in await OfferRevision.select(
            OfferRevision.id, OfferRevision.offer, OfferRevision.number, OfferRevision.received_at
        ).where(OfferRevision.offer.is_in(list(offers) or [-1]))
        if row["number"] == offers[row["offer"]]["revision_count"]
    ]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in await OfferLine.select(OfferLine.revision, OfferLine.unit_price, OfferLine.quantity).where(
        OfferLine.revision.is_in([row["id"] for row in revisions] or [-1])
    ):
        totals[line["revision"]] += from_minor(line["unit_price"]) * line["quantity"]  # type: ignore[operator]
    return [
        (
            auction.Bid(offer_id=row["offer"], vendor_id=offers[row["offer"]]["vendor"], total=totals[row["id"]],
                        received_at=row["received_at"]),
            offers[row["offer"]]["vendor.name"],
        )
        for row in revisions
    ]


async def snapshot(watcher: Viewer) -> AuctionVendorOut | AuctionBuyerOut:
    """The auction as `watcher` may see it now."""
    rfq = await _auction_rfq(watcher.rfq_id)
    if rfq is None:
        raise NotFound("No such RFQ.")
    named = await live_bids(rfq.id)
    bids = [bid for bid, _ in named]
    if watcher.vendor_id is None:
        return _buyer_view(rfq, named)
    mine = next((bid for bid in bids if bid.vendor_id == watcher.vendor_id), None)
    return AuctionVendorOut(
        rfq_id=rfq.id, status=rfq.status.value, deadline=rfq.deadline, currency=rfq.currency, bidders=len(bids),
        min_decrement=rfq.min_decrement, anti_snipe_minutes=rfq.anti_snipe_minutes,
        extended_minutes=rfq.extended_minutes, max_extension_minutes=rfq.max_extension_minutes,
        your_rank=auction.rank_of(bids, watcher.vendor_id),
        your_total=mine.total if mine else None,
        your_next_max_total=auction.most_allowed(mine.total, rfq.min_decrement or Decimal(0)) if mine else None,
        best_price=auction.best_price(bids) if rfq.show_best_price else None,
    )


def _buyer_view(rfq: AuctionRfq, named: list[tuple[auction.Bid, str]]) -> AuctionBuyerOut:
    revealed = access.buyer_sees_offers(rfq, access.WhenSealed.HIDE)
    names = {bid.offer_id: name for bid, name in named}
    bids = [bid for bid, _ in named]
    return AuctionBuyerOut(
        rfq_id=rfq.id, status=rfq.status.value, deadline=rfq.deadline, currency=rfq.currency, bidders=len(bids),
        extended_minutes=rfq.extended_minutes, max_extension_minutes=rfq.max_extension_minutes,
        best_price=auction.best_price(bids) if revealed else None,
        standings=[
            AuctionStandingOut(rank=rank, offer_id=bid.offer_id, vendor_id=bid.vendor_id,
                               vendor_name=names[bid.offer_id], total=bid.total, received_at=bid.received_at)
            for rank, bid in enumerate(auction.standings(bids), start=1)
        ] if revealed else None,
    )


async def _version(rfq_id: int) -> tuple[Any, ...]:
    """What every view is derived from, cheaply: the RFQ's status and deadline, each live offer's revision count."""
    rfq = await Rfq.select(Rfq.status, Rfq.deadline, Rfq.extended_minutes).where(Rfq.id == rfq_id).first()
    offers = await Offer.select(Offer.id, Offer.revision_count).where(
        (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
    ).order_by(Offer.id)
    return (
        rfq and (rfq["status"], rfq["deadline"], rfq["extended_minutes"]),
        tuple((row["id"], row["revision_count"]) for row in offers),
    )


def shown_to(view: AuctionVendorOut | AuctionBuyerOut, place: Place) -> dict[str, Any]:
    """A snapshot with its amounts and deadline also written for a person (`shown`), as the page displays them."""
    data = msgspec.to_builtins(view)
    if isinstance(view, AuctionVendorOut):
        data["shown"] = {
            "your_total": shown(view.your_total, view.currency, place.locale),
            "your_next_max_total": shown(view.your_next_max_total, view.currency, place.locale),
            "best_price": shown(view.best_price, view.currency, place.locale),
            "deadline": format_moment(view.deadline, place.time_zone, place.locale, seconds=True),
        }
    return data


async def events(watcher: Viewer, *, poll_seconds: float | None = None, lifetime_seconds: float | None = None,
                 place: Place | None = None) -> AsyncIterator[ServerSentEventMessage]:
    """Server-sent events for one viewer: an `auction` event with the snapshot at once and whenever it changes,
    a heartbeat comment when nothing did for a while; the stream ends once bidding is over (after a last
    snapshot) or when its lifetime is up (the browser then reconnects). With a `place` (the page's stream), each
    snapshot also carries its amounts and deadline written for that person (`shown_to`)."""
    poll = POLL_SECONDS if poll_seconds is None else poll_seconds
    lifetime = STREAM_SECONDS if lifetime_seconds is None else lifetime_seconds
    started = last_sent = time.monotonic()
    last_version: tuple[Any, ...] | None = None
    last_payload = b""
    number = 0
    while True:
        version = await _version(watcher.rfq_id)
        if version != last_version:
            last_version = version
            view = await snapshot(watcher)
            payload = msgspec.json.encode(view if place is None else shown_to(view, place))
            if payload != last_payload:
                last_payload, last_sent, number = payload, time.monotonic(), number + 1
                yield ServerSentEventMessage(data=payload.decode(), event="auction", id=number,
                                             retry=RECONNECT_MILLISECONDS if number == 1 else None)
            if view.status != RfqStatus.PUBLISHED.value:
                return
        now = time.monotonic()
        if now - started >= lifetime:
            return
        if now - last_sent >= HEARTBEAT_SECONDS:
            last_sent = now
            yield ServerSentEventMessage(data=None, comment="heartbeat")
        await asyncio.sleep(poll)
