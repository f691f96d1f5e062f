"""A vendor's competitiveness over time on a buyer's RFQs: per month, how far its latest offers were above the best
offer on the same lines (value-weighted at the quantities asked) and on how many lines it was the best. One query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.analytics.facts import REVEALED_SQL, Scope, month_of
from app.analytics.savings import percent_of, premium_percent
from app.db import in_ids
from app.money import from_minor
from app.rfq.tables import Rfq


@dataclass(frozen=True, slots=True)
class Month:
    month: str
    currency: str
    lines: int  # lines it quoted
    best_lines: int  # lines where its offer was the lowest (ties count)
    offered: Decimal  # its prices times the quantities asked
    best: Decimal  # the best prices on the same lines times the same quantities

    @property
    def premium_percent(self) -> Decimal | None:
        return premium_percent(self.offered, self.best)

    @property
    def best_percent(self) -> Decimal | None:
        return percent_of(Decimal(self.best_lines), Decimal(self.lines))


def _sql(scope: Scope) -> tuple[str, list[object]]:
    where, args = [f"r.status IN ({REVEALED_SQL})", "o.status = 'live'"], []
    if scope.buyers is not None:
        fragment, arg = in_ids("r.buyer", scope.buyers)
        where.append(fragment)
        args.append(arg)
    # The vendor's own lines first: the others' offers are read only on those.
    sql = f"""
WITH quoted AS (
    SELECT DISTINCT ol.rfq_line
    FROM offer_line ol JOIN offer_revision rv ON rv.id = ol.revision JOIN offer o ON o.id = rv.offer
    WHERE o.vendor = {{}} AND o.status = 'live'
),
latest AS (
    SELECT ol.rfq_line, o.vendor, ol.unit_price, r.currency, l.quantity, {month_of("r.deadline")} AS month,
           r.deadline,
           ROW_NUMBER() OVER (PARTITION BY ol.rfq_line, o.id ORDER BY rv.number DESC) AS n
    FROM offer_line ol
    JOIN offer_revision rv ON rv.id = ol.revision
    JOIN offer o ON o.id = rv.offer
    JOIN rfq r ON r.id = o.rfq
    JOIN rfq_line l ON l.id = ol.rfq_line
    WHERE ol.rfq_line IN (SELECT rfq_line FROM quoted) AND {" AND ".join(where)}
),
best AS (SELECT rfq_line, MIN(unit_price) AS price FROM latest WHERE n = 1 GROUP BY rfq_line)
SELECT x.month, x.currency, COUNT(*) AS lines,
       SUM(CASE WHEN x.unit_price = b.price THEN 1 ELSE 0 END) AS best_lines,
       SUM(x.unit_price * x.quantity) AS offered, SUM(b.price * x.quantity) AS best
FROM latest x JOIN best b ON b.rfq_line = x.rfq_line
WHERE x.n = 1 AND x.vendor = {{}}
GROUP BY x.month, x.currency
ORDER BY x.month, x.currency
"""  # noqa: S608 (column names and placeholders only)
    return sql, args


async def months(scope: Scope, vendor_id: int) -> list[Month]:
    """The vendor's months in scope (the RFQ's deadline gives its month), per currency."""
    sql, args = _sql(scope)
    rows = await Rfq.raw(sql, vendor_id, *args, vendor_id)
    chosen = [
        row for row in rows
        if (scope.start is None or row["month"] >= scope.start.isoformat()[:7])
        and (scope.end is None or row["month"] <= scope.end.isoformat()[:7])
    ]
    return [
        Month(row["month"], row["currency"], int(row["lines"]), int(row["best_lines"]),
              from_minor(int(row["offered"])) or Decimal(0), from_minor(int(row["best"])) or Decimal(0))
        for row in chosen
    ]
