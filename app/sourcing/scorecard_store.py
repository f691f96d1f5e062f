"""Loading vendor scorecards: each buyer company's history with each vendor, in eight queries whatever the number
of vendors, buyers, RFQs or orders (aggregates in SQL where they combine across buyers; the per-item values a
median needs come back as rows). The arithmetic is app/sourcing/scorecard_rules.py's."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app import db
from app.clock import as_utc
from app.contracts.ratings import ratings_by_buyer
from app.contracts.rules import ContractStatus, status_at
from app.rfq.tables import Rfq
from app.sourcing.scorecard_rules import (
    History,
    OrderFacts,
    gap_percent,
    hours_between,
    movement_percent,
    order_outcome,
)

# Offers are compared only once bidding is over (RFQ closed or awarded): a scorecard never tells anything of the
# bids of an RFQ still open.
_INVITATIONS = """
SELECT i.vendor AS vendor, r.buyer AS buyer, COUNT(*) AS invited,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM offer o WHERE o.rfq = i.rfq AND o.vendor = i.vendor)
           THEN 1 ELSE 0 END) AS answered
FROM rfq_invitation i JOIN rfq r ON r.id = i.rfq
WHERE r.published_at IS NOT NULL AND {vendors}
GROUP BY i.vendor, r.buyer
"""

_AWARDS = """
SELECT a.vendor AS vendor, r.buyer AS buyer, a.currency AS currency, COUNT(DISTINCT a.rfq) AS won,
       SUM(a.unit_price * a.quantity) AS value
FROM award a JOIN rfq r ON r.id = a.rfq
WHERE {vendors}
GROUP BY a.vendor, r.buyer, a.currency
"""

_ANSWERS = """
SELECT o.vendor AS vendor, r.buyer AS buyer, r.published_at AS published_at, i.invited_at AS invited_at,
       (SELECT MIN(rev.received_at) FROM offer_revision rev WHERE rev.offer = o.id) AS first_at
FROM offer o JOIN rfq r ON r.id = o.rfq
LEFT JOIN rfq_invitation i ON i.rfq = o.rfq AND i.vendor = o.vendor
WHERE r.published_at IS NOT NULL AND {vendors}
"""

# The vendor's final unit price per line, against the best final price of every live offer on that line; a line
# counts when at least two vendors priced it. One pass over the final offer lines of the closed RFQs the vendors bid
# in, the best and the count per line by window (looking the best up line by line cost a join per line: for a
# 50-vendor grid page over 10,000 RFQs, several times slower).
_PRICES = """
WITH theirs AS (
    SELECT o.rfq AS rfq, o.vendor AS vendor FROM offer o WHERE {vendors}
), final AS (
    SELECT o.vendor AS vendor, r.buyer AS buyer, ol.rfq_line AS line, ol.unit_price AS price
    FROM offer o JOIN rfq r ON r.id = o.rfq
    JOIN offer_revision rev ON rev.offer = o.id AND rev.number = o.revision_count
    JOIN offer_line ol ON ol.revision = rev.id
    WHERE r.status IN ('closed', 'awarded') AND o.status = 'live' AND o.rfq IN (SELECT rfq FROM theirs)
), ranked AS (
    SELECT vendor, buyer, price, MIN(price) OVER (PARTITION BY line) AS best,
           COUNT(*) OVER (PARTITION BY line) AS offers
    FROM final
)
SELECT vendor AS vendor, buyer AS buyer, price AS price, best AS best FROM ranked
WHERE offers >= 2 AND vendor IN (SELECT vendor FROM theirs)
"""

_REVISIONS = """
SELECT o.id AS offer, o.vendor AS vendor, r.buyer AS buyer, rev.number AS number, ol.rfq_line AS line,
       ol.unit_price AS price, ol.quantity AS quantity
FROM offer o JOIN rfq r ON r.id = o.rfq
JOIN offer_revision rev ON rev.offer = o.id AND (rev.number = 1 OR rev.number = o.revision_count)
JOIN offer_line ol ON ol.revision = rev.id
WHERE o.revision_count > 1 AND r.status IN ('closed', 'awarded') AND {vendors}
"""

_CONTRACTS = """
SELECT c.vendor AS vendor, c.buyer AS buyer, c.valid_to AS valid_to, c.terminated_at AS terminated_at
FROM contract c WHERE {vendors}
"""

_ORDERS = """
SELECT po.vendor AS vendor, po.buyer AS buyer, po.status AS status, po.placed_at AS placed_at,
       po.expected_ship_date AS expected_ship_date,
       (SELECT MIN(e.at) FROM order_event e WHERE e."order" = po.id AND e.kind = 'confirmed') AS confirmed_at,
       (SELECT MIN(e.at) FROM order_event e
        WHERE e."order" = po.id AND e.status IN ('shipped', 'delivered')) AS shipped_at
FROM purchase_order po WHERE {vendors}
"""


def _moment(value: Any) -> datetime | None:
    """A timestamp from a raw query (SQLite gives text)."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def _rows(sql: str, column: str, vendor_ids: list[int] | None) -> list[dict[str, Any]]:
    """`sql` with `{vendors}` restricted to `vendor_ids` on `column` (every vendor for None)."""
    if vendor_ids is None:
        return await Rfq.raw(sql.format(vendors="1 = 1"))
    fragment, arg = db.in_ids(column, vendor_ids)
    return await Rfq.raw(sql.format(vendors=fragment), arg)  # the fragment's one placeholder is Piccolo's


async def histories(vendor_ids: list[int] | None, now: datetime) -> dict[int, list[History]]:
    """{vendor id: its History with each buyer company} for `vendor_ids` (every vendor with any history for
    None); eight queries. A vendor without any history is absent."""
    if vendor_ids is not None and not vendor_ids:
        return {}
    found: dict[tuple[int, int], History] = {}

    def of(row: dict[str, Any]) -> History:
        key = (row["vendor"], row["buyer"])
        if key not in found:
            found[key] = History(vendor_id=key[0], buyer_id=key[1])
        return found[key]

    for row in await _rows(_INVITATIONS, "i.vendor", vendor_ids):
        history = of(row)
        history.invited, history.answered = int(row["invited"]), int(row["answered"] or 0)
    for row in await _rows(_AWARDS, "a.vendor", vendor_ids):
        history = of(row)
        history.won += int(row["won"])
        history.awarded_value[row["currency"]] = history.awarded_value.get(row["currency"], 0) + int(row["value"])
    for row in await _rows(_ANSWERS, "o.vendor", vendor_ids):
        first = _moment(row["first_at"])
        if first is not None:
            start = max(filter(None, (_moment(row["published_at"]), _moment(row["invited_at"]))))
            of(row).answer_hours.append(max(hours_between(start, first), Decimal(0)))
    for row in await _rows(_PRICES, "o.vendor", vendor_ids):
        gap = gap_percent(int(row["price"]), int(row["best"]))
        if gap is not None:
            of(row).price_gaps.append(gap)
    await _movements(vendor_ids, of)
    for row in await _rows(_CONTRACTS, "c.vendor", vendor_ids):
        history = of(row)
        history.contracts += 1
        valid_to, terminated_at = _moment(row["valid_to"]), _moment(row["terminated_at"])
        assert valid_to is not None
        history.contracts_active += status_at(valid_to, terminated_at, now) is ContractStatus.ACTIVE
    for row in await _rows(_ORDERS, "po.vendor", vendor_ids):
        _count_order(of(row), row, now)
    for rated in await ratings_by_buyer(vendor_ids):
        history = of({"vendor": rated.vendor_id, "buyer": rated.buyer_id})
        history.rating_total, history.rating_count = rated.total, rated.count
    by_vendor: dict[int, list[History]] = defaultdict(list)
    for history in found.values():
        by_vendor[history.vendor_id].append(history)
    return dict(by_vendor)


async def _movements(vendor_ids: list[int] | None, of: Any) -> None:
    revisions: dict[int, dict[str, Any]] = {}
    for row in await _rows(_REVISIONS, "o.vendor", vendor_ids):
        offer = revisions.setdefault(row["offer"], {"row": row, "first": {}, "final": {}})
        side = "first" if row["number"] == 1 else "final"
        offer[side][row["line"]] = (int(row["price"]), int(row["quantity"]))
    for offer in revisions.values():
        movement = movement_percent(offer["first"], offer["final"])
        if movement is not None:
            of(offer["row"]).movements.append(movement)


def _count_order(history: History, row: dict[str, Any], now: datetime) -> None:
    placed_at = _moment(row["placed_at"])
    assert placed_at is not None
    outcome = order_outcome(OrderFacts(
        status=row["status"], placed_at=placed_at, confirmed_at=_moment(row["confirmed_at"]),
        expected_ship_date=_day(row["expected_ship_date"]), shipped_at=_moment(row["shipped_at"]),
    ), now)
    history.orders += 1
    history.confirmations_due += outcome.confirmation_due
    history.confirmed_on_time += outcome.confirmed_on_time
    history.shipments_due += outcome.shipment_due
    history.shipped_on_time += outcome.shipped_on_time
    history.rejected += outcome.rejected
