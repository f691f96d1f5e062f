"""Reading RFQs: the buyer's and the vendor's view of one, the lists each role gets, the vendors a buyer may invite."""

from __future__ import annotations

from typing import Any

from app import grids
from app.accounts.roles import CompanyKind
from app.auth import Principal, scope_to_companies
from app.contracts.tables import Contract
from app.errors import InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor
from app.offers.tables import Offer, OfferStatus
from app.rfq import access, attachments, cost_centers
from app.rfq.access import RfqHead
from app.rfq.schemas import (
    AuctionSettingsOut,
    InvitationOut,
    RfqContractOut,
    RfqLineOut,
    RfqOut,
    RfqPage,
    RfqSummaryOut,
    RfqVendorOut,
)
from app.rfq.states import (
    BiddingMode,
    RfqStatus,
)
from app.rfq.tables import Rfq, RfqInvitation, RfqLine

MAX_PER_PAGE = 100


def choice(kind: type, raw: str, what: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"{what} must be one of {', '.join(v.value for v in kind)}") from None


async def get_rfq(principal: Principal, rfq_id: int) -> RfqOut | RfqVendorOut:
    """The buyer's view for its company (and operators), the vendor's view for a vendor it is meant for."""
    if principal.company_kind is CompanyKind.VENDOR:
        head = await access.rfq_for_vendor(principal, rfq_id)
        return await vendor_view(head, principal.company_id)
    await access.rfq_for_buyer(principal, rfq_id)
    return await buyer_view(rfq_id)


async def list_rfqs(principal: Principal, status: str | None, page: int, per_page: int) -> RfqPage:
    """Each role its own: buyers their companies' RFQs, vendors the published ones meant for them, operators all."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    wanted = choice(RfqStatus, status, "status") if status else None
    query, count = _visible_rfqs(principal)
    if wanted is not None:
        query, count = query.where(Rfq.status == wanted.value), count.where(Rfq.status == wanted.value)
    rows = await query.order_by(Rfq.deadline, ascending=False).order_by(Rfq.id, ascending=False).limit(
        per_page
    ).offset((page - 1) * per_page)
    return RfqPage(items=[_summary(row) for row in rows], total=await count, page=page, per_page=per_page)


RFQ_GRID = GridSpec(
    path="/rfqs",
    columns=(GridColumn("number", "Number"), GridColumn("title", "Title"), GridColumn("buyer", "Company"),
             GridColumn("status", "Status"), GridColumn("deadline", "Deadline"), GridColumn("mode", "Mode")),
    default_sort="deadline", default_descending=True, search_label="Number, title or company",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in RfqStatus)),
             GridFilter("mode", "Mode", tuple((m.value, m.value) for m in BiddingMode))),
    per_page=20, export_name="rfqs", sheet_title="RFQs",
)
_RFQ_ORDER = {"number": (Rfq.number,), "title": (Rfq.title,), "buyer": (Rfq.buyer.name,), "status": (Rfq.status,),
              "deadline": (Rfq.deadline,), "mode": (Rfq.bidding_mode,)}


async def rfq_grid(principal: Principal, state: GridState) -> GridPage:
    """The RFQ list page: the caller's RFQs as the grid's state sorts, searches, filters and pages them."""
    query, count = _visible_rfqs(principal)
    conditions = [grids.search((Rfq.number, Rfq.title, Rfq.buyer.name), state.q)]
    if state.filter("status"):
        conditions.append(Rfq.status == state.filter("status"))
    if state.filter("mode"):
        conditions.append(Rfq.bidding_mode == state.filter("mode"))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _RFQ_ORDER, Rfq.id), state)
    return state.page_of([_summary(row) for row in rows], await count)


def _visible_rfqs(principal: Principal) -> tuple[Any, Any]:
    query = Rfq.select(
        Rfq.id, Rfq.number, Rfq.title, Rfq.buyer, Rfq.buyer.name, Rfq.status, Rfq.deadline, Rfq.currency,
        Rfq.visibility, Rfq.bidding_mode,
    )
    count = Rfq.count()
    if principal.company_kind is CompanyKind.VENDOR:
        # The rule as SQL: the database filters and pages, no list of every RFQ meant for the vendor first.
        meant_for = access.meant_for_vendor(principal.company_id)
        return query.where(meant_for), count.where(meant_for)
    return scope_to_companies(query, Rfq.buyer, principal), scope_to_companies(count, Rfq.buyer, principal)


def _summary(row: dict[str, Any]) -> RfqSummaryOut:
    return RfqSummaryOut(
        id=row["id"], title=row["title"], buyer_id=row["buyer"], buyer_name=row["buyer.name"],
        status=row["status"], deadline=row["deadline"], currency=row["currency"], visibility=row["visibility"],
        bidding_mode=row["bidding_mode"], number=row["number"],
    )


async def rfq_row(rfq_id: int) -> dict[str, Any]:
    row = await Rfq.select(Rfq.all_columns(), Rfq.buyer.name).where(Rfq.id == rfq_id).first()
    if row is None:
        raise NotFound("No such RFQ.")
    return row


async def line_outs(rfq_id: int) -> list[RfqLineOut]:
    rows = await RfqLine.select().where(RfqLine.rfq == rfq_id).order_by(RfqLine.position)
    return [
        RfqLineOut(
            id=row["id"], position=row["position"], product_id=row["product"], description=row["description"],
            quantity=row["quantity"], unit=row["unit"], target_price=from_minor(row["target_price"]),
            notes=row["notes"],
        )
        for row in rows
    ]


def auction_out(row: dict[str, Any]) -> AuctionSettingsOut | None:
    if row["bidding_mode"] != BiddingMode.AUCTION.value:
        return None
    return AuctionSettingsOut(
        min_decrement=from_minor(row["min_decrement"]), show_best_price=row["show_best_price"],
        anti_snipe_minutes=row["anti_snipe_minutes"], max_extension_minutes=row["max_extension_minutes"],
    )


async def buyer_view(rfq_id: int) -> RfqOut:
    row = await rfq_row(rfq_id)
    invitations = await RfqInvitation.select(
        RfqInvitation.vendor, RfqInvitation.vendor.name, RfqInvitation.invited_at, RfqInvitation.declined_at,
        RfqInvitation.decline_reason,
    ).where(RfqInvitation.rfq == rfq_id).order_by(RfqInvitation.vendor.name)
    answered = {
        r["vendor"]
        for r in await Offer.select(Offer.vendor).where(
            (Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value)
        )
    }
    return RfqOut(
        id=row["id"], title=row["title"], description=row["description"], buyer_id=row["buyer"],
        buyer_name=row["buyer.name"], currency=row["currency"], delivery_address=row["delivery_address"],
        delivery_date=row["delivery_date"], payment_terms=row["payment_terms"], deadline=row["deadline"],
        visibility=row["visibility"], bidding_mode=row["bidding_mode"], auction=auction_out(row),
        status=row["status"], created_at=row["created_at"], published_at=row["published_at"],
        closed_at=row["closed_at"], cancelled_at=row["cancelled_at"], cancel_reason=row["cancel_reason"],
        lines=await line_outs(rfq_id),
        attachments=await attachments.list_attachments(rfq_id),
        invitations=[
            InvitationOut(
                vendor_id=i["vendor"], vendor_name=i["vendor.name"], invited_at=i["invited_at"],
                answered=i["vendor"] in answered, declined=i["declined_at"] is not None,
                decline_reason=i["decline_reason"],
            )
            for i in invitations
        ],
        answered_count=len(answered),
        invited_count=len(invitations),
        contracts=await contracts_of(rfq_id), number=row["number"],
        cost_center_id=center.id if (center := await cost_centers.of_rfq(rfq_id)) else None,
        cost_center=center.label if center else None,
    )


async def contracts_of(rfq_id: int) -> list[RfqContractOut]:
    """The contracts an RFQ's award made (none before the award), by number."""
    rows = await Contract.select(Contract.id, Contract.number, Contract.vendor.name).where(
        Contract.rfq == rfq_id
    ).order_by(Contract.number)
    return [RfqContractOut(id=row["id"], number=row["number"], vendor_name=row["vendor.name"]) for row in rows]


async def vendor_view(head: RfqHead, vendor_id: int) -> RfqVendorOut:
    row = await rfq_row(head.id)
    mine = await RfqInvitation.select(RfqInvitation.declined_at).where(
        (RfqInvitation.rfq == head.id) & (RfqInvitation.vendor == vendor_id)
    ).first()
    return RfqVendorOut(
        id=row["id"], title=row["title"], description=row["description"], buyer_name=row["buyer.name"],
        currency=row["currency"], delivery_address=row["delivery_address"], delivery_date=row["delivery_date"],
        payment_terms=row["payment_terms"], deadline=row["deadline"], visibility=row["visibility"],
        bidding_mode=row["bidding_mode"], auction=auction_out(row), status=row["status"],
        published_at=row["published_at"], closed_at=row["closed_at"], cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"], lines=await line_outs(head.id),
        attachments=await attachments.list_attachments(head.id),
        declined=bool(mine and mine["declined_at"] is not None), number=row["number"],
    )


