"""A vendor's competitiveness over time on a buyer's RFQs: per month, how far its latest offers were above the best
offer on the same lines (value-weighted at the quantities asked) and on how many lines it was the best. One query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.analytics.facts import Scope, latest_offers_sql
from app.analytics.savings import percent_of, premium_percent
from app.db import in_ids
from app.money import from_minor
from app.rfq.states import RfqStatus
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


def _sql(scope: Scope, vendor_id: int) -> tuple[str, list[object]]:
    # Awarded RFQs: the months precomputed by the facts' refresh (app/analytics/facts.py), a few rows. RFQs closed
    # but not awarded yet (few, and their offers may still move in negotiation): read from their offers.
    closed, buyers, args = f"r.status = '{RfqStatus.CLOSED.value}'", "1 = 1", [vendor_id, vendor_id]
    if scope.buyers is not None:
        fragment, arg = in_ids("r.buyer", scope.buyers)
        closed += f" AND {fragment}"
        buyers, _ = in_ids("m.buyer", scope.buyers)
        args = [arg, vendor_id, vendor_id, arg]
    sql = f"""
WITH {latest_offers_sql(closed)},
open_months AS (
    SELECT x.month, x.currency, COUNT(*) AS lines,
           SUM(CASE WHEN x.unit_price = b.price THEN 1 ELSE 0 END) AS best_lines,
           SUM(x.unit_price * x.quantity) AS offered, SUM(b.price * x.quantity) AS best
    FROM latest x JOIN best b ON b.rfq_line = x.rfq_line
    WHERE x.n = 1 AND x.vendor = {{}}
    GROUP BY x.month, x.currency
)
SELECT month, currency, SUM(lines) AS lines, SUM(best_lines) AS best_lines, SUM(offered) AS offered,
       SUM(best) AS best
FROM (
    SELECT m.month, m.currency, m.lines, m.best_lines, m.offered, m.best FROM vendor_month m
    WHERE m.vendor = {{}} AND {buyers}
    UNION ALL
    SELECT month, currency, lines, best_lines, offered, best FROM open_months
) u
GROUP BY month, currency
ORDER BY month, currency
"""  # noqa: S608 (column names and placeholders only)
    return sql, args


async def months(scope: Scope, vendor_id: int) -> list[Month]:
    """The vendor's months in scope (the RFQ's deadline gives its month), per currency."""
    sql, args = _sql(scope, vendor_id)
    rows = await Rfq.raw(sql, *args)
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
