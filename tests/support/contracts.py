"""Contract builders: a published RFQ with catalog lines, an offer through the API, an award after the close."""

from __future__ import annotations

from datetime import timedelta

from app import db
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine


async def an_rfq(
    buyer_id: int, vendor_ids: list[int], lines: list[tuple[str, int, int | None]]
) -> tuple[int, list[int]]:
    """A published RFQ with (description, quantity, product id) lines; its id and line ids."""
    now = await db.db_now()
    rfq = Rfq(title="Gloves and gel", buyer=buyer_id, currency="EUR", deadline=now + timedelta(hours=1),
              status=RfqStatus.PUBLISHED.value, created_at=now, published_at=now, payment_terms="net_60")
    await rfq.save()
    ids = []
    for position, (description, quantity, product) in enumerate(lines, start=1):
        line = RfqLine(rfq=rfq.id, position=position, product=product, description=description, quantity=quantity)
        await line.save()
        ids.append(line.id)
    await RfqInvitation.insert(*[RfqInvitation(rfq=rfq.id, vendor=v, invited_at=now) for v in vendor_ids])
    return rfq.id, ids


async def offer(api, email: str, rfq_id: int, prices: dict[int, str], **extra) -> int:
    body = {"lines": [{"rfq_line_id": line, "unit_price": price} for line, price in prices.items()],
            "lead_time_days": 5, **extra}
    response = await (await api(email)).post(f"/api/v1/rfqs/{rfq_id}/offers", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def award(api, email: str, rfq_id: int, awards: dict[int, int]):
    await Rfq.update({Rfq.status: RfqStatus.CLOSED.value}).where(Rfq.id == rfq_id)
    return await (await api(email)).post(f"/api/v1/rfqs/{rfq_id}/award", json={
        "awards": [{"rfq_line_id": line, "offer_id": offer_id} for line, offer_id in awards.items()]})
