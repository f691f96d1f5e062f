"""The operators' companies page as a grid: every company by name, kind, country and status, with its users counted,
and the ticked companies suspended or reactivated together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.query.functions.aggregate import Count

from app import db, grids
from app.accounts.roles import CompanyKind, CompanyStatus
from app.accounts.services import set_company_status
from app.accounts.tables import Company, Membership
from app.errors import DomainError, InvalidInput
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState

COMPANY_GRID = GridSpec(
    path="/operator/companies",
    columns=(GridColumn("select", "Select", sortable=False), GridColumn("name", "Name"), GridColumn("kind", "Kind"),
             GridColumn("country", "Country"), GridColumn("tax_id", "Tax ID"), GridColumn("status", "Status"),
             GridColumn("users", "Users", sortable=False), GridColumn("created", "Joined")),
    default_sort="name", search_label="Name or tax ID",
    filters=(GridFilter("kind", "Kind", tuple((k.value, k.value) for k in CompanyKind)),
             GridFilter("status", "Status", tuple((s.value, s.value) for s in CompanyStatus))),
    per_page=50, export_name="companies",
)
EXPORT_HEADER = ("Name", "Kind", "Country", "Currency", "Tax ID", "Status", "Users", "Joined (UTC)")
_ORDER = {"name": (Company.name,), "kind": (Company.kind,), "country": (Company.country,),
          "tax_id": (Company.tax_id,), "status": (Company.status,), "created": (Company.created_at,)}


@dataclass(frozen=True, slots=True)
class CompanyRow:
    id: int
    name: str
    kind: str
    country: str
    currency: str
    tax_id: str
    status: str
    users: int
    created_at: datetime | None


async def company_grid(state: GridState) -> GridPage:
    """The companies the grid's state selects, in its order, each with its number of users: three queries."""
    query = Company.select(Company.id, Company.name, Company.kind, Company.country, Company.currency,
                           Company.tax_id, Company.status, Company.created_at)
    count = Company.count()
    conditions = [grids.search((Company.name, Company.tax_id), state.q)]
    for key, column in (("kind", Company.kind), ("status", Company.status)):
        if state.filter(key):
            conditions.append(column == state.filter(key))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Company.id), state)
    users = {
        row["company"]: row["n"]
        for row in await Membership.select(Membership.company, Count(alias="n")).where(
            Membership.company.is_in([row["id"] for row in rows] or [-1])
        ).group_by(Membership.company)
    }
    return state.page_of([CompanyRow(**row, users=users.get(row["id"], 0)) for row in rows], await count)


def export_row(company: CompanyRow) -> tuple[object, ...]:
    return (company.name, company.kind, company.country, company.currency, company.tax_id, company.status,
            company.users, company.created_at)


async def set_status_of(company_ids: list[int], status: CompanyStatus) -> int:
    """Suspend (which logs every user out) or reactivate every ticked company, all or none. The operators' own
    companies are never suspended from here: that would lock the marketplace's staff out."""
    async with db.transaction():
        rows = await Company.select(Company.id, Company.name, Company.kind).where(Company.id.is_in(company_ids))
        if len(rows) != len(company_ids):
            raise InvalidInput("A ticked company no longer exists: reload the page and tick again.")
        operators = [row["name"] for row in rows if row["kind"] == CompanyKind.OPERATOR.value]
        if status is CompanyStatus.SUSPENDED and operators:
            raise InvalidInput(f"{operators[0]} is an operator company: it cannot be suspended here. Nothing changed.")
        for company_id in company_ids:
            try:
                await set_company_status(company_id, status)
            except DomainError as exc:
                raise type(exc)(f"{exc.message} Nothing changed.") from None
    return len(company_ids)
