"""What the operator pages' select boxes offer: categories, companies, segments, approved listings."""

from __future__ import annotations

from collections.abc import Sequence

from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing, Segment
from app.curation import categories, listings
from app.curation.schemas import CategoryTreeNode, ListingSummary


async def category_choices() -> list[tuple[int, str]]:
    """(id, "Parent / Child") for select boxes, in tree order."""
    out: list[tuple[int, str]] = []

    def walk(nodes: Sequence[CategoryTreeNode], prefix: str) -> None:
        for node in nodes:
            label = f"{prefix}{node.name}"
            out.append((node.id, label))
            walk(node.children, f"{label} / ")

    walk(await categories.category_tree(), "")
    return out


async def companies_of_kind(kind: CompanyKind) -> list[tuple[int, str]]:
    rows = await Company.select(Company.id, Company.name).where(Company.kind == kind.value).order_by(Company.name)
    return [(row["id"], row["name"]) for row in rows]


async def segment_choices() -> list[tuple[int, str]]:
    return [(row["id"], row["name"]) for row in await Segment.select(Segment.id, Segment.name).order_by(Segment.name)]


async def listing_choices() -> list[ListingSummary]:
    """Approved listings for the price list page's entry form (bounded)."""
    rows = await Listing.select(*listings.SUMMARY_COLUMNS).where(
        Listing.status == ListingStatus.APPROVED.value
    ).order_by(Listing.title).limit(500)
    return [listings.summary(row) for row in rows]
