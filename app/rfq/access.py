"""Who may see an RFQ: its buyer company (and the group admins above it), the vendors it is
meant for once it is published, and operators. Anyone else gets 404, never a hint it exists.

An RFQ is meant for a vendor when the vendor is invited, or when it is `open` and the vendor is
an active vendor with at least one approved listing in the categories of the RFQ's catalog
products (with their subcategories; any approved listing when every line is free text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.roles import CompanyKind, CompanyStatus, Role
from app.auth import Principal, can_see_company
from app.catalog.tables import Listing
from app.errors import Forbidden, NotFound
from app.rfq.states import Actor, BiddingMode, RfqStatus, Visibility
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
    published_at: datetime | None = None

    @property
    def ever_published(self) -> bool:
        # A draft cancelled before publishing never reached any vendor.
        if self.status is RfqStatus.DRAFT:
            return False
        return not (self.status is RfqStatus.CANCELLED and self.published_at is None)


async def _head(rfq_id: int) -> RfqHead | None:
    row = await Rfq.select(
        Rfq.id, Rfq.buyer, Rfq.status, Rfq.visibility, Rfq.bidding_mode, Rfq.deadline, Rfq.currency, Rfq.title,
        Rfq.published_at,
    ).where(Rfq.id == rfq_id).first()
    if row is None:
        return None
    return RfqHead(
        id=row["id"], buyer_id=row["buyer"], status=RfqStatus(row["status"]), visibility=Visibility(row["visibility"]),
        bidding_mode=BiddingMode(row["bidding_mode"]), deadline=row["deadline"], currency=row["currency"],
        title=row["title"], published_at=row["published_at"],
    )


async def rfq_head(rfq_id: int) -> RfqHead | None:
    """The RFQ's head without any access check: for jobs acting as the system."""
    return await _head(rfq_id)


async def rfq_for_buyer(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if the caller's company (or group, or an operator) owns it; else 404."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is CompanyKind.VENDOR or not can_see_company(principal, head.buyer_id):
        raise NotFound("No such RFQ.")
    return head


async def rfq_for_vendor(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if it is published (or later) and meant for the caller's vendor company; else 404."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is not CompanyKind.VENDOR or not head.ever_published:
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


async def rfq_ids_meant_for(vendor_id: int) -> set[int]:
    """Every published-or-later RFQ meant for a vendor (the semantics above), in three queries."""
    from app.rfq.rules import open_rfq_meant_for

    published = (Rfq.status != RfqStatus.DRAFT.value) & Rfq.published_at.is_not_null()
    invited = {
        row["rfq"]
        for row in await RfqInvitation.select(RfqInvitation.rfq).where(
            (RfqInvitation.vendor == vendor_id) & (RfqInvitation.rfq.status != RfqStatus.DRAFT.value)
            & RfqInvitation.rfq.published_at.is_not_null()
        )
    }
    open_ids = [
        row["id"] for row in await Rfq.select(Rfq.id).where(published & (Rfq.visibility == Visibility.OPEN.value))
    ]
    if not open_ids:
        return invited
    listing_paths = await Listing.select(Listing.product.category.path).where(
        (Listing.vendor == vendor_id) & (Listing.status == "approved")
        & (Listing.vendor.status == CompanyStatus.ACTIVE.value)
    )
    vendor_paths = {row["product.category.path"] for row in listing_paths if row["product.category.path"]}
    rfq_paths: dict[int, set[str]] = {rfq_id: set() for rfq_id in open_ids}
    for row in await RfqLine.select(RfqLine.rfq, RfqLine.product.category.path).where(
        RfqLine.rfq.is_in(open_ids) & RfqLine.product.is_not_null()
    ):
        if row["product.category.path"]:
            rfq_paths[row["rfq"]].add(row["product.category.path"])
    return invited | {
        rfq_id for rfq_id, paths in rfq_paths.items() if open_rfq_meant_for(paths, vendor_paths, bool(listing_paths))
    }


# --- who may act on an RFQ ------------------------------------------------------------------------

BUYER_ROLES = frozenset({Role.PURCHASER, Role.BUYER_ADMIN, Role.APPROVER})
AWARDER_ROLES = frozenset({Role.BUYER_ADMIN, Role.APPROVER})


def buyer_actor(principal: Principal, head: RfqHead) -> Actor:
    """The Actor a caller is for this RFQ's transitions; 403 unless a buyer user of the RFQ's own company
    (a group admin may look at a subsidiary's RFQ, not act on it)."""
    if principal.company_id != head.buyer_id or not principal.has_any_role(BUYER_ROLES):
        raise Forbidden("Only a purchaser, buyer_admin or approver of the RFQ's company can do this.")
    return Actor.AWARDER if principal.has_any_role(AWARDER_ROLES) else Actor.BUYER
