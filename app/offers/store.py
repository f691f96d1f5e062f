"""Offers as stored: the reads, locks and inserts that bidding, negotiation, attachments and the award share.

The one public way into the offer tables for the modules around them (services, negotiation,
offer_attachments, live, and contracts' award): what an offer is made of is read and written here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import db
from app.accounts.roles import SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.errors import Forbidden, NotFound
from app.money import from_minor
from app.offers.rules import AskedLine
from app.offers.schemas import CounterProposalOut, OfferIn, OfferLineOut, OfferOut, ProposalLineOut, RevisionOut
from app.offers.tables import CounterProposal, CounterProposalLine, Offer, OfferLine, OfferRevision, OfferStatus
from app.rfq.access import NO_SUCH_OFFER, NO_SUCH_RFQ, WhenSealed, buyer_actor, buyer_sees_offers, rfq_for_buyer
from app.rfq.tables import Rfq, RfqLine


async def lock_rfq(rfq_id: int, *, exclusive: bool = False) -> dict[str, Any]:
    """The RFQ's status and deadline, read inside the caller's transaction.

    On PostgreSQL offer writes take a SHARE lock (they do not wait for each other, but a close,
    an extension or an award updating the row waits for them, and they for it); the award takes
    the row exclusively. SQLite's immediate transaction already excludes every other writer.
    """
    lock = "" if db.is_sqlite() else (" FOR UPDATE" if exclusive else " FOR SHARE")
    rows = await Rfq.raw(
        f"SELECT id, status, deadline, currency, bidding_mode, payment_terms FROM rfq WHERE id = {{}}{lock}", rfq_id  # noqa: S608
    )
    if not rows:
        raise NotFound(NO_SUCH_RFQ)
    return rows[0]


async def lock_offer(offer_id: int) -> None:
    """Take the offer's row lock before reading the clock: a write racing this one (a revision) commits
    first and its time comes before ours, or waits for ours; stamps never run backwards."""
    if not db.is_sqlite():
        await Offer.raw("SELECT id FROM offer WHERE id = {} FOR UPDATE", offer_id)


async def asked_lines(rfq_id: int) -> dict[int, AskedLine]:
    """The RFQ's lines by id, as the offer rules check them (position, description, quantity asked)."""
    rows = await RfqLine.raw("SELECT id, position, description, quantity FROM rfq_line WHERE rfq = {}", rfq_id)
    return {row["id"]: AskedLine(row["position"], row["description"], row["quantity"]) for row in rows}


def require_seller(principal: Principal) -> None:
    """A vendor_admin or vendor_sales user; anyone else who is not a vendor hears what a missing RFQ answers (call
    it on RFQ ids; on an offer's, `own_offer_row` first)."""
    if principal.company_kind is not CompanyKind.VENDOR:
        raise NotFound(NO_SUCH_RFQ)
    if not principal.has_any_role(SELLER_ROLES):
        raise Forbidden("Only a vendor_admin or vendor_sales user can answer RFQs.")


async def own_offer_row(principal: Principal, offer_id: int) -> dict[str, Any]:
    """The offer if it belongs to the caller's vendor company; anyone else gets the 404 of a missing offer.

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
        raise NotFound(NO_SUCH_OFFER)
    return row


async def offers_out(rows: list[dict[str, Any]], before_revision: int | None = None) -> list[OfferOut]:
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
    row_currency = {row["id"]: row["rfq.currency"] for row in rows}
    for revision in revisions:
        revisions_by_offer[revision["offer"]].append(RevisionOut(
            number=revision["number"], received_at=revision["received_at"],
            lead_time_days=revision["lead_time_days"], valid_until=revision["valid_until"], notes=revision["notes"],
            lines=lines_by_revision[revision["id"]], currency=revision["currency"] or row_currency.get(
                revision["offer"], ""), payment_terms_days=revision["payment_terms_days"],
        ))
    return [
        OfferOut(
            # The offer's currency is its latest revision's (the RFQ's unless the vendor chose another).
            id=row["id"], rfq_id=row["rfq"], status=row["status"],
            currency=_latest_currency(revisions_by_offer[row["id"]], row["rfq.currency"]),
            revision_count=row["revision_count"], created_at=row["created_at"], withdrawn_at=row["withdrawn_at"],
            revisions=revisions_by_offer[row["id"]],
        )
        for row in rows
    ]


def _latest_currency(revisions: list[RevisionOut], rfq_currency: str) -> str:
    return revisions[-1].currency if revisions else rfq_currency


@dataclass(frozen=True, slots=True)
class LatestRevision:
    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_id: int
    number: int
    received_at: datetime
    lead_time_days: int
    valid_until: datetime | None
    notes: str
    lines: dict[int, tuple[int, int]]  # rfq line id → (unit price minor, quantity), in `currency`
    currency: str = ""
    payment_terms_days: int = 0


async def latest_revisions(rfq_id: int, offer_ids: list[int] | None = None) -> list[LatestRevision]:
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
        LatestRevision(
            offer_id=revision["offer"], vendor_id=by_id[revision["offer"]]["vendor"],
            vendor_name=by_id[revision["offer"]]["vendor.name"], revision_id=revision["id"], number=revision["number"],
            received_at=revision["received_at"], lead_time_days=revision["lead_time_days"],
            valid_until=revision["valid_until"], notes=revision["notes"], lines=lines[revision["id"]],
            currency=revision["currency"], payment_terms_days=revision["payment_terms_days"],
        )
        for revision in sorted(revisions, key=lambda r: r["offer"])
    ]


async def insert_revision(offer_id: int, number: int, principal: Principal, data: OfferIn, now: datetime,
                           parsed: list[Any], valid_until: datetime | None,
                           terms: tuple[str, int]) -> tuple[int, RevisionOut]:
    """Write one immutable revision with its lines; `terms` is its (currency, payment days) as
    rules.offer_terms decided; returns its id and the revision as the vendor sees it."""
    currency, payment_days = terms
    rows = await OfferRevision.raw(
        "INSERT INTO offer_revision (offer, number, received_at, submitted_by, lead_time_days, valid_until, notes,"
        " currency, payment_terms_days) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        offer_id, number, now, principal.user_id, data.lead_time_days, valid_until, data.notes, currency,
        payment_days,
    )
    await insert_lines(rows[0]["id"], [(line.rfq_line_id, line.unit_price_minor, line.quantity) for line in parsed])
    return rows[0]["id"], RevisionOut(
        number=number, received_at=now, lead_time_days=data.lead_time_days, valid_until=valid_until,
        notes=data.notes, lines=[
            OfferLineOut(line.rfq_line_id, from_minor(line.unit_price_minor), line.quantity) for line in parsed
        ], currency=currency, payment_terms_days=payment_days,
    )


async def insert_lines(revision_id: int, lines: list[tuple[int, int, int]]) -> None:
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


async def offer_row(offer_id: int) -> dict[str, Any]:
    row = await Offer.select(
        Offer.id, Offer.rfq, Offer.vendor, Offer.status, Offer.revision_count, Offer.created_at, Offer.withdrawn_at,
        Offer.rfq.currency, Offer.rfq.title, Offer.rfq.number,
    ).where(Offer.id == offer_id).first()
    if row is None:
        raise NotFound(NO_SUCH_OFFER)
    return row


async def offer_for_buyer(principal: Principal, offer_id: int, *, acting: bool = False) -> dict[str, Any]:
    """The offer, for the buyer of its RFQ once prices are revealed; else the 404 of a missing offer (sealed
    means unseen; another company's RFQ is not named). `acting`: the caller must also be a buyer user of the
    RFQ's own company (operators and group admins may read the thread, not negotiate)."""
    row = await offer_row(offer_id)
    head = await rfq_for_buyer(principal, row["rfq"], not_found=NO_SUCH_OFFER)
    buyer_sees_offers(head, WhenSealed.MISSING)
    if acting:
        buyer_actor(principal, head)
    return row


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
