"""The reads of spending's tables that several services share: a user's cost centers and roles, the budgets of a
cost center with what they hold (derived from the orders charged to it), a user's limits and its month so far.

What a budget holds is read from the orders, not kept in a counter: `order_charge` ties an order group to its cost
center and day, and the purchase orders' own net amounts and statuses say reserved (waiting for approval), spent
(approved, or placed without needing approval) or released (rejected, cancelled; a withdrawn or expired request
cancels its orders). A reduced order holds its reduced amount. So no path that moves an order can forget to update
a budget. The budget rows are locked (PostgreSQL `FOR UPDATE`; SQLite's immediate transaction holds the write lock)
while the figures are read and the new order is written, so two checkouts see each other's orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app import db
from app.clock import as_utc
from app.money import from_minor
from app.order_statuses import AWAITING_APPROVAL, RELEASED, OrderStatus, sql_list
from app.spending.rules import Period, period_end, period_start
from app.spending.tables import Budget

_HELD = """
SELECT COALESCE(SUM(CASE WHEN po.status IN ({reserved}) THEN po.net ELSE 0 END), 0) AS reserved,
       COALESCE(SUM(CASE WHEN po.status IN ({reserved}) THEN 0 ELSE po.net END), 0) AS spent
FROM order_charge oc JOIN purchase_order po ON po."group" = oc."group"
WHERE oc.cost_center = {{}} AND oc.counts_on >= {{}} AND oc.counts_on < {{}} AND po.currency = {{}}
  AND po.status NOT IN ({released})
""".format(reserved=sql_list(AWAITING_APPROVAL), released=sql_list(RELEASED))

_USER_MONTH = f"""
SELECT COALESCE(SUM(po.net), 0) AS ordered
FROM order_charge oc JOIN purchase_order po ON po."group" = oc."group"
WHERE oc."user" = {{}} AND oc.counts_on >= {{}} AND oc.counts_on < {{}} AND po.currency = {{}}
  AND po.status NOT IN ({sql_list(RELEASED)})
"""  # noqa: S608 (constants only)

_BUDGETS_ON = (
    "SELECT id, period, starts_on, currency, amount, hard FROM budget WHERE cost_center = {} "
    "AND ((period = 'month' AND starts_on = {}) OR (period = 'quarter' AND starts_on = {}) "
    "OR (period = 'year' AND starts_on = {})) ORDER BY id"
)
_USER_COST_CENTERS = """
SELECT cc.id AS id, cc.code AS code, cc.name AS name
FROM cost_center_member m JOIN cost_center cc ON cc.id = m.cost_center
WHERE m."user" = {} AND cc.company = {} AND cc.active
ORDER BY cc.code
"""


@dataclass(frozen=True, slots=True)
class Held:
    reserved: Decimal
    spent: Decimal


async def user_cost_centers(user_id: int, company_id: int) -> list[dict[str, object]]:
    """The active cost centers of the company the user may order on, by code."""
    return await Budget.raw(_USER_COST_CENTERS, user_id, company_id)


async def held_each(budgets: Sequence[tuple[int, Period, date, str]]) -> list[Held]:
    """What each (cost center, period, first day, currency)'s orders hold in that currency, reserved and spent, in
    one query: a grid page of budgets, or a checkout's budgets, costs one round trip, not one per budget."""
    if not budgets:
        return []
    parts, args = [], []
    for position, (cost_center_id, period, starts_on, currency) in enumerate(budgets):
        parts.append(f"SELECT {position} AS position, held.reserved, held.spent FROM ({_HELD}) AS held")  # noqa: S608
        args += [cost_center_id, starts_on, period_end(period, starts_on), currency]
    rows = {int(row["position"]): row for row in await Budget.raw(" UNION ALL ".join(parts), *args)}
    return [Held(reserved=from_minor(int(rows[i]["reserved"])), spent=from_minor(int(rows[i]["spent"])))
            for i in range(len(budgets))]


async def month_ordered(user_id: int, day: date, currency: str) -> Decimal:
    """What the user ordered (for itself, whoever placed it) in the calendar month of `day`, not released."""
    start = period_start(Period.MONTH, day)
    rows = await Budget.raw(_USER_MONTH, user_id, start, period_end(Period.MONTH, start), currency)
    return from_minor(int(rows[0]["ordered"]))


async def budgets_on(cost_center_id: int, day: date, *, lock: bool) -> list[dict[str, object]]:
    """The cost center's budgets whose period contains `day`; `lock` takes their row locks (PostgreSQL) in id order,
    so two checkouts on one cost center run one after the other and never wait for each other in a cycle."""
    starts = [period_start(period, day) for period in Period]
    return await Budget.raw(_BUDGETS_ON + ("" if db.is_sqlite() or not lock else " FOR UPDATE"),
                            cost_center_id, *starts)


# Which figure of a budget an order is in, by its status: the sets `figure_of` and the orders grid's SQL both read.
FIGURES: dict[str, frozenset[OrderStatus]] = {"released": RELEASED, "reserved": AWAITING_APPROVAL}
_BEHIND_FROM = """
FROM order_charge oc JOIN order_group g ON g.id = oc."group" JOIN purchase_order po ON po."group" = g.id
WHERE oc.cost_center = {} AND oc.counts_on >= {} AND oc.counts_on < {} AND po.currency = {}"""
_BEHIND_COLUMNS = ("po.id AS order_id, po.number AS order_number, g.po_number AS po_number, po.status AS status, "
                   "po.net AS net, oc.counts_on AS counts_on, po.placed_at AS placed_at")
_BEHIND_ORDER = {"number": ("po.id",), "po_number": ("g.po_number",), "day": ("oc.counts_on",),
                 "status": ("po.status",), "net": ("po.net",), "placed": ("po.placed_at",)}


@dataclass(frozen=True, slots=True)
class OrderBehind:
    """One purchase order charged to a budget's cost center and period, and which figure it is in."""

    order_id: int
    number: str
    po_number: str
    status: str
    net: Decimal
    figure: str  # reserved, spent or released
    counts_on: date
    placed_at: datetime | None = None


def figure_of(status: str) -> str:
    """Which of a budget's figures an order of this status is in: released, reserved or spent."""
    return next((figure for figure, statuses in FIGURES.items() if status in statuses), "spent")


def figure_sql(figure: str) -> str:
    """`figure_of(po.status) == figure` as a SQL condition of constants."""
    if figure in FIGURES:
        return f"po.status IN ({sql_list(FIGURES[figure])})"
    return f"po.status NOT IN ({sql_list(RELEASED | AWAITING_APPROVAL)})"


async def orders_behind(cost_center_id: int, period: Period, starts_on: date, currency: str, *, q: str = "",
                        figure: str = "", sort: str = "day", descending: bool = False, limit: int = 25,
                        offset: int = 0) -> tuple[list[OrderBehind], int]:
    """One page of the orders behind a budget's figures (searched by order or PO number, narrowed to one figure,
    sorted, paged in SQL), and how many match: two queries."""
    where, values = [_BEHIND_FROM], [cost_center_id, starts_on, period_end(period, starts_on), currency]
    if figure:
        where.append(f" AND {figure_sql(figure)}")
    for word in q.split():
        where.append(" AND (LOWER(po.number) LIKE {} OR LOWER(g.po_number) LIKE {})")
        values += [f"%{word.lower().replace('%', '')}%"] * 2
    narrowed = "".join(where)
    way = "DESC" if descending else "ASC"
    order = ", ".join(f"{column} {way}" for column in (*_BEHIND_ORDER[sort], "po.id"))
    rows = await Budget.raw(f"SELECT {_BEHIND_COLUMNS} {narrowed} ORDER BY {order} LIMIT {{}} OFFSET {{}}",
                            *values, limit, offset)
    counted = await Budget.raw(f"SELECT COUNT(*) AS n {narrowed}", *values)
    return [OrderBehind(
        order_id=row["order_id"], number=row["order_number"], po_number=row["po_number"], status=row["status"],
        net=from_minor(int(row["net"])),  # type: ignore[arg-type]
        figure=figure_of(row["status"]),
        counts_on=row["counts_on"] if isinstance(row["counts_on"], date) else date.fromisoformat(row["counts_on"]),
        placed_at=_moment(row["placed_at"]),
    ) for row in rows], counted[0]["n"]


def _moment(value: object) -> datetime | None:
    # SQLite hands a raw query's timestamp back as text.
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)  # type: ignore[arg-type]
