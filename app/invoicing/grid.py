"""The invoice list as the one grid (app/grids.py): a buyer's payables, a vendor's receivables with their ageing, an
operator's every invoice; scoped by `invoicing/access.py`, exported through the one neutralizing writer."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns.combination import WhereRaw

from app import grids
from app.auth import Principal
from app.billing.credit import as_date
from app.billing.invoice_states import InvoiceStatus
from app.billing.tables import Invoice
from app.billing.terms import Ageing, ageing_bucket
from app.clock import utcnow
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.invoicing.access import scope_sql
from app.invoicing.views import summary_of
from app.money import from_minor

INVOICE_GRID = GridSpec(
    path="/invoices",
    columns=(GridColumn("number", "Invoice"), GridColumn("status", "Status"), GridColumn("vendor", "Vendor"),
             GridColumn("buyer", "Buyer"), GridColumn("issued", "Issued on"), GridColumn("due", "Due on"),
             GridColumn("gross", "Gross"), GridColumn("open", "Open", sortable=False),
             GridColumn("ageing", "Ageing", sortable=False)),
    default_sort="due", search_label="Invoice number",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in InvoiceStatus)),),
    export_name="invoices",
)
_ORDER = {"number": (Invoice.number,), "status": (Invoice.status,), "vendor": (Invoice.vendor.name,),
          "buyer": (Invoice.buyer.name,), "issued": (Invoice.issued_on,), "due": (Invoice.due_on,),
          "gross": (Invoice.gross,)}


async def invoice_grid(principal: Principal, state: GridState) -> GridPage:
    """The invoices the caller may see, as the grid's state selects and orders them."""
    scope, args = scope_sql(principal, alias="invoice")
    query = Invoice.select(
        Invoice.id, Invoice.number, Invoice.status, Invoice.vendor.as_alias("vendor_id"),
        Invoice.vendor.name.as_alias("vendor"), Invoice.buyer.as_alias("buyer_id"),
        Invoice.buyer.name.as_alias("buyer"), Invoice.currency, Invoice.net, Invoice.tax, Invoice.gross,
        Invoice.paid, Invoice.terms_days, Invoice.issued_on, Invoice.due_on,
    )
    count = Invoice.count()
    conditions = [WhereRaw(scope, *args), grids.search((Invoice.number,), state.q)]
    if state.filter("status"):
        conditions.append(Invoice.status == state.filter("status"))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _ORDER, Invoice.id), state)
    today = utcnow().date()
    return state.page_of([summary_of(row, today) for row in rows], await count)


async def ageing_summary(principal: Principal) -> list[tuple[str, dict[str, Decimal]]]:
    """What is open of the invoices the caller may see, per currency and ageing bucket (current, 1-30 … > 90 days
    past due): the receivables' ageing (or payables'). One query, grouped by currency and due date."""
    scope, args = scope_sql(principal, alias="invoice")
    rows = await Invoice.raw(
        f"SELECT currency, due_on, SUM(gross - paid) AS open FROM invoice WHERE {scope} "  # noqa: S608 (scope)
        "AND status IN ('issued', 'overdue') GROUP BY currency, due_on", *args)
    today = utcnow().date()
    totals: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        buckets = totals.setdefault(row["currency"], {bucket.value: Decimal(0) for bucket in Ageing})
        bucket = ageing_bucket(as_date(row["due_on"]), today).value
        buckets[bucket] += from_minor(int(row["open"])) or Decimal(0)
    return sorted(totals.items())
