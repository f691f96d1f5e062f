"""The approver's inbox as the one grid (app/grids.py): what waits for the caller's approval (the default), or every
approval request of its company by status; sorted, searched, filtered by cost center and paged in SQL; exported
through the one writer. Whether the caller may decide a request now is `approvals.waiting_condition` (the rules of
levels, own orders and approval limits live there and in spending/rules.py, which it is tested against), in SQL, so
"waiting for my approval" pages in SQL too and never reads the company's pending requests first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app import db
from app.auth import Principal
from app.clock import as_utc
from app.forms import Confirmation
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import format_money, from_minor
from app.orders.access import sees_all_company_orders
from app.orders.approval_schemas import ApprovalStepOut
from app.orders.approvals import waiting_condition, waiting_for
from app.spending import approvals as requests
from app.spending.tables import ApprovalRequest, CostCenter

MINE = "mine"
SHOWN = ((MINE, "waiting for my approval"), ("pending", "pending"), ("approved", "approved"),
         ("rejected", "refused"), ("withdrawn", "withdrawn"), ("expired", "expired"), ("all", "every request"))
EXPORT_HEADER = ("Order", "PO number", "Requested by", "Cost center", "Currency", "Net", "Status", "Submitted (UTC)",
                 "Expires (UTC)", "Decided (UTC)", "Approvals")


def approval_spec(cost_centers: Sequence[tuple[int, str]]) -> GridSpec:
    """The inbox's grid, with the caller's company's cost centers to filter by."""
    filters = [GridFilter("show", "Show", SHOWN, default=MINE)]
    if cost_centers:
        filters.append(GridFilter("cost_center", "Cost center", tuple((str(i), code) for i, code in cost_centers)))
    return GridSpec(
        path="/approvals",
        columns=(GridColumn("select", "Select", sortable=False), GridColumn("number", "Order"),
                 GridColumn("po_number", "PO number"),
                 GridColumn("requester", "Requested by"), GridColumn("cost_center", "Cost center"),
                 GridColumn("net", "Net"), GridColumn("status", "Status"), GridColumn("submitted", "Submitted"),
                 GridColumn("expires", "Expires"), GridColumn("why", "Approvals asked", sortable=False),
                 GridColumn("decide", "Decide", sortable=False)),
        default_sort="expires", search_label="Order, PO number, requester or cost center", filters=tuple(filters),
        export_name="approvals",
    )


async def approval_spec_for(principal: Principal) -> GridSpec:
    rows = await CostCenter.select(CostCenter.id, CostCenter.code).where(
        CostCenter.company == principal.company_id).order_by(CostCenter.code)
    return approval_spec([(row["id"], row["code"]) for row in rows])


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    """One approval request as the inbox shows it; `may_decide`: the caller may give or refuse an approval now."""

    order_id: int
    number: str
    po_number: str
    requester: str
    cost_center: str
    status: str
    submitted_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    net: dict[str, Decimal]
    steps: list[ApprovalStepOut]
    may_decide: bool


_FROM = """
FROM approval_request ar
JOIN order_group g ON g.id = ar."group"
JOIN (SELECT po."group" AS grp, MIN(po.id) AS order_id, MIN(po.currency) AS currency, SUM(po.net) AS net
      FROM purchase_order po GROUP BY po."group") t ON t.grp = ar."group"
LEFT JOIN order_charge oc ON oc."group" = ar."group"
LEFT JOIN cost_center cc ON cc.id = oc.cost_center
LEFT JOIN membership m ON m."user" = ar.requester
"""
_COLUMNS = ('ar."group" AS group_id, t.order_id AS order_id, g.number AS number, g.po_number AS po_number, '
            "COALESCE(m.name, '') AS requester, COALESCE(cc.code, '') AS cost_center, ar.status AS status, "
            "ar.submitted_at AS submitted_at, ar.expires_at AS expires_at, ar.decided_at AS decided_at")
_ORDER = {"number": ("g.number",), "po_number": ("g.po_number",), "requester": ("COALESCE(m.name, '')",),
          "cost_center": ("COALESCE(cc.code, '')",), "net": ("t.currency", "t.net"), "status": ("ar.status",),
          "submitted": ("ar.submitted_at",), "expires": ("ar.expires_at",)}
_TOTALS = ('SELECT po."group" AS group_id, po.currency AS currency, SUM(po.net) AS net FROM purchase_order po '
           'WHERE {} GROUP BY po."group", po.currency')


def _moment(value: Any) -> datetime | None:
    # SQLite hands a raw query's timestamp back as text.
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


async def approval_grid(principal: Principal, state: GridState) -> GridPage:
    """The approval requests the grid's state selects, in its order, each saying whether the caller may decide it
    now: five queries whatever the page (one of them when the caller has an approval limit)."""
    waiting, waiting_values = await waiting_condition(principal)
    where, values = ["ar.company = {}"], [principal.company_id]
    shown = state.filter("show")
    if shown == MINE:
        where.append(waiting)
        values += waiting_values
    else:
        if shown != "all":
            where.append("ar.status = {}")
            values.append(shown)
        if not sees_all_company_orders(principal):  # a purchaser: the requests of its own orders
            where.append("(ar.requester = {} OR g.placed_by = {})")
            values += [principal.user_id, principal.user_id]
    if state.filter("cost_center"):
        where.append("oc.cost_center = {}")
        values.append(int(state.filter("cost_center")))
    for word in state.q.split():
        where.append("(" + " OR ".join(f"LOWER({column}) LIKE {{}}" for column in (
            "g.number", "g.po_number", "COALESCE(m.name, '')", "COALESCE(cc.code, '')")) + ")")
        values += [f"%{word.lower().replace('%', '')}%"] * 4
    condition = " AND ".join(where)
    way = "DESC" if state.descending else "ASC"
    order = ", ".join(f"{column} {way}" for column in (*_ORDER[state.sort], 'ar."group"'))
    rows = await ApprovalRequest.raw(
        f"SELECT {_COLUMNS}, CASE WHEN {waiting} THEN 1 ELSE 0 END AS may_decide {_FROM} WHERE {condition} "
        f"ORDER BY {order} LIMIT {{}} OFFSET {{}}", *waiting_values, *values, state.limit, state.offset)
    counted = await ApprovalRequest.raw(f"SELECT COUNT(*) AS n {_FROM} WHERE {condition}", *values)
    group_ids = [row["group_id"] for row in rows]
    found = await requests.requests_of(group_ids)
    totals: dict[int, dict[str, Decimal]] = {}
    if group_ids:
        fragment, argument = db.in_ids('po."group"', group_ids)
        for total in await ApprovalRequest.raw(_TOTALS.format(fragment), argument):
            totals.setdefault(total["group_id"], {})[total["currency"]] = from_minor(int(total["net"]))  # type: ignore[assignment]
    items = [ApprovalRow(
        order_id=row["order_id"], number=row["number"], po_number=row["po_number"], requester=row["requester"],
        cost_center=row["cost_center"], status=row["status"], submitted_at=_moment(row["submitted_at"]),  # type: ignore[arg-type]
        expires_at=_moment(row["expires_at"]), decided_at=_moment(row["decided_at"]),  # type: ignore[arg-type]
        net=dict(sorted(totals.get(row["group_id"], {}).items())),
        steps=[ApprovalStepOut(position=s.position, level=s.level, reason=s.reason, status=s.status,
                               approver_role=s.approval.approver_role,
                               approver_user_ids=sorted(s.approval.approver_user_ids), decided_by=s.decided_by,
                               comment=s.comment) for s in found[row["group_id"]].steps],
        may_decide=bool(row["may_decide"]),
    ) for row in rows]
    return state.page_of(items, counted[0]["n"])


def export_row(row: ApprovalRow) -> tuple[Any, ...]:
    """One request as an export row: the net a number when the order is in one currency (almost always)."""
    currencies = "; ".join(row.net)
    net: Any = next(iter(row.net.values())) if len(row.net) == 1 else "; ".join(
        f"{amount} {currency}" for currency, amount in row.net.items())
    return (row.number, row.po_number, row.requester, row.cost_center, currencies, net, row.status,
            row.submitted_at, row.expires_at, row.decided_at,
            "; ".join(f"level {s.level}: {s.reason} ({s.status})" for s in row.steps))


async def bulk_confirmation(principal: Principal, order_ids: list[int], comment: str, back: str) -> Confirmation:
    """What approving the ticked orders does, each named with its PO number, net and why it waits; only those the
    caller may approve now are named (approving any other is refused, by `approve`, when it is confirmed)."""
    waiting = {item.order_id: item for item in await waiting_for(principal) if item.order_id in set(order_ids)}
    items = [f"{item.group_number} (PO {item.po_number}): "
             + ", ".join(format_money(Decimal(net), currency, principal.locale) for currency, net in item.net.items())
             + f" — {'; '.join(step.reason for step in item.steps if step.status == 'pending')}"
             for item in waiting.values()]
    missing = len(set(order_ids) - set(waiting))
    return Confirmation(
        title=f"Approve {len(order_ids)} order{'' if len(order_ids) == 1 else 's'}?",
        items=items,
        facts=[*([f"{missing} of the ticked orders no longer wait for your approval: nothing will be approved."]
                 if missing else []),
               "Each is approved as if from its own row: where it was the last approval it needed, its vendors "
               "get the order at once.",
               "All or none: if one cannot be approved, none is."],
        action="/approvals/bulk", yes="Yes, approve them", back=back, danger=False,
        hidden=[*(("order_id", str(order_id)) for order_id in sorted(set(order_ids))), ("comment", comment),
                ("next", back)])
