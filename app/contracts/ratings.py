"""Buyers' ratings of their vendors: one per buyer company per contract, 1 to 5 with a comment.

Rules decided here:
- Who rates: a buyer_admin or approver of the contract's buyer company itself (the people who award and who
  accept amendments speak for the company); a purchaser gets 403, anyone who may not see the contract its 404.
- When: once the contract has started (active, expired or terminated); before its start date there is nothing to
  judge (409).
- Rating again replaces the company's rating, it is not refused: a contract runs for months and the buyer's
  experience changes with it (late deliveries in month eight); the company keeps one voice per contract, so a
  vendor's count cannot be stuffed, and the latest judgement is the one that counts. The unique `contract` column
  makes "one" hold under races too: both writers upsert the one row.
- Who reads what: the buyer company and operators see a contract's rating; the vendor never sees which buyer
  rated what, only its aggregate (`vendor_ratings` with `viewer_buyer_id=None`) on its scorecard.

`vendor_ratings` is the one way other areas (weighted scoring, scorecards) read ratings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from piccolo.query.functions.aggregate import Count, Sum

from app import db
from app.accounts.roles import AWARDER_ROLES, CompanyKind
from app.auth import Principal
from app.contracts import access
from app.contracts.rules import Side
from app.contracts.schemas import RatingIn, RatingOut
from app.contracts.tables import ContractRating
from app.errors import Conflict

# A buyer sees other buyers' ratings of a vendor only when at least this many other buyer companies rated it:
# an average over one other company would be that company's own score.
MIN_OTHER_BUYERS = 2
AVERAGE_PLACES = Decimal("0.01")


class VendorRating(NamedTuple):
    """A vendor's average score (2 decimals, half up) over `count` ratings."""

    average: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class BuyerRatings:
    """The ratings one buyer company gave one vendor: their sum and number (one per contract)."""

    vendor_id: int
    buyer_id: int
    total: int
    count: int


def average(total: int, count: int) -> Decimal:
    """`total / count` as a Decimal with 2 places, half up; exact (no float on the way)."""
    if count <= 0:
        raise ValueError("an average needs at least one rating")
    return (Decimal(total) / Decimal(count)).quantize(AVERAGE_PLACES, rounding=ROUND_HALF_UP)


def aggregate(rows: Iterable[BuyerRatings], viewer_buyer_id: int | None) -> dict[int, VendorRating]:
    """Each vendor's average and count over `rows`. For a buyer viewer (`viewer_buyer_id`), other buyers' ratings
    of a vendor count only when at least MIN_OTHER_BUYERS other companies rated it; the viewer's own always count.
    A vendor left with no rating is absent."""
    by_vendor: dict[int, list[BuyerRatings]] = {}
    for row in rows:
        by_vendor.setdefault(row.vendor_id, []).append(row)
    result = {}
    for vendor_id, group in by_vendor.items():
        if viewer_buyer_id is not None:
            others = [row for row in group if row.buyer_id != viewer_buyer_id]
            if len({row.buyer_id for row in others}) < MIN_OTHER_BUYERS:
                group = [row for row in group if row.buyer_id == viewer_buyer_id]
        count = sum(row.count for row in group)
        if count:
            result[vendor_id] = VendorRating(average(sum(row.total for row in group), count), count)
    return result


async def vendor_ratings(vendor_ids: Iterable[int], *, viewer_buyer_id: int | None = None) -> dict[int, VendorRating]:
    """{vendor_id: VendorRating(average, count)} for the given vendors, in one query (it joins the caller's
    transaction if one is open). Vendors nobody rated are absent. Pass the viewing buyer company's id whenever the
    figure is shown to a buyer: then another buyer's ratings never show alone (see `aggregate`); operators and the
    vendor itself pass None and get every rating."""
    return aggregate(await ratings_by_buyer(vendor_ids), viewer_buyer_id)


async def ratings_by_buyer(vendor_ids: Iterable[int] | None) -> list[BuyerRatings]:
    """Each buyer company's ratings of each vendor (all vendors for None): their sum and number, one query."""
    query = ContractRating.select(
        ContractRating.vendor, ContractRating.buyer, Sum(ContractRating.score, alias="total"), Count(alias="n"),
    ).group_by(ContractRating.vendor, ContractRating.buyer)
    if vendor_ids is not None:
        ids = sorted(set(vendor_ids))
        if not ids:
            return []
        query = query.where(ContractRating.vendor.is_in(ids))
    return [BuyerRatings(row["vendor"], row["buyer"], int(row["total"]), row["n"]) for row in await query]


async def rate(principal: Principal, contract_id: int, data: RatingIn) -> RatingOut:
    """Set the buyer company's rating of the contract's vendor (creating it, or replacing the company's earlier
    one). 404 for who may not see the contract, 403 for who may not rate it, 409 before the contract starts."""
    async with db.transaction():
        head = await access.contract_for(principal, contract_id)
        access.require_buyer_decider(principal, head)
        if not may_rate(principal, head, now := await db.db_now()):
            raise Conflict("This contract has not started yet: rate its vendor once it is in force.")
        await ContractRating.insert(ContractRating(
            contract=contract_id, buyer=head.buyer_id, vendor=head.vendor_id, score=data.score,
            comment=data.comment.strip(), rated_by=principal.user_id, created_at=now, updated_at=now,
        )).on_conflict(target=ContractRating.contract, action="DO UPDATE", values=[
            ContractRating.score, ContractRating.comment, ContractRating.rated_by, ContractRating.updated_at,
        ])
        rating = await contract_rating(contract_id)
    assert rating is not None
    return rating


async def contract_rating(contract_id: int) -> RatingOut | None:
    """The contract's rating, for callers already allowed to see it (see `rating_for`)."""
    row = await ContractRating.select(
        ContractRating.all_columns(), ContractRating.rated_by.email,
    ).where(ContractRating.contract == contract_id).first()
    if row is None:
        return None
    return RatingOut(
        contract_id=row["contract"], vendor_id=row["vendor"], score=row["score"], comment=row["comment"],
        rated_by=row["rated_by.email"], created_at=row["created_at"], updated_at=row["updated_at"],
        replaced=row["updated_at"] != row["created_at"],
    )


def may_rate(principal: Principal, head: access.ContractHead, now: datetime) -> bool:
    """Whether the caller may rate this contract's vendor now: pages show the form only then."""
    return access.side_of(principal, head) is Side.BUYER and principal.has_any_role(AWARDER_ROLES) \
        and head.valid_from <= now


def may_read(principal: Principal, head: access.ContractHead) -> bool:
    """A contract's own rating is read by its buyer side (group admins above it too) and operators, never by its
    vendor: the vendor sees only its aggregate."""
    return access.can_see(principal, head) and principal.company_kind is not CompanyKind.VENDOR


async def rating_for(principal: Principal, head: access.ContractHead) -> RatingOut | None:
    """The contract's rating if the caller may read it, else None (also when there is none)."""
    return await contract_rating(head.id) if may_read(principal, head) else None
