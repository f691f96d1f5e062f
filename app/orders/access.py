"""Who may see a purchase order, and on which side they act: the one module that decides it, in Python and as SQL.

- The buyer's side: its admins and approvers see every order of their company (a group's admins also those of its
  subsidiaries, as for RFQs); a purchaser sees the orders it placed.
- The vendor's side: a vendor's users see the orders addressed to their company, never the same checkout's orders
  to other vendors (nor their prices), and nothing of an order still waiting for the buyer's approvals (issue #14).
- Operators read every order; they act on none.
Anyone else hears exactly what a missing order answers (`NO_SUCH_ORDER`, 404), in lists and counts too: lists filter
with `scope_sql`, and `may_see` says the same in Python (tests hold the two together).
"""

from __future__ import annotations

from dataclasses import dataclass

from app import db
from app.accounts.roles import AWARDER_ROLES, BUYER_ROLES, SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.errors import NotFound
from app.orders.states import Actor, OrderStatus
from app.orders.tables import PurchaseOrder

NO_SUCH_ORDER = "No such order."


@dataclass(frozen=True, slots=True)
class OrderHead:
    """What access decisions and moves need to know about a purchase order."""

    id: int
    number: str
    group_id: int
    buyer_id: int
    vendor_id: int
    placed_by: int | None
    status: OrderStatus
    currency: str


def sees_all_company_orders(principal: Principal) -> bool:
    """Buyer admins and approvers see every order of their company; a purchaser only its own."""
    return principal.company_kind is CompanyKind.BUYER and principal.has_any_role(AWARDER_ROLES)


def may_see(principal: Principal, head: OrderHead) -> bool:
    if principal.is_operator:
        return True
    if principal.company_kind is CompanyKind.VENDOR:
        return (principal.has_any_role(SELLER_ROLES) and head.vendor_id == principal.company_id
                and head.status is not OrderStatus.PENDING_APPROVAL)
    if principal.company_kind is not CompanyKind.BUYER or not principal.has_any_role(BUYER_ROLES):
        return False
    if sees_all_company_orders(principal):
        return head.buyer_id in principal.visible_company_ids
    return head.buyer_id == principal.company_id and head.placed_by == principal.user_id


def scope_sql(principal: Principal, alias: str = "po") -> tuple[str, list[object]]:
    """`may_see` as a WHERE fragment over `purchase_order AS <alias>`, with its arguments (one `{}` each)."""
    if principal.is_operator:
        return "TRUE", []
    if principal.company_kind is CompanyKind.VENDOR and principal.has_any_role(SELLER_ROLES):
        return f"({alias}.vendor = {{}} AND {alias}.status <> {{}})", [principal.company_id,
                                                                         OrderStatus.PENDING_APPROVAL.value]
    if principal.company_kind is not CompanyKind.BUYER or not principal.has_any_role(BUYER_ROLES):
        return "FALSE", []
    if sees_all_company_orders(principal):
        companies = sorted(principal.visible_company_ids)
        return f"{alias}.buyer IN ({', '.join('{}' for _ in companies)})", list(companies)
    return f"({alias}.buyer = {{}} AND {alias}.placed_by = {{}})", [principal.company_id, principal.user_id]


def actor_of(principal: Principal, head: OrderHead) -> Actor:
    """The side the caller acts on. Operators read only: a move of theirs is refused as a missing order is not,
    since they may see it; the guards keep them out of every move first."""
    if principal.company_kind is CompanyKind.VENDOR and may_see(principal, head):
        return Actor.VENDOR
    if principal.company_kind is CompanyKind.BUYER and may_see(principal, head):
        return Actor.BUYER
    raise NotFound(NO_SUCH_ORDER)


HEAD_COLUMNS = ('po.id AS id, po.number AS number, po."group" AS group_id, po.buyer AS buyer_id, '
                "po.vendor AS vendor_id, po.placed_by AS placed_by, po.status AS status, po.currency AS currency")


def head_of(row: dict[str, object]) -> OrderHead:
    return OrderHead(
        id=int(row["id"]), number=str(row["number"]), group_id=int(row["group_id"]),  # type: ignore[call-overload]
        buyer_id=int(row["buyer_id"]), vendor_id=int(row["vendor_id"]),  # type: ignore[call-overload]
        placed_by=row["placed_by"],  # type: ignore[arg-type]
        status=OrderStatus(row["status"]), currency=str(row["currency"]),
    )


async def order_for(principal: Principal, order_id: int, *, lock: bool = False) -> OrderHead:
    """The order if the caller may see it, else 404 worded as for a missing one. `lock` takes its row lock on
    PostgreSQL (inside the caller's transaction) so that two moves of one order run one after the other."""
    scope, args = scope_sql(principal)
    lock_clause = "" if db.is_sqlite() or not lock else " FOR UPDATE OF po"
    rows = await PurchaseOrder.raw(
        f"SELECT {HEAD_COLUMNS} FROM purchase_order po WHERE po.id = {{}} AND {scope}{lock_clause}",  # noqa: S608
        order_id, *args,
    )
    if not rows:
        raise NotFound(NO_SUCH_ORDER)
    return head_of(rows[0])
