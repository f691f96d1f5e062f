"""What waits for each role, the dashboard's "What waits for you" and GET /api/v1/me/tasks: loaded in a fixed number
of queries per role (each kind's rows in one, cut at PER_KIND), then put in order by waiting.ordered.

Every query is scoped as the area's own pages are: RFQs by the caller's company (rfq.access: a vendor's through
`meant_for_vendor`), contracts by their party, orders by orders.access.scope_sql. A task is what the caller can act
on, so the buyer's side is the caller's own company (a group admin looks at a subsidiary's RFQ, it does not act on
it); on it, deciders (buyer_admin, approver) see their company's RFQs to award and amendments to decide, and other
buyers the RFQs they wrote.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from piccolo.columns.combination import WhereRaw

from app import db
from app.accounts.roles import AWARDER_ROLES, SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.clock import as_utc
from app.contracts import vendor_rfqs
from app.contracts.rules import Side, VersionStatus
from app.contracts.tables import ContractVersion
from app.dashboard.schemas import TaskListOut, TaskOut
from app.dashboard.waiting import (
    Proposal,
    Task,
    TaskKind,
    answered_offers,
    capped,
    end_of_day,
    ordered,
    plural,
    rfq_named,
)
from app.notifications.tables import OutboxEmail, OutboxStatus
from app.offers.tables import CounterProposal, OfferRevision, OfferStatus, ProposalStatus
from app.orders import approvals
from app.orders.access import scope_sql
from app.orders.states import OrderStatus
from app.orders.tables import PurchaseOrder
from app.rfq.access import meant_for_vendor
from app.rfq.mail import buyer_path, vendor_path
from app.rfq.states import BiddingMode, RfqStatus
from app.rfq.tables import Rfq, RfqClarification

# Of each kind, the soonest (or oldest) this many; a task of kind `more` leads to the rest.
PER_KIND = 20

def _not_answered(vendor_id: int) -> WhereRaw:
    """A where-clause on `Rfq` queries: the vendor has no live offer on the RFQ and has not declined it."""
    return WhereRaw(
        'NOT EXISTS (SELECT 1 FROM "offer" AS o WHERE o."rfq" = "rfq"."id" AND o."vendor" = {} AND o."status" = {})'
        ' AND NOT EXISTS (SELECT 1 FROM "rfq_invitation" AS d WHERE d."rfq" = "rfq"."id" AND d."vendor" = {}'
        ' AND d."declined_at" IS NOT NULL)',
        vendor_id, OfferStatus.LIVE.value, vendor_id,
    )


async def task_list(principal: Principal) -> TaskListOut:
    """The caller's tasks as the API answers them."""
    return TaskListOut(items=[
        TaskOut(kind=t.kind.value, title=t.title, detail=t.detail, link=t.link, deadline=t.deadline,
                deadline_label=t.deadline_label, all_day=t.all_day)
        for t in await tasks_for(principal)
    ])


async def tasks_for(principal: Principal) -> list[Task]:
    """What waits for the caller, soonest deadline first (waiting.ordered)."""
    if principal.is_operator:
        return ordered(await _operator_tasks())
    if principal.company_kind is CompanyKind.VENDOR and principal.has_any_role(SELLER_ROLES):
        return ordered(await _vendor_tasks(principal))
    if principal.company_kind is CompanyKind.BUYER:
        return ordered(await _buyer_tasks(principal))
    return []


# --- buyers -------------------------------------------------------------------------------------


async def _buyer_tasks(principal: Principal) -> list[Task]:
    """Orders to approve, RFQs to award, questions to answer, counter-proposals the vendor answered, amendments to
    decide, orders to receive, drafts to finish (eleven queries)."""
    deciders = principal.has_any_role(AWARDER_ROLES)
    tasks = [
        *await _orders_to_approve(principal),
        *await _rfqs_to_award(principal, deciders),
        *await _questions_to_answer(principal, deciders),
        *await _answered_proposals(principal, deciders),
        *await _orders_to_receive(principal),
        *await _drafts(principal),
    ]
    if deciders:
        tasks += await _amendments_to_decide(principal)
    return tasks


async def _orders_to_approve(principal: Principal) -> list[Task]:
    """Orders waiting for an approval the caller may give now; due when the request expires (approvals.waiting_for:
    four queries, whatever the number of orders)."""
    tasks = [
        Task(TaskKind.ORDER_TO_APPROVE, f"Approve or refuse order {item.group_number}", "/approvals",
             detail=f"PO {item.po_number}, " + ", ".join(f"{net} {cur}" for cur, net in item.net.items()) + " net",
             deadline=item.expires_at, deadline_label="Expires")
        for item in await approvals.waiting_for(principal)
    ]
    return capped(tasks, PER_KIND, "More orders to approve", "/approvals")


async def _rfqs_to_award(principal: Principal, deciders: bool) -> list[Task]:
    """Closed RFQs: compare the offers and award; due when the first offer's validity runs out (two queries)."""
    where = (Rfq.buyer == principal.company_id) & (Rfq.status == RfqStatus.CLOSED.value)
    if not deciders:
        where &= Rfq.author == principal.user_id
    rows = await Rfq.select(Rfq.id, Rfq.title, Rfq.number).where(where).order_by(Rfq.closed_at).order_by(
        Rfq.id).limit(PER_KIND + 1)
    expiry = await _first_offer_expiry([row["id"] for row in rows[:PER_KIND]])
    tasks = [
        Task(TaskKind.RFQ_TO_AWARD, "Compare the offers and award" if deciders else "Compare the offers",
             f"/rfqs/{row['id']}/comparison", detail=rfq_named(row["title"], row["number"]),
             deadline=expiry.get(row["id"]), deadline_label="First offer expires" if row["id"] in expiry else "")
        for row in rows
    ]
    return capped(tasks, PER_KIND, "More RFQs to award", "/rfqs?status=closed")


async def _first_offer_expiry(rfq_ids: list[int]) -> dict[int, datetime]:
    """Per RFQ, when the first of its live offers' current revisions stops being valid (those that say)."""
    if not rfq_ids:
        return {}
    rows = await OfferRevision.select(
        OfferRevision.offer.rfq, OfferRevision.number, OfferRevision.offer.revision_count, OfferRevision.valid_until,
    ).where(
        OfferRevision.offer.rfq.is_in(rfq_ids) & (OfferRevision.offer.status == OfferStatus.LIVE.value)
        & OfferRevision.valid_until.is_not_null()
    )
    first: dict[int, datetime] = {}
    for row in rows:
        if row["number"] != row["offer.revision_count"]:
            continue  # an earlier revision: the offer stands as its current one says
        rfq_id, until = row["offer.rfq"], as_utc(row["valid_until"])
        if rfq_id not in first or until < first[rfq_id]:
            first[rfq_id] = until
    return first


async def _questions_to_answer(principal: Principal, deciders: bool) -> list[Task]:
    """Vendors' questions on the company's RFQs still open for bids, due by the RFQ's deadline (one query)."""
    where = (RfqClarification.rfq.buyer == principal.company_id) & RfqClarification.answered_at.is_null() & (
        RfqClarification.rfq.status == RfqStatus.PUBLISHED.value)
    if not deciders:
        where &= RfqClarification.rfq.author == principal.user_id
    asked: dict[int, int] = defaultdict(int)
    heads: dict[int, tuple[str, datetime]] = {}  # an RFQ's name (title and number) and deadline
    for row in await RfqClarification.select(
        RfqClarification.rfq, RfqClarification.rfq.title, RfqClarification.rfq.deadline, RfqClarification.rfq.number,
    ).where(where).order_by(RfqClarification.id):
        asked[row["rfq"]] += 1
        heads[row["rfq"]] = (rfq_named(row["rfq.title"], row["rfq.number"]), as_utc(row["rfq.deadline"]))
    return [
        Task(TaskKind.QUESTIONS_TO_ANSWER, f"Answer {plural(count, 'question')} of vendors", buyer_path(rfq_id),
             detail=heads[rfq_id][0], deadline=heads[rfq_id][1], deadline_label="Bidding closes")
        for rfq_id, count in asked.items()
    ]


async def _answered_proposals(principal: Principal, deciders: bool) -> list[Task]:
    """Offers on the company's closed RFQs whose vendor accepted or answered the latest counter-proposal (one
    query: every proposal of those offers; waiting.answered_offers picks the latest)."""
    where = (CounterProposal.offer.rfq.buyer == principal.company_id) & (
        CounterProposal.offer.rfq.status == RfqStatus.CLOSED.value) & (
        CounterProposal.offer.status == OfferStatus.LIVE.value)
    if not deciders:
        where &= CounterProposal.offer.rfq.author == principal.user_id
    rows = await CounterProposal.select(
        CounterProposal.id, CounterProposal.offer, CounterProposal.status, CounterProposal.offer.rfq,
        CounterProposal.offer.rfq.title, CounterProposal.offer.rfq.number, CounterProposal.offer.vendor.name,
    ).where(where)
    offers = {row["offer"]: row for row in rows}
    answered = answered_offers(
        Proposal(row["id"], row["offer"], is_open=row["status"] == ProposalStatus.OPEN.value,
                 accepted=row["status"] == ProposalStatus.ACCEPTED.value) for row in rows)
    tasks = []
    for offer_id, proposal in sorted(answered.items()):
        row = offers[offer_id]
        said = "accepted" if proposal.accepted else "answered"
        tasks.append(Task(
            TaskKind.PROPOSAL_ANSWERED, f"{row['offer.vendor.name']} {said} your counter-proposal",
            f"/rfqs/{row['offer.rfq']}/offers/{offer_id}/negotiation",
            detail=rfq_named(row["offer.rfq.title"], row["offer.rfq.number"]),
        ))
    return tasks


async def _amendments_to_decide(principal: Principal) -> list[Task]:
    """Amendments a vendor proposed to the company's contracts in force: accept or reject (one query)."""
    rows = await ContractVersion.select(
        ContractVersion.contract, ContractVersion.number, ContractVersion.contract.number,
        ContractVersion.contract.vendor.name,
    ).where(
        (ContractVersion.status == VersionStatus.PROPOSED.value) & (ContractVersion.proposed_side == Side.VENDOR.value)
        & (ContractVersion.contract.buyer == principal.company_id) & ContractVersion.contract.terminated_at.is_null()
        & (ContractVersion.contract.valid_to > await db.db_now())
    ).order_by(ContractVersion.id)
    return [
        Task(TaskKind.AMENDMENT_TO_DECIDE, f"Accept or reject version {row['number']} of contract "
             f"{row['contract.number']}", f"/contracts/{row['contract']}",
             detail=f"Proposed by {row['contract.vendor.name']}")
        for row in rows
    ]


async def _drafts(principal: Principal) -> list[Task]:
    """The caller's own draft RFQs, to finish and publish before their planned deadline (one query)."""
    rows = await Rfq.select(Rfq.id, Rfq.title, Rfq.number, Rfq.deadline).where(
        (Rfq.buyer == principal.company_id) & (Rfq.author == principal.user_id)
        & (Rfq.status == RfqStatus.DRAFT.value)
    ).order_by(Rfq.deadline).order_by(Rfq.id).limit(PER_KIND + 1)
    tasks = [
        Task(TaskKind.DRAFT_RFQ, "Finish and publish your draft RFQ", buyer_path(row["id"]),
             detail=rfq_named(row["title"], row["number"]), deadline=as_utc(row["deadline"]),
             deadline_label="Planned deadline")
        for row in rows
    ]
    return capped(tasks, PER_KIND, "More draft RFQs", "/rfqs?status=draft")


async def _orders_to_receive(principal: Principal) -> list[Task]:
    """Orders the caller may see (orders.access) with something shipped: record what arrived (one query)."""
    rows = await _orders(principal, (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED))
    tasks = [
        Task(TaskKind.ORDER_TO_RECEIVE, f"Record the receipt of order {row['number']}", f"/orders/{row['id']}",
             detail=f"{row['counterpart']}: {OrderStatus(row['status']).label}")
        for row in rows
    ]
    return capped(tasks, PER_KIND, "More orders to receive", "/orders?status=shipped")


# --- vendors ------------------------------------------------------------------------------------


async def _vendor_tasks(principal: Principal) -> list[Task]:
    """RFQs to answer, what waits after the close (counter-proposals, amendments, lines to link), orders to
    confirm, ship or whose cancellation to answer (six queries)."""
    return [*await _rfqs_to_answer(principal), *await _after_the_close(principal), *await _vendor_orders(principal)]


async def _rfqs_to_answer(principal: Principal) -> list[Task]:
    """RFQs meant for the vendor (rfq.access), open for bids, that it has neither answered nor declined (one
    query)."""
    vendor_id = principal.company_id
    rows = await Rfq.select(Rfq.id, Rfq.title, Rfq.number, Rfq.buyer.name, Rfq.deadline, Rfq.bidding_mode).where(
        (Rfq.status == RfqStatus.PUBLISHED.value) & (Rfq.deadline > await db.db_now()) & meant_for_vendor(vendor_id)
        & _not_answered(vendor_id)
    ).order_by(Rfq.deadline).order_by(Rfq.id).limit(PER_KIND + 1)
    tasks = [
        Task(TaskKind.RFQ_TO_ANSWER, "Bid in the auction" if row["bidding_mode"] == BiddingMode.AUCTION.value
             else "Answer the request for quotation", vendor_path(row["id"]),
             detail=f"{rfq_named(row['title'], row['number'])} from {row['buyer.name']}",
             deadline=as_utc(row["deadline"]),
             deadline_label="Auction ends" if row["bidding_mode"] == BiddingMode.AUCTION.value else "Bidding closes")
        for row in rows
    ]
    return capped(tasks, PER_KIND, "More RFQs to answer", "/vendor/rfqs#open")


_AFTER_THE_CLOSE = {"counter_proposal": TaskKind.COUNTER_PROPOSAL, "lines_to_link": TaskKind.LINES_TO_LINK,
                    "amendment": TaskKind.AMENDMENT}


async def _after_the_close(principal: Principal) -> list[Task]:
    """The RFQ inbox's "waiting for you" (contracts.vendor_rfqs.waiting_for, four queries), one task each."""
    return [
        Task(_AFTER_THE_CLOSE[task.kind], task.text, task.href,
             detail=f"{rfq_named(rfq.title, rfq.number)} from {rfq.buyer_name}")
        for rfq in await vendor_rfqs.waiting_for(principal)
        for task in rfq.tasks
    ]


async def _vendor_orders(principal: Principal) -> list[Task]:
    """Orders to the vendor to confirm, to ship (by the expected ship date) or whose cancellation to answer (one
    query)."""
    rows = await _orders(principal, (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED,
                                     OrderStatus.CANCELLATION_REQUESTED))
    tasks = []
    for row in rows:
        status, link, detail = OrderStatus(row["status"]), f"/vendor/orders/{row['id']}", f"From {row['counterpart']}"
        if status is OrderStatus.PLACED:
            tasks.append(Task(TaskKind.ORDER_TO_CONFIRM, f"Confirm or reject order {row['number']}", link, detail))
        elif status is OrderStatus.CANCELLATION_REQUESTED:
            tasks.append(Task(TaskKind.CANCELLATION_TO_ANSWER, f"Answer the cancellation request of order "
                              f"{row['number']}", link, detail))
        else:
            ship_date = _day(row["expected_ship_date"])
            tasks.append(Task(TaskKind.ORDER_TO_SHIP, f"Ship order {row['number']}", link, detail,
                              deadline=end_of_day(ship_date) if ship_date else None,
                              deadline_label="Expected to ship" if ship_date else "", all_day=ship_date is not None))
    return capped(tasks, PER_KIND, "More orders to handle", "/vendor/orders")


# --- orders, both sides ---------------------------------------------------------------------------


async def _orders(principal: Principal, statuses: tuple[OrderStatus, ...]) -> list[dict]:
    """The oldest PER_KIND + 1 orders in `statuses` that the caller may see (orders.access.scope_sql), with the
    other party's name."""
    scope, args = scope_sql(principal)
    other = "vendor" if principal.company_kind is CompanyKind.BUYER else "buyer"
    marks = ", ".join("{}" for _ in statuses)
    return await PurchaseOrder.raw(
        f"SELECT po.id AS id, po.number AS number, po.status AS status, po.expected_ship_date AS expected_ship_date,"  # noqa: S608 - constants and placeholders
        f" c.name AS counterpart FROM purchase_order po JOIN company c ON c.id = po.{other}"
        f" WHERE {scope} AND po.status IN ({marks}) ORDER BY po.placed_at, po.id LIMIT {PER_KIND + 1}",
        *args, *[status.value for status in statuses],
    )


def _day(value: date | str | None) -> date | None:
    # SQLite hands a raw query's DATE back as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


# --- operators ----------------------------------------------------------------------------------


async def _operator_tasks() -> list[Task]:
    """Listings waiting for curation, oldest submission first, and e-mails the outbox gave up on (two queries)."""
    rows = await Listing.select(Listing.id, Listing.title, Listing.sku, Listing.vendor.name).where(
        Listing.status == ListingStatus.PENDING.value
    ).order_by(Listing.submitted_at).order_by(Listing.id).limit(PER_KIND + 1)
    tasks = capped([
        Task(TaskKind.LISTING_TO_CURATE, f"Curate the listing {row['title']}",
             f"/operator/curation/listings/{row['id']}", detail=f"{row['vendor.name']}, SKU {row['sku']}")
        for row in rows
    ], PER_KIND, "More listings to curate", "/operator/curation?status=pending")
    failed = await OutboxEmail.count().where(OutboxEmail.status == OutboxStatus.FAILED.value)
    if failed:
        tasks.append(Task(TaskKind.FAILED_EMAILS, f"{plural(failed, 'e-mail')} could not be sent",
                          "/operator/outbox?status=failed", detail="Check the addresses and the mail server"))
    return tasks
