"""The savings facts: written once per awarded RFQ (one fact per award, with its baselines), added in the same
transaction to the monthly sums and to the vendors' months, then summed per month, category, vendor, cost center and
currency in one query (whole months from the monthly sums, the period's partial months from the facts). Amounts
leave here as Decimal Figures (app/analytics/savings.py); rows never do.

Only awarded RFQs' awards become facts (an award exists only once its RFQ is awarded, its prices revealed): the
sealed rule holds here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app import db
from app.analytics.savings import Baseline, Comparison, Figures
from app.analytics.tables import AwardFact
from app.db import in_ids, is_sqlite
from app.money import from_minor
from app.order_statuses import RELEASED
from app.rfq.states import RfqStatus

AWARDED = RfqStatus.AWARDED.value  # an enum value, never input


def month_of(column: str) -> str:
    """SQL for the month (2026-05) of a timestamp column, in UTC: SQLite stores "2026-05-04 10:00:00+00:00"."""
    return f"substr({column}, 1, 7)" if is_sqlite() else f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"


def _day_of(column: str) -> str:
    return f"substr({column}, 1, 10)" if is_sqlite() else f"({column} AT TIME ZONE 'UTC')::date"


def _facts_sql(claimed: str) -> str:
    # The previous award of a product is the buyer's previous RFQ that awarded it (in the same currency): lines of
    # one RFQ are awarded at the same moment, so they are not each other's "last contract".
    return f"""
WITH missing AS (
    SELECT a.id, a.rfq, a.rfq_line, a.offer, a.vendor, a.currency, a.unit_price, a.quantity, a.awarded_at,
           r.buyer, l.product, l.target_price, p.category, rc.cost_center
    FROM award a
    JOIN rfq r ON r.id = a.rfq
    JOIN rfq_line l ON l.id = a.rfq_line
    LEFT JOIN product p ON p.id = l.product
    LEFT JOIN rfq_cost_center rc ON rc.rfq = a.rfq
    WHERE {claimed} AND NOT EXISTS (SELECT 1 FROM award_fact f WHERE f.award = a.id)
),
bought AS (
    SELECT r.buyer, l.product, a.currency, a.rfq, MIN(a.awarded_at) AS awarded_at, MIN(a.unit_price) AS unit_price
    FROM award a
    JOIN rfq r ON r.id = a.rfq
    JOIN rfq_line l ON l.id = a.rfq_line
    WHERE l.product IS NOT NULL AND EXISTS (
        SELECT 1 FROM missing m WHERE m.buyer = r.buyer AND m.product = l.product AND m.currency = a.currency)
    GROUP BY r.buyer, l.product, a.currency, a.rfq
),
history AS (
    SELECT buyer, product, currency, rfq,
           LAG(unit_price) OVER (PARTITION BY buyer, product, currency ORDER BY awarded_at, rfq) AS previous
    FROM bought
),
firsts AS (
    SELECT ol.rfq_line, rv.offer, ol.unit_price,
           ROW_NUMBER() OVER (PARTITION BY ol.rfq_line, rv.offer ORDER BY rv.number) AS n
    FROM offer_line ol
    JOIN offer_revision rv ON rv.id = ol.revision
    JOIN offer o ON o.id = rv.offer
    WHERE o.status = 'live' AND ol.rfq_line IN (SELECT rfq_line FROM missing)
),
ranked AS (
    SELECT rfq_line, offer, unit_price,
           ROW_NUMBER() OVER (PARTITION BY rfq_line ORDER BY unit_price, offer) AS k,
           COUNT(*) OVER (PARTITION BY rfq_line) AS c
    FROM firsts WHERE n = 1
),
medians AS (
    SELECT rfq_line, CASE WHEN MAX(c) % 2 = 1 THEN 2 * SUM(unit_price) ELSE SUM(unit_price) END AS x2
    FROM ranked WHERE k IN ((c + 1) / 2, (c + 2) / 2)
    GROUP BY rfq_line
)
INSERT INTO award_fact (award, buyer, rfq, rfq_line, vendor, product, category, currency, awarded_at, awarded_on,
                        month, quantity, unit_price, target_price, last_contract_price, median_first_x2,
                        own_first_price, cost_center)
SELECT m.id, m.buyer, m.rfq, m.rfq_line, m.vendor, m.product, m.category, m.currency, m.awarded_at,
       {_day_of("m.awarded_at")}, {month_of("m.awarded_at")}, m.quantity, m.unit_price, m.target_price, h.previous,
       md.x2, fo.unit_price, m.cost_center
FROM missing m
LEFT JOIN history h ON h.buyer = m.buyer AND h.product = m.product AND h.currency = m.currency AND h.rfq = m.rfq
LEFT JOIN medians md ON md.rfq_line = m.rfq_line
LEFT JOIN ranked fo ON fo.rfq_line = m.rfq_line AND fo.offer = m.offer
WHERE 1 = 1
ON CONFLICT (award) DO NOTHING
"""  # noqa: S608 (enum values and SQL expressions only)


def latest_offers_sql(rfqs: str) -> str:
    """Each live offer's latest price per line on the RFQs `rfqs` (a condition on `r`), and the best of them per line:
    the CTEs `latest` and `best` that a vendor's competitiveness is read from (here and in competitiveness.py)."""
    return f"""
latest AS (
    SELECT ol.rfq_line, o.vendor, r.buyer, ol.unit_price, r.currency, l.quantity, {month_of("r.deadline")} AS month,
           ROW_NUMBER() OVER (PARTITION BY ol.rfq_line, o.id ORDER BY rv.number DESC) AS n
    FROM rfq r
    JOIN offer o ON o.rfq = r.id
    JOIN offer_revision rv ON rv.offer = o.id
    JOIN offer_line ol ON ol.revision = rv.id
    JOIN rfq_line l ON l.id = ol.rfq_line
    WHERE o.status = 'live' AND {rfqs}
),
best AS (SELECT rfq_line, MIN(unit_price) AS price FROM latest WHERE n = 1 GROUP BY rfq_line)"""  # noqa: S608


def _vendor_months_sql(claimed: str) -> str:
    return f"""
WITH {latest_offers_sql(claimed)}
INSERT INTO vendor_month (buyer, vendor, month, currency, lines, best_lines, offered, best)
SELECT x.buyer, x.vendor, x.month, x.currency, COUNT(*),
       SUM(CASE WHEN x.unit_price = b.price THEN 1 ELSE 0 END), SUM(x.unit_price * x.quantity),
       SUM(b.price * x.quantity)
FROM latest x JOIN best b ON b.rfq_line = x.rfq_line
WHERE x.n = 1
GROUP BY x.buyer, x.vendor, x.month, x.currency
ON CONFLICT (vendor, buyer, month, currency) DO UPDATE SET
    lines = vendor_month.lines + excluded.lines, best_lines = vendor_month.best_lines + excluded.best_lines,
    offered = vendor_month.offered + excluded.offered, best = vendor_month.best + excluded.best
"""  # noqa: S608 (SQL expressions only)


def _savings_months_sql(claimed: str) -> str:
    measures = [f"{b.value}_{part}" for b in _COMPARED for part in ("base", "awarded", "lines")]
    return f"""
INSERT INTO savings_month (buyer, month, category, vendor, cost_center, currency, lines, awarded, {", ".join(measures)})
SELECT buyer, month, category, vendor, cost_center, currency, COUNT(*), SUM(awarded),
       {", ".join(f"COALESCE(SUM({m}), 0)" for m in measures)}
FROM (
    SELECT f.buyer, f.month, COALESCE(f.category, 0) AS category, f.vendor, COALESCE(f.cost_center, 0) AS cost_center,
           f.currency, f.unit_price * f.quantity AS awarded, {_sums()}
    FROM award_fact f WHERE {claimed}
) x
WHERE 1 = 1
GROUP BY buyer, month, category, vendor, cost_center, currency
ON CONFLICT (buyer, month, category, vendor, cost_center, currency) DO UPDATE SET
    lines = savings_month.lines + excluded.lines, awarded = savings_month.awarded + excluded.awarded,
    {", ".join(f"{m} = savings_month.{m} + excluded.{m}" for m in measures)}
"""  # noqa: S608 (column names only)


def _among(column: str, ids: list[int]) -> tuple[str, object]:
    """`column` is one of the claimed RFQs: on PostgreSQL a set to join (`= ANY` of ten thousand ids compares each
    row with every id: minutes for a bulk load's first refresh), on SQLite in_ids' json_each."""
    if is_sqlite():
        return in_ids(column, ids)
    return f"{column} IN (SELECT unnest({{}}::bigint[]))", ids


# The partial index rfq_facts_due (app/analytics/piccolo_migrations) holds exactly these rows.
_DUE = f"SELECT id FROM rfq WHERE status = '{AWARDED}' AND facts_written_at IS NULL"  # noqa: S608 (an enum value)


async def refresh() -> None:
    """Write the facts of the awarded RFQs that have none yet: one read of an index that is empty when every
    awarded RFQ has its facts (`rfq_facts_due`, partial), else one transaction.

    The transaction first claims the RFQs (sets `facts_written_at` where it is still empty: a concurrent refresh
    waits on those rows, then finds them claimed), then writes their award facts (never rewritten: ON CONFLICT) and
    adds them to the monthly savings and their offers to the vendors' months, so each RFQ is added exactly once.
    Nothing else writes these tables: after a crash the transaction rolled back and the next refresh does it again,
    and emptying the three tables and every `facts_written_at` rebuilds them from the awards and offers."""
    due = [row["id"] for row in await AwardFact.raw(_DUE)]
    if not due:
        return
    async with db.transaction():
        now = await db.db_now()
        fragment, arg = in_ids("id", due)
        claimed = [row["id"] for row in await AwardFact.raw(
            f"UPDATE rfq SET facts_written_at = {{}} WHERE {fragment} AND status = '{AWARDED}' "  # noqa: S608
            "AND facts_written_at IS NULL RETURNING id", now, arg)]
        if not claimed:
            return
        fragment, arg = _among("a.rfq", claimed)
        await AwardFact.raw(_facts_sql(fragment), arg)
        fragment, arg = _among("r.id", claimed)
        await AwardFact.raw(_vendor_months_sql(fragment), arg)
        fragment, arg = _among("f.rfq", claimed)
        await AwardFact.raw(_savings_months_sql(fragment), arg)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose facts: the buyer companies (None: the whole marketplace, for operators), a period, one RFQ."""

    buyers: list[int] | None
    start: date | None = None
    end: date | None = None
    rfq_id: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """The figures of one month, category, vendor and cost center (those of the grain asked), in one currency."""

    month: str
    category_id: int | None
    category: str
    vendor_id: int
    vendor: str
    figures: Figures
    cost_center_id: int | None = None
    cost_center: str = ""


NO_COST_CENTER = "No cost center"

_COMPARED = {
    Baseline.TARGET: "f.target_price",
    Baseline.LAST_CONTRACT: "f.last_contract_price",
    Baseline.MEDIAN_FIRST_OFFER: "f.median_first_x2",
    Baseline.FIRST_OFFER: "f.own_first_price",
}


GRAIN = ("month", "category", "vendor")
GRAINS = (*GRAIN, "cost_center")  # the RFQ's cost center; the page and the API group by each of them


def _where(scope: Scope) -> tuple[str, list[object]]:
    """The facts `f` in scope, as a condition and its arguments."""
    where, args = ["1 = 1"], []
    if scope.buyers is not None:
        fragment, arg = in_ids("f.buyer", scope.buyers)
        where.append(fragment)
        args.append(arg)
    if scope.start is not None:
        where.append("f.awarded_on >= {}")
        args.append(scope.start)
    if scope.end is not None:
        where.append("f.awarded_on <= {}")
        args.append(scope.end)
    if scope.rfq_id is not None:
        where.append("f.rfq = {}")
        args.append(scope.rfq_id)
    return " AND ".join(where), args


def _sums() -> str:
    """A fact's contribution to each baseline's sums, one row per fact."""
    return ",\n".join(
        f"{column} * f.quantity AS {b.value}_base, "
        f"CASE WHEN {column} IS NOT NULL THEN f.unit_price * f.quantity END AS {b.value}_awarded, "
        f"CASE WHEN {column} IS NOT NULL THEN 1 ELSE 0 END AS {b.value}_lines"
        for b, column in _COMPARED.items()
    )


_MEASURES = ("lines", "awarded", "consumed", *(f"{b.value}_{part}" for b in _COMPARED
                                               for part in ("base", "awarded", "lines")))


@dataclass(frozen=True, slots=True)
class _Split:
    """A period cut into whole months (read from the monthly sums) and the days before and after them (read from
    the facts): `before` and `after` are the first and last day of the whole months, None where no day is left."""

    first: str  # the first whole month, '0000-00' when open
    last: str  # the last whole month, '9999-99' when open
    before: date | None  # the facts before this day are read (the start's partial month)
    after: date | None  # the facts after this day are read (the end's partial month)


def _split(scope: Scope) -> _Split | None:
    """None when the monthly sums cannot serve: one RFQ's figures, or a period within one month."""
    if scope.rfq_id is not None:
        return None
    first, before = "0000-00", None
    if scope.start is not None and scope.start.day != 1:
        before = (scope.start.replace(day=28) + timedelta(days=4)).replace(day=1)
        first = before.strftime("%Y-%m")
    elif scope.start is not None:
        first = scope.start.strftime("%Y-%m")
    last, after = "9999-99", None
    if scope.end is not None and (scope.end + timedelta(days=1)).day != 1:
        after = scope.end.replace(day=1) - timedelta(days=1)
        last = after.strftime("%Y-%m")
    elif scope.end is not None:
        last = scope.end.strftime("%Y-%m")
    return _Split(first, last, before, after) if first <= last else None


def _grouped_sql(scope: Scope, grains: list[tuple[str, ...]]) -> tuple[str, list[object]]:
    where, args = _where(scope)
    fact_cols = ", ".join(f"f.{c}" for c in GRAINS)
    facts = f"""
    SELECT {fact_cols}, f.currency, 1 AS lines, f.unit_price * f.quantity AS awarded, 0 AS consumed, {_sums()}
    FROM award_fact f WHERE {where}"""  # noqa: S608
    sources = [f"""
    SELECT {fact_cols}, f.currency, 0, 0, cl.consumed_qty * cl.unit_price, {", ".join(["NULL, NULL, 0"] * 4)}
    FROM award_fact f JOIN contract_line cl ON cl.rfq_line = f.rfq_line WHERE {where} AND cl.consumed_qty > 0"""]  # noqa: S608
    all_args = [*args]
    split = _split(scope)
    if split is None:
        sources.append(facts)
        all_args += args
    else:
        # Whole months from the monthly sums; the facts only for the days of the partial months at the ends.
        for bound, day in (("<", split.before), (">", split.after)):
            if day is not None:
                sources.append(f"{facts} AND f.awarded_on {bound} {{}}")
                all_args += [*args, day]
        month_where = ["m.month >= {}", "m.month <= {}"]
        all_args += [split.first, split.last]
        if scope.buyers is not None:
            fragment, arg = in_ids("m.buyer", scope.buyers)
            month_where.append(fragment)
            all_args.append(arg)
        sources.append(f"""
    SELECT m.month, NULLIF(m.category, 0), m.vendor, NULLIF(m.cost_center, 0), m.currency, m.lines, m.awarded, 0,
           {", ".join(f"m.{b.value}_{part}" for b in _COMPARED for part in ("base", "awarded", "lines"))}
    FROM savings_month m WHERE {" AND ".join(month_where)}""")  # noqa: S608
    sums = ", ".join(f"SUM({m}) AS {m}" for m in _MEASURES)
    selects = []
    for n, grain in enumerate(grains):
        picked = ", ".join(
            c if c in grain else ("'' AS month" if c == "month" else f"CAST(NULL AS INTEGER) AS {c}")
            for c in GRAINS)
        group = ", ".join([*grain, "currency"])
        selects.append(f"SELECT {n} AS grain, {picked}, currency, {sums} FROM src GROUP BY {group}")  # noqa: S608
    # The sources once (materialized), summed per grain: a few hundred rows leave the database.
    sql = f"""
WITH src ({", ".join([*GRAINS, "currency", *_MEASURES])}) AS MATERIALIZED ({" UNION ALL ".join(sources)}
)
SELECT g.*, c.name AS category_name, v.name AS vendor_name, cc.code AS cost_center_code,
       cc.name AS cost_center_name
FROM ({" UNION ALL ".join(selects)}) g
LEFT JOIN company v ON v.id = g.vendor
LEFT JOIN category c ON c.id = g.category
LEFT JOIN cost_center cc ON cc.id = g.cost_center
"""  # noqa: S608 (column names and placeholders only)
    return sql, all_args


def _amount(minor: object, halves: bool = False) -> Decimal:
    # Sums of 1/10,000 units: int on SQLite, Decimal (numeric) on PostgreSQL.
    value = from_minor(int(minor or 0)) or Decimal(0)
    return value / 2 if halves else value


def cell_of(row: dict) -> Cell:
    comparisons = {
        b: Comparison(_amount(row[f"{b.value}_base"], b is Baseline.MEDIAN_FIRST_OFFER),
                      _amount(row[f"{b.value}_awarded"]), int(row[f"{b.value}_lines"] or 0))
        for b in _COMPARED
        if row[f"{b.value}_lines"]
    }
    figures = Figures(row["currency"], int(row["lines"] or 0), _amount(row["awarded"]), _amount(row["consumed"]),
                      comparisons)
    center = f"{row['cost_center_code']} {row['cost_center_name']}" if row["cost_center"] else NO_COST_CENTER
    return Cell(row["month"], row["category"], row["category_name"] or "Uncategorized", row["vendor"] or 0,
                row["vendor_name"] or "", figures, row["cost_center"], center)


async def grouped(scope: Scope, grains: list[tuple[str, ...]]) -> list[list[Cell]]:
    """The facts in scope summed per currency and per each grain's columns (month, category, vendor, cost center;
    () for the totals), in one query: a list of cells per grain, in the order asked."""
    for grain in grains:
        if not set(grain) <= set(GRAINS):
            raise ValueError(f"a grain is made of {GRAINS}, not {grain}")
    sql, args = _grouped_sql(scope, grains)
    found: list[list[Cell]] = [[] for _ in grains]
    for row in await AwardFact.raw(sql, *args):
        found[int(row["grain"])].append(cell_of(row))
    return found


_RELEASED_SQL = ", ".join(f"'{status}'" for status in sorted(RELEASED))  # constants, never input


@dataclass(frozen=True, slots=True)
class Consumed:
    """Contract value consumed by orders charged to one cost center (None: orders charged to none), one currency."""

    cost_center_id: int | None
    cost_center: str
    currency: str
    value: Decimal


async def consumed_by_order_cost_center(scope: Scope) -> list[Consumed]:
    """The contract value that orders took from the contracts of the awards in scope, per the cost center each
    order was charged to at checkout (which need not be the RFQ's) and currency, at the contract line's price; a
    released (rejected, cancelled) order gave its quantity back. One query."""
    where, args = _where(scope)
    rows = await AwardFact.raw(f"""
SELECT oc.cost_center AS cost_center_id, MIN(cc.code) AS code, MIN(cc.name) AS name, f.currency,
       SUM(ol.at_contract * cl.unit_price) AS consumed
FROM award_fact f
JOIN contract_line cl ON cl.rfq_line = f.rfq_line
JOIN order_line ol ON ol.contract_line = cl.id
JOIN purchase_order po ON po.id = ol."order"
LEFT JOIN order_charge oc ON oc."group" = po."group"
LEFT JOIN cost_center cc ON cc.id = oc.cost_center
WHERE {where} AND ol.at_contract > 0 AND po.status NOT IN ({_RELEASED_SQL})
GROUP BY oc.cost_center, f.currency
ORDER BY f.currency, consumed DESC
""", *args)  # noqa: S608 (column names, constants and placeholders only)
    return [Consumed(row["cost_center_id"], f"{row['code']} {row['name']}" if row["cost_center_id"] else
                     NO_COST_CENTER, row["currency"], _amount(row["consumed"])) for row in rows]
