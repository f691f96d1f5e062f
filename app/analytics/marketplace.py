"""The marketplace's figures for operators: RFQs, response rates and active vendors in one query; volume and savings
come from the savings facts of every buyer, summed (never one buyer's figures on their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app.analytics.savings import percent_of
from app.rfq.tables import Rfq


@dataclass(frozen=True, slots=True)
class Activity:
    rfqs_published: int
    rfqs_awarded: int
    invitations: int
    invitations_answered: int
    active_vendors: int  # vendors that made an offer on an RFQ published in the period
    active_buyers: int  # buyer companies that published an RFQ in the period

    @property
    def response_percent(self) -> Decimal | None:
        return percent_of(Decimal(self.invitations_answered), Decimal(self.invitations))


_SQL = """
SELECT
  (SELECT COUNT(*) FROM rfq r WHERE {published}) AS rfqs_published,
  (SELECT COUNT(*) FROM rfq r WHERE r.status = 'awarded' AND r.awarded_at >= {} AND r.awarded_at < {}) AS rfqs_awarded,
  (SELECT COUNT(*) FROM rfq_invitation i JOIN rfq r ON r.id = i.rfq WHERE {published}) AS invitations,
  (SELECT COUNT(*) FROM rfq_invitation i JOIN rfq r ON r.id = i.rfq WHERE {published}
     AND EXISTS (SELECT 1 FROM offer o WHERE o.rfq = i.rfq AND o.vendor = i.vendor)) AS invitations_answered,
  (SELECT COUNT(DISTINCT o.vendor) FROM offer o JOIN rfq r ON r.id = o.rfq WHERE {published}) AS active_vendors,
  (SELECT COUNT(DISTINCT r.buyer) FROM rfq r WHERE {published}) AS active_buyers
""".replace("{published}", "r.published_at >= {} AND r.published_at < {}")


def _bounds(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    low = datetime.combine(start, time(), UTC) if start else datetime(1970, 1, 1, tzinfo=UTC)
    high = datetime.combine(end + timedelta(days=1), time(), UTC) if end else datetime(9999, 1, 1, tzinfo=UTC)
    return low, high


async def activity(start: date | None, end: date | None) -> Activity:
    """The marketplace's activity in the period (inclusive days, UTC), in one query."""
    low, high = _bounds(start, end)
    row = (await Rfq.raw(_SQL, *([low, high] * 6)))[0]
    return Activity(*(int(row[name] or 0) for name in (
        "rfqs_published", "rfqs_awarded", "invitations", "invitations_answered", "active_vendors", "active_buyers")))
