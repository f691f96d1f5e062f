"""Who may see an RFQ: its buyer company (and the group admins above it), the vendors it is
meant for once it is published, and operators. Anyone else gets 404, never a hint it exists.

An RFQ is meant for a vendor when the vendor is invited, or when it is `open` and the vendor is
an active vendor with at least one approved listing in the categories of the RFQ's catalog
products (with their subcategories; any approved listing when every line is free text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.roles import CompanyKind, CompanyStatus
from app.auth import Principal, can_see_company
from app.catalog.tables import Listing
from app.errors import NotFound
from app.rfq.states import BiddingMode, RfqStatus, Visibility
from app.rfq.tables import Rfq, RfqInvitation, RfqLine


@dataclass(frozen=True, slots=True)
class RfqHead:
    """What access decisions need to know about an RFQ."""

    id: int
    buyer_id: int
    status: RfqStatus
    visibility: Visibility
    bidding_mode: BiddingMode
    deadline: datetime
    currency: str
    title: str


async def _head(rfq_id: int) -> RfqHead | None:
    row = await Rfq.select(
        Rfq.id, Rfq.buyer, Rfq.status, Rfq.visibility, Rfq.bidding_mode, Rfq.deadline, Rfq.currency, Rfq.title
    ).where(Rfq.id == rfq_id).first()
    if row is None:
        return None
    return RfqHead(
        id=row["id"], buyer_id=row["buyer"], status=RfqStatus(row["status"]), visibility=Visibility(row["visibility"]),
        bidding_mode=BiddingMode(row["bidding_mode"]), deadline=row["deadline"], currency=row["currency"],
        title=row["title"],
    )


async def rfq_for_buyer(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if the caller's company (or group, or an operator) owns it; else 404."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is CompanyKind.VENDOR or not can_see_company(principal, head.buyer_id):
        raise NotFound("No such RFQ.")
    return head


async def rfq_for_vendor(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if it is published (or later) and meant for the caller's vendor company; else 404."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is not CompanyKind.VENDOR or head.status is RfqStatus.DRAFT:
        raise NotFound("No such RFQ.")
    if not await is_meant_for(head, principal.company_id):
        raise NotFound("No such RFQ.")
    return head


async def is_meant_for(head: RfqHead, vendor_id: int) -> bool:
    if await RfqInvitation.exists().where((RfqInvitation.rfq == head.id) & (RfqInvitation.vendor == vendor_id)):
        return True
    if head.visibility is not Visibility.OPEN:
        return False
    return vendor_id in await eligible_vendor_ids(head.id, [vendor_id])


async def eligible_vendor_ids(rfq_id: int, among: list[int] | None = None) -> set[int]:
    """Active vendors with an approved listing in the RFQ's categories (three queries)."""
    paths = [
        row["product.category.path"]
        for row in await RfqLine.select(RfqLine.product.category.path).where(
            (RfqLine.rfq == rfq_id) & RfqLine.product.is_not_null()
        )
        if row["product.category.path"]
    ]
    query = Listing.select(Listing.vendor).where(
        (Listing.status == "approved")
        & (Listing.vendor.kind == CompanyKind.VENDOR.value)
        & (Listing.vendor.status == CompanyStatus.ACTIVE.value)
    ).distinct()
    if paths:
        in_categories = None
        for path in sorted(set(paths)):
            condition = Listing.product.category.path.like(f"{path}%")
            in_categories = condition if in_categories is None else in_categories | condition
        query = query.where(in_categories)  # type: ignore[arg-type]
    if among is not None:
        query = query.where(Listing.vendor.is_in(among or [-1]))
    return {row["vendor"] for row in await query}



