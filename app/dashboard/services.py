"""What each role's dashboard shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from app.accounts.roles import CompanyKind
from app.accounts.tables import Company, Membership
from app.auth import Principal
from app.catalog.tables import Listing
from app.clock import utcnow
from app.contracts import vendor_rfqs
from app.dashboard.tasks_list import tasks_for
from app.dashboard.waiting import Task
from app.notifications.tables import OutboxEmail
from app.offers.schemas import VendorRfqCountsOut
from app.orders.order_schemas import OrderSummaryOut
from app.orders.states import OrderStatus
from app.orders.views import list_orders


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
    # A vendor's orders awaiting its confirmation, and confirmed but not shipped yet.
    orders_to_confirm: int = 0
    orders_to_ship: int = 0
    # Operators: orders placed since the start of (UTC) today and of this week, as (label, since, count).
    orders_placed: list[tuple[str, date, int]] = field(default_factory=list)
    # A buyer's last orders, and how many have something shipped that it has not recorded as received.
    recent_orders: list[OrderSummaryOut] = field(default_factory=list)
    awaiting_receipt: int = 0
    # A vendor's RFQs: open, waiting for it after the close, and past ones by its own outcome.
    rfqs: VendorRfqCountsOut | None = None
    # What waits for the viewer, soonest deadline first (tasks_list.py).
    tasks: list[Task] = field(default_factory=list)


async def dashboard_for(principal: Principal) -> Dashboard:
    """The viewer's dashboard: its role's figures and what waits for it."""
    return replace(await _figures(principal), tasks=await tasks_for(principal))


async def _figures(principal: Principal) -> Dashboard:
    team_size = await Membership.count().where(Membership.company == principal.company_id)
    subsidiaries = len(principal.visible_company_ids) - 1
    if principal.company_kind is CompanyKind.VENDOR:
        listings = await _listings_by_status(Listing.vendor == principal.company_id)
        return Dashboard(kind=principal.company_kind, team_size=team_size, subsidiaries=subsidiaries,
                         listings_by_status=listings,
                         orders_to_confirm=await _orders(principal, status=OrderStatus.PLACED),
                         orders_to_ship=await _orders(principal, status=OrderStatus.CONFIRMED),
                         rfqs=await vendor_rfqs.counts(principal))
    if principal.company_kind is CompanyKind.BUYER:
        recent = await list_orders(principal, per_page=5)
        awaiting = [(await list_orders(principal, status=status, per_page=1)).total
                    for status in (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED)]
        return Dashboard(kind=principal.company_kind, team_size=team_size, subsidiaries=subsidiaries,
                         recent_orders=recent.items, awaiting_receipt=sum(awaiting))
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
        orders_placed=await _orders_placed(principal),
    )


async def _orders(principal: Principal, **filters: Any) -> int:
    """How many orders the caller may see match `filters`: the order list's own count."""
    return (await list_orders(principal, per_page=1, **filters)).total


async def _orders_placed(principal: Principal) -> list[tuple[str, date, int]]:
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    return [(label, since, await _orders(principal, placed_from=since))
            for label, since in (("Today", today), ("This week", monday))]


async def _listings_by_status(where: object | None) -> dict[str, int]:
    query = Listing.select(Listing.status, Count(alias="n")).group_by(Listing.status)
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    return {row["status"]: row["n"] for row in await query}
