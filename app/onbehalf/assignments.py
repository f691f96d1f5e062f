"""Which vendor sales users a buyer company lets order for it: its admins (and operators) assign and remove them;
the sales users and operators list the buyer users they may order for."""

from __future__ import annotations

from datetime import datetime

from piccolo.columns.combination import WhereRaw

from app import db, grids
from app.accounts.roles import BUYER_ROLES, CompanyKind
from app.accounts.tables import Company, Membership
from app.auth import Principal, require_company_admin, require_visible_company
from app.clock import utcnow
from app.errors import FieldErrors, NotFound
from app.grids import GridColumn, GridPage, GridSpec, GridState
from app.onbehalf import acting
from app.onbehalf.schemas import CustomerOut, SalesRepOut
from app.onbehalf.tables import SalesAssignment

NO_ASSIGNMENT = "No such sales representative of this company."

_REPS = """
SELECT sa.id AS id, u.id AS user_id, m.name AS name, u.email AS email, v.id AS vendor_id, v.name AS vendor,
       sa.assigned_at AS assigned_at
FROM sales_assignment sa
JOIN piccolo_user u ON u.id = sa."user"
JOIN membership m ON m."user" = u.id
JOIN company v ON v.id = m.company
WHERE sa.company = {{}} {extra}
ORDER BY m.name, u.id
"""
# A vendor's active sales user with this e-mail.
_SALES_USER = """
SELECT u.id AS user_id FROM piccolo_user u
JOIN membership m ON m."user" = u.id
JOIN company v ON v.id = m.company
JOIN member_role r ON r.membership = m.id
WHERE lower(u.email) = lower({}) AND u.active AND v.kind = 'vendor' AND v.status = 'active' AND r.role = 'vendor_sales'
"""
# The buyer users of the buyer companies a sales user is assigned to (operators: of every buyer company).
_CUSTOMERS = """
SELECT DISTINCT u.id AS user_id, m.name AS name, u.email AS email, c.id AS company_id, c.name AS company
FROM membership m
JOIN piccolo_user u ON u.id = m."user"
JOIN company c ON c.id = m.company
JOIN member_role r ON r.membership = m.id
WHERE u.active AND c.kind = 'buyer' AND c.status = 'active' AND r.role IN ({roles}) {scope}
ORDER BY c.name, m.name, u.id
"""


async def _buyer_company(principal: Principal, company_id: int) -> str:
    """The buyer company's name, if the caller administers it (operators: any); a 404 or 403 otherwise."""
    require_visible_company(principal, company_id)
    row = await Company.select(Company.name, Company.kind).where(Company.id == company_id).first()
    if row is None or row["kind"] != CompanyKind.BUYER.value:
        raise NotFound("No such company.")
    require_company_admin(principal, company_id)
    return row["name"]


async def sales_reps(principal: Principal, company_id: int) -> list[SalesRepOut]:
    """The vendor sales users the company lets order for it."""
    await _buyer_company(principal, company_id)
    return [_rep(row) for row in await SalesAssignment.raw(_REPS.format(extra=""), company_id)]


async def assign(principal: Principal, company_id: int, email: str) -> SalesRepOut:
    """Let the vendor sales user with this e-mail order for the company (assigning twice changes nothing)."""
    company = await _buyer_company(principal, company_id)
    found = await SalesAssignment.raw(_SALES_USER, email.strip())
    if not found:
        raise FieldErrors("email: no vendor sales user has this e-mail.", {
            "email": "E-mail: no vendor sales user (role vendor_sales of an active vendor) has this e-mail."})
    user_id = found[0]["user_id"]
    now = utcnow()
    async with db.transaction():
        added = await SalesAssignment.insert(SalesAssignment(
            company=company_id, user=user_id, assigned_by=principal.user_id, assigned_at=now,
        )).on_conflict(action="DO NOTHING").returning(SalesAssignment.id)
        rows = await SalesAssignment.raw(_REPS.format(extra='AND sa."user" = {}'), company_id, user_id)
        rep = _rep(rows[0])
        if added:
            await acting.record_for_company(principal, company_id, company, "assign", f"sales user {user_id}",
                                            {"user_id": user_id, "email": rep.email, "vendor": rep.vendor})
    return rep


async def unassign(principal: Principal, company_id: int, user_id: int) -> None:
    """Stop the sales user ordering for the company; its pending carts stay the buyer users' own."""
    company = await _buyer_company(principal, company_id)
    async with db.transaction():
        rows = await SalesAssignment.raw(_REPS.format(extra='AND sa."user" = {}'), company_id, user_id)
        if not rows:
            raise NotFound(NO_ASSIGNMENT)
        await SalesAssignment.delete().where(SalesAssignment.id == rows[0]["id"])
        await acting.record_for_company(principal, company_id, company, "unassign", f"sales user {user_id}",
                                        {"user_id": user_id, "email": rows[0]["email"], "vendor": rows[0]["vendor"]})


async def customers(principal: Principal) -> list[CustomerOut]:
    """The buyer users the caller may order for: of its assigned companies (operators: of every buyer company)."""
    if not acting.may_act(principal):
        return []
    roles = ", ".join(f"'{role.value}'" for role in sorted(BUYER_ROLES))
    if principal.is_operator:
        rows = await SalesAssignment.raw(_CUSTOMERS.format(roles=roles, scope=""))
    else:
        scope = "AND c.id IN (SELECT company FROM sales_assignment WHERE \"user\" = {})"
        rows = await SalesAssignment.raw(_CUSTOMERS.format(roles=roles, scope=scope), principal.user_id)
    return [CustomerOut(user_id=row["user_id"], name=row["name"], email=row["email"], company_id=row["company_id"],
                        company=row["company"]) for row in rows]


CUSTOMER_GRID = GridSpec(
    path="/on-behalf",
    columns=(GridColumn("company", "Company"), GridColumn("name", "Buyer"), GridColumn("email", "E-mail"),
             GridColumn("cart", "Cart", sortable=False)),
    default_sort="company", search_label="Company, name or e-mail", export_name="customers", sheet_title="Customers",
)
_CUSTOMER_ORDER = {"company": (Membership.company.name, Membership.name), "name": (Membership.name,),
                   "email": (Membership.user.email,)}
_BUYER_MEMBER = "membership.id IN (SELECT membership FROM member_role WHERE role IN ({roles}))"
_ASSIGNED = 'membership.company IN (SELECT company FROM sales_assignment WHERE "user" = {})'


async def customer_grid(principal: Principal, state: GridState) -> GridPage:
    """The buyer users the caller may order for (`customers`), as the grid's state selects, orders and pages them in
    SQL: an operator's list holds every buyer company's users."""
    if not acting.may_act(principal):
        return state.page_of([], 0)
    roles = ", ".join(f"'{role.value}'" for role in sorted(BUYER_ROLES))
    query = Membership.select(Membership.user.as_alias("user_id"), Membership.name,
                              Membership.user.email.as_alias("email"), Membership.company.as_alias("company_id"),
                              Membership.company.name.as_alias("company"))
    count = Membership.count()
    conditions = [Membership.user.active.eq(True), Membership.company.kind == CompanyKind.BUYER.value,
                  Membership.company.status == "active", WhereRaw(_BUYER_MEMBER.format(roles=roles)),
                  grids.search((Membership.company.name, Membership.name, Membership.user.email), state.q)]
    if not principal.is_operator:
        conditions.append(WhereRaw(_ASSIGNED, principal.user_id))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _CUSTOMER_ORDER, Membership.id), state)
    return state.page_of([CustomerOut(user_id=row["user_id"], name=row["name"], email=row["email"],
                                      company_id=row["company_id"], company=row["company"]) for row in rows],
                         await count)


REP_GRID = GridSpec(
    path="/team/sales-reps",
    columns=(GridColumn("name", "Name"), GridColumn("email", "E-mail"), GridColumn("vendor", "Vendor"),
             GridColumn("since", "Since"), GridColumn("remove", "Remove", sortable=False)),
    default_sort="name", search_label="Name, e-mail or vendor", export_name="sales-representatives",
    sheet_title="Sales representatives",
)
_REP_ORDER = {"name": "m.name", "email": "u.email", "vendor": "v.name", "since": "sa.assigned_at"}  # never typed text
_REP_FROM = """
FROM sales_assignment sa
JOIN piccolo_user u ON u.id = sa."user"
JOIN membership m ON m."user" = u.id
JOIN company v ON v.id = m.company
WHERE sa.company = {}"""


async def rep_grid(principal: Principal, company_id: int, state: GridState) -> GridPage:
    """The company's sales representatives (`sales_reps`) as the grid's state selects, orders and pages them in
    SQL (the order by a column of `_REP_ORDER`, never by typed text)."""
    await _buyer_company(principal, company_id)
    where, args = _REP_FROM, [company_id]
    for word in state.q.split():
        where += " AND (lower(m.name) LIKE {} OR lower(u.email) LIKE {} OR lower(v.name) LIKE {})"
        args += [f"%{word.casefold().replace('%', '')}%"] * 3
    way = "DESC" if state.descending else "ASC"
    rows = await SalesAssignment.raw(
        "SELECT sa.id AS id, u.id AS user_id, m.name AS name, u.email AS email, v.id AS vendor_id, v.name AS vendor, "
        f"sa.assigned_at AS assigned_at {where} ORDER BY {_REP_ORDER[state.sort]} {way}, sa.id {way} "
        f"LIMIT {state.limit} OFFSET {state.offset}", *args)
    total = await SalesAssignment.raw(f"SELECT COUNT(*) AS n {where}", *args)
    return state.page_of([_rep(row) for row in rows], int(total[0]["n"]))


def _rep(row: dict) -> SalesRepOut:
    return SalesRepOut(user_id=row["user_id"], name=row["name"], email=row["email"], vendor_id=row["vendor_id"],
                       vendor=row["vendor"], assigned_at=_moment(row["assigned_at"]))


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


__all__ = ["CUSTOMER_GRID", "REP_GRID", "assign", "customer_grid", "customers", "rep_grid", "sales_reps", "unassign"]
