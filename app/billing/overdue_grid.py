"""A buyer company's overdue invoices on its credit page as the one grid (app/grids.py): sorted, searched, filtered by
how long overdue and by vendor, paged in SQL, exported through the one writer. Who may read them is
`company_credit.require_credit_reader`'s answer, as for the rest of the credit page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app import db
from app.auth import Principal
from app.billing.company_credit import require_credit_reader
from app.billing.credit import OPEN_INVOICE_STATUSES, as_date
from app.billing.tables import Invoice
from app.billing.terms import days_overdue
from app.clock import as_utc, utcnow
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor

OVERDUE_BY = (("30", "more than 30 days"), ("60", "more than 60 days"), ("90", "more than 90 days"))
EXPORT_HEADER = ("Invoice", "Vendor", "Issued on", "Due on", "Days overdue", "Currency", "Open", "Recorded (UTC)")

_FROM = f"""
FROM invoice i JOIN company c ON c.id = i.vendor
WHERE i.buyer = {{}} AND i.status IN ({", ".join(f"'{s}'" for s in OPEN_INVOICE_STATUSES)}) AND i.due_on < {{}}"""
_COLUMNS = ("i.id AS id, i.number AS number, c.name AS vendor_name, i.issued_on AS issued_on, i.due_on AS due_on, "
            "i.gross - i.paid AS open, i.currency AS currency, i.created_at AS created_at")
# Days overdue grow as the due date gets older: sorting by them is sorting by the due date the other way round.
_ORDER = {"number": ("i.number",), "vendor": ("c.name",), "due_on": ("i.due_on",), "open": ("i.currency", "open")}


def overdue_spec(company_id: int, vendors: tuple[tuple[str, str], ...] = ()) -> GridSpec:
    """The grid of one company's overdue invoices, with the vendors it owes to filter by."""
    filters = [GridFilter("overdue", "Overdue", OVERDUE_BY)]
    if vendors:
        filters.append(GridFilter("vendor", "Vendor", vendors))
    return GridSpec(
        path=f"/companies/{company_id}/credit",
        columns=(GridColumn("number", "Invoice"), GridColumn("vendor", "Vendor"), GridColumn("due_on", "Due on"),
                 GridColumn("days", "Days overdue", sortable=False), GridColumn("open", "Open")),
        default_sort="due_on", search_label="Invoice number or vendor", filters=tuple(filters),
        export_name="overdue-invoices", sheet_title="Overdue invoices",
    )


async def overdue_spec_for(principal: Principal, company_id: int) -> GridSpec:
    """The company's overdue-invoice grid, once the caller may read its credit (403/404 otherwise): its vendor
    filter lists the vendors that invoiced it."""
    require_credit_reader(principal, company_id)
    rows = await Invoice.raw("SELECT DISTINCT c.id AS id, c.name AS name FROM invoice i JOIN company c ON c.id = "
                             "i.vendor WHERE i.buyer = {} ORDER BY c.name, c.id", company_id)
    return overdue_spec(company_id, tuple((str(row["id"]), row["name"]) for row in rows))


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """One overdue invoice as the credit page shows it."""

    id: int
    number: str
    vendor_name: str
    issued_on: date
    due_on: date
    days_overdue: int
    open_amount: Decimal
    currency: str
    created_at: datetime | None


async def overdue_grid(principal: Principal, company_id: int, state: GridState) -> GridPage:
    """The page of the company's overdue invoices the grid's state selects, in two queries."""
    require_credit_reader(principal, company_id)
    today = utcnow().date()
    where, values = [_FROM], [company_id, _day_arg(today)]
    if state.filter("overdue"):
        where.append(" AND i.due_on < {}")
        values.append(_day_arg(today - timedelta(days=int(state.filter("overdue")))))
    if state.filter("vendor"):
        where.append(" AND i.vendor = {}")
        values.append(int(state.filter("vendor")))
    for word in state.q.split():
        where.append(" AND (LOWER(i.number) LIKE {} OR LOWER(c.name) LIKE {})")
        values += [f"%{word.lower().replace('%', '')}%"] * 2
    narrowed = "".join(where)
    way = "DESC" if state.descending else "ASC"
    order = ", ".join(f"{column} {way}" for column in (*_ORDER[state.sort], "i.id"))
    rows = await Invoice.raw(f"SELECT {_COLUMNS} {narrowed} ORDER BY {order} LIMIT {{}} OFFSET {{}}", *values,
                             state.limit, state.offset)
    counted = await Invoice.raw(f"SELECT COUNT(*) AS n {narrowed}", *values)
    return state.page_of([OverdueRow(
        id=row["id"], number=row["number"], vendor_name=row["vendor_name"], issued_on=as_date(row["issued_on"]),
        due_on=as_date(row["due_on"]), days_overdue=days_overdue(as_date(row["due_on"]), today),
        open_amount=from_minor(int(row["open"])) or Decimal(0), currency=row["currency"],
        created_at=_moment(row["created_at"])) for row in rows], counted[0]["n"])


def export_row(row: OverdueRow) -> tuple[Any, ...]:
    return (row.number, row.vendor_name, row.issued_on, row.due_on, row.days_overdue, row.currency, row.open_amount,
            row.created_at)


def _day_arg(day: date) -> object:
    return day.isoformat() if db.is_sqlite() else day


def _moment(value: object) -> datetime | None:
    # SQLite hands a raw query's timestamp back as text.
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)  # type: ignore[arg-type]
