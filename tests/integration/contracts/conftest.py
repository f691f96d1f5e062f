"""An awarded RFQ: a catalog-product line vendor A has a listing of, and a free-text line; its contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app import db
from app.contracts.tables import Contract
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import World, make_company, make_user


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
