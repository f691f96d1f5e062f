"""What each role's dashboard shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from piccolo.query.functions.aggregate import Count

from app.accounts.roles import CompanyKind
from app.accounts.tables import Company, Membership
from app.auth import Principal
from app.catalog.tables import Listing
from app.notifications.tables import OutboxEmail


@dataclass(frozen=True)
class Dashboard:
    kind: CompanyKind
    team_size: int
    subsidiaries: int
    companies_by_kind: dict[str, int] = field(default_factory=dict)
    suspended_companies: int = 0
    outbox_by_status: dict[str, int] = field(default_factory=dict)
    # Listings by status: the vendor's own, or (for operators) the whole marketplace's.
    listings_by_status: dict[str, int] = field(default_factory=dict)


async def dashboard_for(principal: Principal) -> Dashboard:
    team_size = await Membership.count().where(Membership.company == principal.company_id)
    subsidiaries = len(principal.visible_company_ids) - 1
    if principal.company_kind is CompanyKind.VENDOR:
        listings = await _listings_by_status(Listing.vendor == principal.company_id)
        return Dashboard(kind=principal.company_kind, team_size=team_size, subsidiaries=subsidiaries,
                         listings_by_status=listings)
    if not principal.is_operator:
        return Dashboard(kind=principal.company_kind, team_size=team_size, subsidiaries=subsidiaries)
    companies: dict[str, int] = {}
    suspended = 0
    for row in await Company.select(Company.kind, Company.status, Count(alias="n")).group_by(
        Company.kind, Company.status
    ):
        companies[row["kind"]] = companies.get(row["kind"], 0) + row["n"]
        if row["status"] == "suspended":
            suspended += row["n"]
    outbox = {
        row["status"]: row["n"]
        for row in await OutboxEmail.select(OutboxEmail.status, Count(alias="n")).group_by(
            OutboxEmail.status
        )
    }
    return Dashboard(
        kind=principal.company_kind,
        team_size=team_size,
        subsidiaries=subsidiaries,
        companies_by_kind=companies,
        suspended_companies=suspended,
        outbox_by_status=outbox,
        listings_by_status=await _listings_by_status(None),
    )


async def _listings_by_status(where: object | None) -> dict[str, int]:
    query = Listing.select(Listing.status, Count(alias="n")).group_by(Listing.status)
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    return {row["status"]: row["n"] for row in await query}
