"""A closed RFQ with two vendors' offers: A (world.vendor) offers every line, B only lines 1 and 2."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.rfq.states import RfqStatus
from tests.support.fixtures import World, make_company, make_user
from tests.support.offers import make_rfq, offer_body, set_status


@dataclass
class Closed:
    world: World
    rfq_id: int
    lines: list[int]  # gloves 1000 (target 0.09), masks 500 (target 0.50), gel 40 (no target)
    vendor_a: int
    vendor_b: int
    offer_a: int
    offer_b: int
    seller_a: str
    seller_b: str


async def offered(world: World, api, *, close: bool = True) -> Closed:  # type: ignore[no-untyped-def]
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    a = await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                   json=offer_body(lines, "0.0871", "0.4713", "3.3333", lead=5))
    b = await (await api(seller_b)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                         json=offer_body(lines, "0.0922", "0.4499", lead=12))
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    if close:
        await set_status(rfq_id, RfqStatus.CLOSED)
    return Closed(world, rfq_id, lines, world.vendor.id, vendor_b.id, a.json()["id"], b.json()["id"],
                  world.vendor_admin, seller_b)


@pytest.fixture
async def closed(world: World, api) -> Closed:  # type: ignore[no-untyped-def]
    return await offered(world, api)
