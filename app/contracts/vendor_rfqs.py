"""The vendor's RFQ lists: the inbox (closed RFQs that wait for the vendor above the open ones), the history of
past RFQs with the vendor's own outcome, and the dashboard's figures of both. They live here, above offers,
because what waits for a vendor after the close ends in contracts (lines to link, amendments to decide).

Every list is of the RFQs meant for the vendor (rfq.access.meant_for_vendor, the rule of its RFQ page), filtered
and paged in SQL. A vendor learns only its own outcome: whether it won, never who else did on which line.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from app import db, grids
from app.auth import Principal
from app.contracts.rules import Side, VersionStatus
from app.contracts.tables import ContractLine, ContractVersion
from app.errors import InvalidInput
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.offers import services, store
from app.offers.rules import Outcome, outcome_of
from app.offers.schemas import (
    HistoryItemOut,
    HistoryPageOut,
    InboxItemOut,
    VendorInboxOut,
    VendorRfqCountsOut,
    WaitingRfqOut,
    WaitingTaskOut,
)
from app.offers.tables import Award, CounterProposal, Offer, OfferStatus, ProposalStatus
from app.rfq.access import meant_for_vendor
from app.rfq.mail import vendor_path
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation

HISTORY_PAGE_SIZE = 25
PAST = (RfqStatus.CLOSED.value, RfqStatus.AWARDED.value, RfqStatus.CANCELLED.value)

# The outcome rule (offers.rules.outcome_of) as SQL on the query's `rfq` row, for vendor {}: the same cases in
# the same order, so a list filtered by outcome holds exactly the rows that show that outcome.
_WON = 'EXISTS (SELECT 1 FROM "award" AS a WHERE a."rfq" = "rfq"."id" AND a."vendor" = {})'
_OFFERED = ('EXISTS (SELECT 1 FROM "offer" AS o WHERE o."rfq" = "rfq"."id" AND o."vendor" = {}'
            " AND o.\"status\" = 'live')")
_DECLINED = ('EXISTS (SELECT 1 FROM "rfq_invitation" AS d WHERE d."rfq" = "rfq"."id" AND d."vendor" = {}'
             ' AND d."declined_at" IS NOT NULL)')
_DECIDED = "\"rfq\".\"status\" IN ('closed', 'awarded')"
_OUTCOME_SQL: dict[Outcome, tuple[str, int]] = {  # the condition and how many times it names the vendor
    Outcome.CANCELLED: ("\"rfq\".\"status\" = 'cancelled'", 0),
    Outcome.WON: (f"{_DECIDED} AND {_WON}", 1),
    Outcome.LOST: (f"\"rfq\".\"status\" = 'awarded' AND NOT {_WON} AND {_OFFERED}", 2),
    Outcome.PENDING: (f"\"rfq\".\"status\" = 'closed' AND NOT {_WON} AND {_OFFERED}", 2),
    Outcome.DECLINED: (f"{_DECIDED} AND NOT {_WON} AND NOT {_OFFERED} AND {_DECLINED}", 3),
    Outcome.NO_ANSWER: (f"{_DECIDED} AND NOT {_WON} AND NOT {_OFFERED} AND NOT {_DECLINED}", 3),
}


def outcome_is(outcome: Outcome, vendor_id: int) -> WhereRaw:
    """A where-clause on `Rfq` queries: the RFQ ended with `outcome` for the vendor."""
    sql, times = _OUTCOME_SQL[outcome]
    return WhereRaw(sql, *([vendor_id] * times))


def parse_outcome(raw: str | None) -> Outcome | None:
    if not raw:
        return None
    try:
        return Outcome(raw)
    except ValueError:
        raise InvalidInput(f"outcome must be one of {', '.join(o.value for o in Outcome)}") from None


async def inbox(principal: Principal, page: int = 1) -> VendorInboxOut:
    """The inbox page: the closed RFQs that wait for the vendor, then one page of the open ones."""
    open_page = await services.vendor_inbox(principal, page)
    return VendorInboxOut(waiting=await waiting_for(principal), open=open_page)


async def waiting_for(principal: Principal) -> list[WaitingRfqOut]:
    """Closed or awarded RFQs meant for the vendor where it has something to do: an open counter-proposal to
    accept or answer, contract lines to link to its listings, an amendment the buyer proposed (four queries)."""
    store.require_seller(principal)
    vendor_id = principal.company_id
    now = await db.db_now()
    tasks: dict[int, list[WaitingTaskOut]] = defaultdict(list)
    for row in await CounterProposal.select(CounterProposal.offer.rfq).where(
        (CounterProposal.status == ProposalStatus.OPEN.value) & (CounterProposal.offer.vendor == vendor_id)
        & (CounterProposal.offer.status == OfferStatus.LIVE.value)
        & (CounterProposal.offer.rfq.status == RfqStatus.CLOSED.value)
    ).order_by(CounterProposal.id):
        rfq_id = row["offer.rfq"]
        tasks[rfq_id].append(WaitingTaskOut("counter_proposal", "A counter-proposal to accept or answer",
                                            vendor_path(rfq_id)))
    # Contracts still in force: an expired or terminated one takes no link and no amendment.
    in_force = ((ContractLine.contract.vendor == vendor_id) & ContractLine.contract.terminated_at.is_null()
                & (ContractLine.contract.valid_to > now))
    unlinked: dict[tuple[int, int, str], int] = defaultdict(int)
    for row in await ContractLine.select(
        ContractLine.contract, ContractLine.contract.rfq, ContractLine.contract.number,
    ).where(in_force & ContractLine.listing.is_null()).order_by(ContractLine.position):
        unlinked[(row["contract.rfq"], row["contract"], row["contract.number"])] += 1
    for (rfq_id, contract_id, number), count in sorted(unlinked.items()):
        tasks[rfq_id].append(WaitingTaskOut(
            "lines_to_link", f"{count} line{'s' if count > 1 else ''} of contract {number} to link to your listings",
            f"/contracts/{contract_id}"))
    for row in await ContractVersion.select(
        ContractVersion.contract, ContractVersion.contract.rfq, ContractVersion.contract.number,
        ContractVersion.number,
    ).where(
        (ContractVersion.status == VersionStatus.PROPOSED.value)
        & (ContractVersion.proposed_side == Side.BUYER.value) & (ContractVersion.contract.vendor == vendor_id)
        & ContractVersion.contract.terminated_at.is_null() & (ContractVersion.contract.valid_to > now)
    ).order_by(ContractVersion.id):
        tasks[row["contract.rfq"]].append(WaitingTaskOut(
            "amendment", f"Version {row['number']} of contract {row['contract.number']} to accept or reject",
            f"/contracts/{row['contract']}"))
    if not tasks:
        return []
    rows = await Rfq.select(Rfq.id, Rfq.title, Rfq.number, Rfq.buyer.name, Rfq.status).where(
        Rfq.id.is_in(sorted(tasks)) & meant_for_vendor(vendor_id)
    ).order_by(Rfq.id, ascending=False)
    return [WaitingRfqOut(rfq_id=row["id"], title=row["title"], number=row["number"], buyer_name=row["buyer.name"],
                          status=row["status"],
                          tasks=tasks[row["id"]]) for row in rows]


async def history(principal: Principal, page: int = 1, outcome: str | None = None,
                  per_page: int = HISTORY_PAGE_SIZE) -> HistoryPageOut:
    """One page of the vendor's past RFQs (closed, awarded, cancelled), latest deadline first, each with the
    vendor's own outcome; `outcome` keeps only those that ended so (five queries)."""
    store.require_seller(principal)
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    wanted = parse_outcome(outcome)
    vendor_id = principal.company_id
    query = Rfq.select(Rfq.id, Rfq.title, Rfq.buyer.name, Rfq.status, Rfq.deadline).where(
        Rfq.status.is_in(list(PAST)) & meant_for_vendor(vendor_id)
    )
    if wanted is not None:
        query = query.where(outcome_is(wanted, vendor_id))
    rows = await query.order_by(Rfq.deadline, ascending=False).order_by(Rfq.id, ascending=False).limit(
        per_page + 1).offset((page - 1) * per_page)
    visible, more = rows[:per_page], len(rows) > per_page
    items = await _history_items(vendor_id, visible)
    return HistoryPageOut(items=items, outcome=wanted.value if wanted else None, page=page, per_page=per_page,
                          next_page=page + 1 if more else None)


async def _history_items(vendor_id: int, rows: list[dict[str, Any]]) -> list[HistoryItemOut]:
    """Past RFQs with the vendor's own outcome of each: three queries."""
    ids = [row["id"] for row in rows] or [-1]
    won = {row["rfq"]: row["n"] for row in await Award.select(Award.rfq, Count(alias="n")).where(
        (Award.vendor == vendor_id) & Award.rfq.is_in(ids)).group_by(Award.rfq)}
    offered = {row["rfq"] for row in await Offer.select(Offer.rfq).where(
        (Offer.vendor == vendor_id) & (Offer.status == OfferStatus.LIVE.value) & Offer.rfq.is_in(ids))}
    declined = {row["rfq"] for row in await RfqInvitation.select(RfqInvitation.rfq).where(
        (RfqInvitation.vendor == vendor_id) & RfqInvitation.declined_at.is_not_null() & RfqInvitation.rfq.is_in(ids))}
    items = []
    for row in rows:
        ended = outcome_of(RfqStatus(row["status"]), row["id"] in won, row["id"] in offered, row["id"] in declined)
        items.append(HistoryItemOut(
            rfq_id=row["id"], title=row["title"], buyer_name=row["buyer.name"], status=row["status"],
            deadline=row["deadline"], outcome=ended.value if ended else "", lines_won=won.get(row["id"], 0)))
    return items


async def counts(principal: Principal) -> VendorRfqCountsOut:
    """The dashboard's figures: open RFQs, RFQs waiting for the vendor, past RFQs by outcome."""
    store.require_seller(principal)
    vendor_id = principal.company_id
    open_count = await Rfq.count().where((Rfq.status == RfqStatus.PUBLISHED.value) & meant_for_vendor(vendor_id))
    outcomes = {
        outcome.value: await Rfq.count().where(meant_for_vendor(vendor_id)).where(outcome_is(outcome, vendor_id))
        for outcome in Outcome
    }
    return VendorRfqCountsOut(open=open_count, waiting=len(await waiting_for(principal)), outcomes=outcomes)


OPEN_GRID = GridSpec(
    path="/vendor/rfqs",
    columns=(GridColumn("title", "RFQ"), GridColumn("currency", "Currency"), GridColumn("deadline", "Deadline"),
             GridColumn("left", "Time left", sortable=False), GridColumn("answer", "Your answer", sortable=False)),
    default_sort="deadline", search_label="RFQ title or buyer",
    filters=(GridFilter("answer", "Your answer", (("offered", "offer made"), ("declined", "declined"),
                                                  ("none", "not answered"))),),
    per_page=services.INBOX_PAGE_SIZE, export_name="open-rfqs", sheet_title="Open RFQs",
)
OPEN_EXPORT_HEADER = ("RFQ", "Currency", "Deadline (UTC)", "Your answer", "Revisions")
_OPEN_ORDER = {"title": (Rfq.title,), "currency": (Rfq.currency,), "deadline": (Rfq.deadline,)}
_ANSWERED = {
    "offered": (_OFFERED, 1),
    "declined": (f"NOT {_OFFERED} AND {_DECLINED}", 2),
    "none": (f"NOT {_OFFERED} AND NOT {_DECLINED}", 2),
}


async def open_grid(principal: Principal, state: GridState) -> GridPage:
    """The inbox's open RFQs as its grid selects and orders them, each with the vendor's answer: four queries."""
    store.require_seller(principal)
    vendor_id = principal.company_id
    where = (Rfq.status == RfqStatus.PUBLISHED.value) & meant_for_vendor(vendor_id)
    text = grids.search((Rfq.title, Rfq.buyer.name), state.q)
    if text is not None:
        where &= text
    if state.filter("answer"):
        sql, times = _ANSWERED[state.filter("answer")]
        where &= WhereRaw(sql, *([vendor_id] * times))
    rows = await grids.paged(grids.ordered(Rfq.select(Rfq.id, Rfq.title, Rfq.currency, Rfq.deadline).where(where),
                                           state, _OPEN_ORDER, Rfq.id), state)
    return state.page_of(await services.inbox_items(vendor_id, rows), await Rfq.count().where(where))


def open_export_row(item: InboxItemOut) -> tuple[object, ...]:
    answer = "offer made" if item.offer_id else ("declined" if item.declined else "not answered")
    return (item.title, item.currency, item.deadline, answer, item.offer_revisions)


OUTCOME_LABELS = {"won": "won", "lost": "lost", "pending": "offer in, award pending", "declined": "declined",
                  "no_answer": "no answer", "cancelled": "cancelled by the buyer"}
HISTORY_GRID = GridSpec(
    path="/vendor/rfqs/history",
    columns=(GridColumn("title", "RFQ"), GridColumn("buyer", "Buyer"), GridColumn("status", "Status"),
             GridColumn("deadline", "Deadline"), GridColumn("outcome", "Your outcome", sortable=False),
             GridColumn("won", "Lines won", sortable=False)),
    default_sort="deadline", default_descending=True, search_label="RFQ title or buyer",
    filters=(GridFilter("outcome", "Your outcome", tuple((o.value, OUTCOME_LABELS[o.value]) for o in Outcome)),),
    per_page=HISTORY_PAGE_SIZE, export_name="rfq-history", sheet_title="RFQ history",
)
HISTORY_EXPORT_HEADER = ("RFQ", "Buyer", "Status", "Deadline (UTC)", "Your outcome", "Lines won")
_HISTORY_ORDER = {"title": (Rfq.title,), "buyer": (Rfq.buyer.name,), "status": (Rfq.status,),
                  "deadline": (Rfq.deadline,)}


async def history_grid(principal: Principal, state: GridState) -> GridPage:
    """The vendor's past RFQs as the history's grid selects and orders them, each with its own outcome."""
    store.require_seller(principal)
    vendor_id = principal.company_id
    where = Rfq.status.is_in(list(PAST)) & meant_for_vendor(vendor_id)
    text = grids.search((Rfq.title, Rfq.buyer.name), state.q)
    if text is not None:
        where &= text
    if state.filter("outcome"):
        where &= outcome_is(Outcome(state.filter("outcome")), vendor_id)
    rows = await grids.paged(grids.ordered(
        Rfq.select(Rfq.id, Rfq.title, Rfq.buyer.name, Rfq.status, Rfq.deadline).where(where), state,
        _HISTORY_ORDER, Rfq.id), state)
    return state.page_of(await _history_items(vendor_id, rows), await Rfq.count().where(where))


def history_export_row(item: HistoryItemOut) -> tuple[object, ...]:
    return (item.title, item.buyer_name, item.status, item.deadline, OUTCOME_LABELS.get(item.outcome, item.outcome),
            item.lines_won)
