"""One RFQ's offer spread per line: loaded in one query (each live offer's latest revision), summed purely."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from app.analytics.savings import median, percent_of
from app.money import from_minor
from app.rfq.tables import RfqLine


@dataclass(frozen=True, slots=True)
class LineOffers:
    """An RFQ line with the unit prices offered (one per live offer, its latest revision) and awarded."""

    rfq_line_id: int
    position: int
    description: str
    quantity: int
    target_price: Decimal | None
    awarded_price: Decimal | None
    prices: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class Spread:
    lowest: Decimal | None
    median: Decimal | None
    highest: Decimal | None
    percent: Decimal | None  # how far the highest is above the lowest


def spread_of(prices: tuple[Decimal, ...]) -> Spread:
    if not prices:
        return Spread(None, None, None, None)
    low, high = min(prices), max(prices)
    return Spread(low, median(prices), high, percent_of(high - low, low))


_LINES = """
WITH offered AS (
    SELECT ol.rfq_line, ol.unit_price,
           ROW_NUMBER() OVER (PARTITION BY ol.rfq_line, rv.offer ORDER BY rv.number DESC) AS n
    FROM offer_line ol
    JOIN offer_revision rv ON rv.id = ol.revision
    JOIN offer o ON o.id = rv.offer
    WHERE o.rfq = {} AND o.status = 'live'
)
SELECT l.id, l.position, l.description, l.quantity, l.target_price, a.unit_price AS awarded_price,
       offered.unit_price AS offered_price
FROM rfq_line l
LEFT JOIN award a ON a.rfq_line = l.id
LEFT JOIN offered ON offered.rfq_line = l.id AND offered.n = 1
WHERE l.rfq = {}
ORDER BY l.position, l.id, offered.unit_price
"""


async def line_offers(rfq_id: int) -> list[LineOffers]:
    """Every line of the RFQ with its offered prices (one query). The caller has checked who may see them."""
    heads: dict[int, dict] = {}
    prices: dict[int, list[Decimal]] = defaultdict(list)
    for row in await RfqLine.raw(_LINES, rfq_id, rfq_id):
        heads.setdefault(row["id"], row)
        if row["offered_price"] is not None:
            prices[row["id"]].append(from_minor(row["offered_price"]))  # type: ignore[arg-type]
    return [
        LineOffers(line_id, row["position"], row["description"], row["quantity"], from_minor(row["target_price"]),
                   from_minor(row["awarded_price"]), tuple(prices[line_id]))
        for line_id, row in heads.items()
    ]
