"""Who may see an invoice, and who may act on it: the one module that decides it, in Python and as SQL.

A buyer company's users (buyer roles) see their company's invoices (a group's admins also its subsidiaries'); a
vendor's sellers see the invoices their company issued; operators see all. Anyone else hears exactly what a missing
invoice answers (`NO_SUCH_INVOICE`, 404), in lists too. The vendor issues, cancels and records payments; an
operator records payments; buyers read.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import db
from app.accounts.roles import BUYER_ROLES, SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.billing.invoice_states import InvoiceStatus, Party
from app.billing.tables import Invoice
from app.errors import NotFound

NO_SUCH_INVOICE = "No such invoice."


@dataclass(frozen=True, slots=True)
class InvoiceHead:
    id: int
    number: str
    vendor_id: int
    buyer_id: int
    status: InvoiceStatus
    currency: str
    gross: int
    paid: int


def may_see(principal: Principal, head: InvoiceHead) -> bool:
    if principal.is_operator:
        return True
    if principal.company_kind is CompanyKind.VENDOR:
        return principal.has_any_role(SELLER_ROLES) and head.vendor_id == principal.company_id
    if principal.company_kind is CompanyKind.BUYER and principal.has_any_role(BUYER_ROLES):
        return head.buyer_id in principal.visible_company_ids
    return False


def scope_sql(principal: Principal, alias: str = "i") -> tuple[str, list[object]]:
    """`may_see` as a WHERE fragment over `invoice AS <alias>`, with its arguments (one `{}` each)."""
    if principal.is_operator:
        return "TRUE", []
    if principal.company_kind is CompanyKind.VENDOR and principal.has_any_role(SELLER_ROLES):
        return f"{alias}.vendor = {{}}", [principal.company_id]
    if principal.company_kind is CompanyKind.BUYER and principal.has_any_role(BUYER_ROLES):
        companies = sorted(principal.visible_company_ids)
        return f"{alias}.buyer IN ({', '.join('{}' for _ in companies)})", list(companies)
    return "FALSE", []


def party_of(principal: Principal, head: InvoiceHead) -> Party | None:
    """The side the caller acts on, or None for a reader only (a buyer)."""
    if principal.is_operator:
        return Party.OPERATOR
    if principal.company_kind is CompanyKind.VENDOR and head.vendor_id == principal.company_id:
        return Party.VENDOR
    return None


async def invoice_for(principal: Principal, invoice_id: int, *, lock: bool = False) -> InvoiceHead:
    """The invoice if the caller may see it, else 404 worded as for a missing one. `lock` takes its row lock on
    PostgreSQL inside the caller's transaction (SQLite's immediate transaction already serializes writers)."""
    scope, args = scope_sql(principal)
    lock_clause = " FOR UPDATE OF i" if lock and not db.is_sqlite() else ""
    columns = ("i.id AS id, i.number AS number, i.vendor AS vendor_id, i.buyer AS buyer_id, i.status AS status, "
               "i.currency AS currency, i.gross AS gross, i.paid AS paid")
    query = f"SELECT {columns} FROM invoice i WHERE i.id = {{}} AND {scope}{lock_clause}"  # noqa: S608
    rows = await Invoice.raw(query, invoice_id, *args)
    if not rows:
        raise NotFound(NO_SUCH_INVOICE)
    row = rows[0]
    return InvoiceHead(id=row["id"], number=row["number"], vendor_id=row["vendor_id"], buyer_id=row["buyer_id"],
                       status=InvoiceStatus(row["status"]), currency=row["currency"], gross=int(row["gross"]),
                       paid=int(row["paid"]))
