"""Bidding fixtures: RFQ rows inserted directly (published, deadline ahead) and the vendors meant to answer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.fixtures import World, make_company, make_user
from tests.support.offers import make_rfq


@dataclass
class Bidding:
    world: World
    rfq_id: int
    lines: list[int]
    vendor_a: int
    vendor_b: int
    outsider: int
    seller_a: str
    seller_b: str
    outsider_seller: str


@pytest.fixture
async def bidding(world: World) -> Bidding:
    """An RFQ of world.buyer inviting vendors A (world.vendor) and B; an outsider vendor is not invited."""
    vendor_b = await make_company("vendor", name="Beta Supplies")
    outsider = await make_company("vendor", name="Outsider Ltd")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    return Bidding(
        world=world, rfq_id=rfq_id, lines=lines, vendor_a=world.vendor.id, vendor_b=vendor_b.id,
        outsider=outsider.id, seller_a=world.vendor_admin, seller_b=await make_user(vendor_b.id, "vendor_sales"),
        outsider_seller=await make_user(outsider.id, "vendor_admin"),
    )
