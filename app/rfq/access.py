"""Who may see an RFQ: its buyer company (and the group admins above it), the vendors it is
meant for once it is published, and operators. Anyone else gets 404, never a hint it exists.

An RFQ is meant for a vendor when the vendor is invited, or when it is `open` and the vendor is
an active vendor that the buyer company's segment may see (its vendor rules:
catalog.visibility.is_vendor_visible) with at least one approved listing in the categories of the
RFQ's catalog products (with their subcategories; any approved listing when every line is free text).
A vendor the segment may not see is never invited: refused when invited and again when publishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Select

from app.accounts.roles import AWARDER_ROLES, BUYER_ROLES, CompanyKind, CompanyStatus
from app.auth import Principal, can_see_company
from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import Listing, SegmentMember, SegmentRule
from app.catalog.visibility import Rule, is_vendor_visible, vendor_rules_of_sql
from app.clock import format_moment
from app.errors import Conflict, Forbidden, NotFound
from app.locales import ANYWHERE, Place
from app.rfq.states import Actor, BiddingMode, RfqStatus, Visibility, prices_revealed
from app.rfq.tables import Rfq, RfqInvitation, RfqLine

# What a caller hears of an RFQ, and of an offer, that does not exist or that it may not see: the same words.
NO_SUCH_RFQ = "No such RFQ."
NO_SUCH_OFFER = "No such offer."


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
    number: str | None = None

    @property
    def reference(self) -> str:
        """How users name the RFQ: its number (an RFQ made by a test's shortcut may have none)."""
        return self.number or f"RFQ {self.id}"

    @property
    def ever_published(self) -> bool:
        # A draft cancelled before publishing never reached any vendor.
        if self.status is RfqStatus.DRAFT:
            return False
        return not (self.status is RfqStatus.CANCELLED and self.published_at is None)


async def _head(rfq_id: int) -> RfqHead | None:
    row = await Rfq.select(
        Rfq.id, Rfq.buyer, Rfq.status, Rfq.visibility, Rfq.bidding_mode, Rfq.deadline, Rfq.currency, Rfq.title,
        Rfq.published_at, Rfq.number,
    ).where(Rfq.id == rfq_id).first()
    if row is None:
        return None
    return RfqHead(
        id=row["id"], buyer_id=row["buyer"], status=RfqStatus(row["status"]), visibility=Visibility(row["visibility"]),
        bidding_mode=BiddingMode(row["bidding_mode"]), deadline=row["deadline"], currency=row["currency"],
        title=row["title"], published_at=row["published_at"], number=row["number"],
    )


async def rfq_head(rfq_id: int) -> RfqHead | None:
    """The RFQ's head without any access check: for jobs acting as the system."""
    return await _head(rfq_id)


async def rfq_for_buyer(principal: Principal, rfq_id: int, *, not_found: str = NO_SUCH_RFQ) -> RfqHead:
    """The RFQ if the caller's company (or group, or an operator) owns it; else 404 saying `not_found`.

    Reached through another object's id (an offer's), the 404 must be the one a missing object of that kind
    gets (`NO_SUCH_OFFER`): "No such RFQ." would tell a stranger that the object it named exists."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is CompanyKind.VENDOR or not can_see_company(principal, head.buyer_id):
        raise NotFound(not_found)
    return head


async def rfq_for_vendor(principal: Principal, rfq_id: int) -> RfqHead:
    """The RFQ if it is published (or later) and meant for the caller's vendor company; else 404."""
    head = await _head(rfq_id)
    if head is None or principal.company_kind is not CompanyKind.VENDOR or not head.ever_published:
        raise NotFound(NO_SUCH_RFQ)
    if not await is_meant_for(head, principal.company_id):
        raise NotFound(NO_SUCH_RFQ)
    return head


async def is_meant_for(head: RfqHead, vendor_id: int) -> bool:
    if await RfqInvitation.exists().where((RfqInvitation.rfq == head.id) & (RfqInvitation.vendor == vendor_id)):
        return True
    if head.visibility is not Visibility.OPEN:
        return False
    return vendor_id in await eligible_vendor_ids(head.id, [vendor_id])


async def vendor_rules(buyer: int | Select) -> list[Rule]:
    """The vendor rules of a buyer company's segment (one query); `buyer` is its id or a subquery giving it."""
    member = SegmentMember.company.is_in(buyer) if isinstance(buyer, Select) else SegmentMember.company == buyer
    rows = await SegmentRule.select(SegmentRule.effect, SegmentRule.target, SegmentRule.target_id).where(
        SegmentRule.segment.is_in(SegmentMember.select(SegmentMember.segment).where(member))
        & (SegmentRule.target == RuleTarget.VENDOR.value)
    )
    return [Rule(RuleEffect(row["effect"]), RuleTarget(row["target"]), row["target_id"]) for row in rows]


async def vendors_hidden_from(buyer_id: int, vendor_ids: list[int]) -> list[int]:
    """The vendors among `vendor_ids` that the buyer company's segment may not see (one query)."""
    if not vendor_ids:
        return []
    rules = await vendor_rules(buyer_id)
    return sorted(vendor_id for vendor_id in set(vendor_ids) if not is_vendor_visible(vendor_id, rules))


async def eligible_vendor_ids(rfq_id: int, among: list[int] | None = None) -> set[int]:
    """Active vendors the buyer's segment may see with an approved listing in the RFQ's categories (three
    queries)."""
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
    rules = await vendor_rules(Rfq.select(Rfq.buyer).where(Rfq.id == rfq_id))
    return {row["vendor"] for row in await query if is_vendor_visible(row["vendor"], rules)}


# The vendor rules of the segment of the RFQ row's buyer, on the vendor company `c` (visibility.py's rule).
_VENDOR_RULES, _VENDOR_RULES_ARGS = vendor_rules_of_sql(
    '(SELECT sm."segment" FROM "segment_member" AS sm WHERE sm."company" = "rfq"."buyer")', 'c."id"'
)

# An RFQ row (the query's `rfq` table) meant for vendor {v}: published or later, and the vendor is invited, or
# the RFQ is open and the vendor is active, visible to the buyer's segment, with an approved listing in one of
# the categories (or below) of the RFQ's catalog lines, or anywhere when no line names a categorised product.
# The SQL form of rules.open_rfq_meant_for, so a vendor's RFQs are filtered, sorted and paged by the database.
_MEANT_FOR_SQL = """
"rfq"."status" <> 'draft' AND "rfq"."published_at" IS NOT NULL AND (
  EXISTS (SELECT 1 FROM "rfq_invitation" AS i WHERE i."rfq" = "rfq"."id" AND i."vendor" = {})
  OR ("rfq"."visibility" = 'open'
    AND EXISTS (SELECT 1 FROM "listing" AS l JOIN "company" AS c ON c."id" = l."vendor"
                WHERE l."vendor" = {} AND l."status" = 'approved' AND c."status" = 'active'
                  AND """ + _VENDOR_RULES + """)
    AND (
      NOT EXISTS (SELECT 1 FROM "rfq_line" AS rl JOIN "product" AS p ON p."id" = rl."product"
                  JOIN "category" AS rc ON rc."id" = p."category"
                  WHERE rl."rfq" = "rfq"."id" AND rc."path" <> '')
      OR EXISTS (SELECT 1 FROM "rfq_line" AS rl JOIN "product" AS p ON p."id" = rl."product"
                 JOIN "category" AS rc ON rc."id" = p."category"
                 JOIN "listing" AS l ON l."vendor" = {} AND l."status" = 'approved'
                 JOIN "product" AS lp ON lp."id" = l."product"
                 JOIN "category" AS lc ON lc."id" = lp."category"
                 WHERE rl."rfq" = "rfq"."id" AND rc."path" <> '' AND lc."path" LIKE rc."path" || '%')
    )
  )
)"""  # noqa: S608 - the inserted fragment is constant SQL with placeholders, no input


def meant_for_vendor(vendor_id: int) -> WhereRaw:
    """A where-clause on `Rfq` queries: the published-or-later RFQs meant for a vendor (the semantics above)."""
    return WhereRaw(_MEANT_FOR_SQL, vendor_id, vendor_id, *_VENDOR_RULES_ARGS, vendor_id)


async def rfq_ids_meant_for(vendor_id: int) -> set[int]:
    """Every published-or-later RFQ meant for a vendor (the semantics above), in one query."""
    return {row["id"] for row in await Rfq.select(Rfq.id).where(meant_for_vendor(vendor_id))}


# --- who may act on an RFQ ------------------------------------------------------------------------


def buyer_actor(principal: Principal, head: RfqHead) -> Actor:
    """The Actor a caller is for this RFQ's transitions; 403 unless a buyer user of the RFQ's own company
    (a group admin may look at a subsidiary's RFQ, not act on it)."""
    if principal.company_id != head.buyer_id or not principal.has_any_role(BUYER_ROLES):
        raise Forbidden("Only a purchaser, buyer_admin or approver of the RFQ's company can do this.")
    return Actor.AWARDER if principal.has_any_role(AWARDER_ROLES) else Actor.BUYER


# --- sealed bids ----------------------------------------------------------------------------------


class Bidding(Protocol):
    """What the sealed-bid decision reads of an RFQ (an `RfqHead`, an auction's state, …)."""

    @property
    def status(self) -> RfqStatus: ...

    @property
    def deadline(self) -> datetime: ...


class WhenSealed(StrEnum):
    """What the buyer gets while offers are sealed, by what it asked for."""

    HIDE = "hide"  # a view or list: it shows no price, no file, no standing (the caller leaves them out)
    MISSING = "missing"  # one priced thing by its id (an offer, its thread, its file): 404, as if it did not exist
    REFUSE = "refuse"  # what exists only after the close (the comparison, its exports): 409 that says when


def buyer_sees_offers(rfq: Bidding, when_sealed: WhenSealed, place: Place = ANYWHERE) -> bool:
    """The one sealed-bid decision: True once bidding has closed (states.prices_revealed); before that False
    for `HIDE`, and for the other two the error it answers. Vendors never reach a competitor's offer at all
    (their reads go through `rfq_for_vendor` and own-offer checks)."""
    if prices_revealed(rfq.status):
        return True
    if when_sealed is WhenSealed.MISSING:
        raise NotFound(NO_SUCH_OFFER)
    if when_sealed is WhenSealed.REFUSE:
        closes = format_moment(rfq.deadline, place.time_zone, place.locale)
        raise Conflict(f"Offers are sealed until bidding closes ({closes}); the comparison opens then.")
    return False
