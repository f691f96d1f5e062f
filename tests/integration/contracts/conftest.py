"""An awarded RFQ: a catalog-product line vendor A has a listing of, and a free-text line; its contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app import db
from app.contracts.tables import Contract
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.integration.catalog.data import a_category, a_listing, a_product
from tests.support.fixtures import World, make_company, make_user


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


@dataclass
class Awarded:
    world: World
    rfq_id: int
    lines: list[int]  # [catalog gloves line, free-text gel line]
    product: int  # the gloves
    listing: int  # vendor A's approved listing of the gloves (base 10.00)
    other_product: int  # hand gel, in the catalog but not asked as a product
    vendor_b: int
    seller_b: str
    contract_id: int
    number: str


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


@pytest.fixture
async def awarded(world: World, api) -> Awarded:
    # given gloves in the catalog with vendor A's approved listing, and a hand gel product
    category = await a_category("Gloves")
    gloves = await a_product("Nitrile gloves M", category=category)
    gel = await a_product("Hand gel 1 l", category=category)
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00")
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await an_rfq(world.buyer.id, [world.vendor.id, vendor_b.id],
                                 [("Nitrile gloves M", 1000, gloves), ("Hand gel, 1 litre bottles", 40, None)])
    valid_until = (await db.db_now() + timedelta(days=200)).isoformat()
    offer_a = await offer(api, world.vendor_admin, rfq_id, {lines[0]: "8.00", lines[1]: "3.00"},
                          valid_until=valid_until)
    # when the buyer awards both lines to vendor A
    response = await award(api, world.buyer_admin, rfq_id, {lines[0]: offer_a, lines[1]: offer_a})
    assert response.status_code == 200, response.text
    contract = await Contract.select(Contract.id, Contract.number).where(Contract.rfq == rfq_id).first()
    assert contract is not None
    return Awarded(world=world, rfq_id=rfq_id, lines=lines, product=gloves, listing=listing, other_product=gel,
                   vendor_b=vendor_b.id, seller_b=seller_b, contract_id=contract["id"], number=contract["number"])
