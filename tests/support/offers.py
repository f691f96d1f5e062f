"""Bidding builders: RFQ rows inserted directly, a status set by hand, a signed-in principal, an offer's body."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app import db
from app.accounts import services as accounts
from app.auth import Principal, principal_for_token
from app.money import to_minor
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.fixtures import PASSWORD


async def make_rfq(
    buyer_id: int,
    vendor_ids: list[int],
    *,
    deadline: datetime | None = None,
    lines: list[tuple[str, int, str | None]] | None = None,
    status: RfqStatus = RfqStatus.PUBLISHED,
    currency: str = "EUR",
) -> tuple[int, list[int]]:
    """An RFQ of `buyer_id` inviting `vendor_ids`; returns its id and its line ids in position order."""
    now = await db.db_now()
    rfq = Rfq(title="Gloves and masks", description="For the wards", buyer=buyer_id, currency=currency,
              deadline=deadline or now + timedelta(hours=1), status=status.value, created_at=now, published_at=now)
    await rfq.save()
    line_ids = []
    for position, (description, quantity, target) in enumerate(
        lines or [("Nitrile gloves M", 1000, "0.0900"), ("FFP2 masks", 500, "0.5000"), ("Hand gel 1 l", 40, None)],
        start=1,
    ):
        line = RfqLine(rfq=rfq.id, position=position, description=description, quantity=quantity, unit="pcs",
                       target_price=to_minor(Decimal(target)) if target else None)
        await line.save()
        line_ids.append(line.id)
    if vendor_ids:
        await RfqInvitation.insert(*[RfqInvitation(rfq=rfq.id, vendor=v, invited_at=now) for v in vendor_ids])
    return rfq.id, line_ids


async def set_status(rfq_id: int, status: RfqStatus) -> None:
    await Rfq.update({Rfq.status: status.value}).where(Rfq.id == rfq_id)


async def principal(email: str) -> Principal:
    token = await accounts.issue_token(email, PASSWORD, "127.0.0.1")
    found = await principal_for_token(token)
    assert found is not None
    return found


def offer_body(lines: list[int], *prices: str, lead: int = 10, **extra: object) -> dict[str, object]:
    return {"lines": [{"rfq_line_id": line, "unit_price": price} for line, price in zip(lines, prices, strict=False)],
            "lead_time_days": lead, **extra}
