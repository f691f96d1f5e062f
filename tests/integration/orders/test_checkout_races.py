"""Checkout races on both backends: a hundred buyers against one listing's stock and against one contract line's
quantity (never oversold, never overconsumed), and one checkout retried at once with one key (one order group)."""

from __future__ import annotations

import asyncio

import pytest

from app.auth import Principal, load_principal
from app.catalog.tables import Listing
from app.contracts.tables import ContractLine
from app.errors import Conflict
from app.orders import cart, checkout
from app.orders.order_schemas import CheckoutIn, ExpectedLineIn
from app.orders.schemas import CartLineIn
from app.orders.tables import OrderGroup, OrderLine, PurchaseOrder
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import make_user
from tests.support.parties import user_id

BUYERS = 100


async def buyers_with_one_in_cart(world, listing: int) -> list[Principal]:
    """A hundred purchasers of the buyer company, each with one unit of `listing` in its cart."""
    await an_address(world.buyer.id, "delivery", is_default=True)
    emails = await asyncio.gather(*[make_user(world.buyer.id, "purchaser") for _ in range(BUYERS)])
    principals = [await load_principal(await user_id(email)) for email in emails]
    for principal in principals:
        await cart.add_line(principal, CartLineIn(quantity=1, listing_id=listing))
    return principals  # type: ignore[return-value]


async def check_out_as_seen(principal: Principal, number: int, key: str | None = None):  # type: ignore[no-untyped-def]
    seen = (await cart.get_cart(principal)).lines
    data = CheckoutIn(po_number=f"PO-{number}", expected_lines=[
        ExpectedLineIn(line_id=line.id, quantity=line.quantity, unit_price=line.unit_price, net=line.net)
        for line in seen])
    return await checkout.checkout(principal, data, key)


@pytest.fixture
async def gloves(world):
    return await a_product("Nitrile gloves M", category=await a_category("Gloves"))


async def test_a_hundred_checkouts_never_sell_more_than_the_stock(world, gloves):
    # given 30 in stock and a hundred buyers wanting one each
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=30)
    principals = await buyers_with_one_in_cart(world, listing)
    # when they all check out at once
    results = await asyncio.gather(*[check_out_as_seen(p, i) for i, p in enumerate(principals)],
                                   return_exceptions=True)
    # then exactly 30 got an order, the others a 409 saying the stock changed, and nothing is left
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, Conflict) for r in refused), [r for r in refused if not isinstance(r, Conflict)][:3]
    assert len(placed) == 30, len(placed)
    assert (await Listing.select(Listing.stock).where(Listing.id == listing).first())["stock"] == 0
    assert sum(row["quantity"] for row in await OrderLine.select(OrderLine.quantity)) == 30


async def test_a_hundred_checkouts_never_consume_more_than_the_contract_holds(world, api, gloves):
    # given a contract of 40 gloves at 8.00 (plenty in stock) and a hundred buyers wanting one each
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=1000)
    rfq_id, (line_id,) = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 40, gloves)])
    offer_id = await offer(api, world.vendor_admin, rfq_id, {line_id: "8.00"})
    assert (await award(api, world.buyer_admin, rfq_id, {line_id: offer_id})).status_code == 200
    principals = await buyers_with_one_in_cart(world, listing)

    async def until_placed(principal: Principal, number: int):  # type: ignore[no-untyped-def]
        # A buyer refused because the contract changed looks again and confirms the new price.
        for _ in range(5):
            try:
                return await check_out_as_seen(principal, number)
            except Conflict:
                await asyncio.sleep(0)
        return None

    # when they all check out at once
    results = await asyncio.gather(*[until_placed(p, i) for i, p in enumerate(principals)])
    # then the contract line is consumed exactly up to 40, and exactly 40 units were ordered at its price
    assert (await ContractLine.select(ContractLine.consumed_qty).first())["consumed_qty"] == 40
    at_contract = await OrderLine.select(OrderLine.quantity).where(OrderLine.at_contract > 0)
    assert sum(row["quantity"] for row in at_contract) == 40
    assert all(row["unit_price"] == 10_0000 for row in
               await OrderLine.select(OrderLine.unit_price).where(OrderLine.at_contract == 0))
    assert sum(r is not None for r in results) >= 40


async def test_one_checkout_sent_ten_times_at_once_with_one_key_makes_one_group(world, gloves):
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    await an_address(world.buyer.id, "delivery", is_default=True)
    principal = await load_principal(await user_id(world.purchaser))
    assert principal is not None
    await cart.add_line(principal, CartLineIn(quantity=3, listing_id=listing))
    seen = (await cart.get_cart(principal)).lines
    data = CheckoutIn(po_number="PO-ONCE", expected_lines=[
        ExpectedLineIn(line_id=line.id, quantity=line.quantity, unit_price=line.unit_price, net=line.net)
        for line in seen])
    results = await asyncio.gather(*[checkout.checkout(principal, data, "same-key") for _ in range(10)],
                                   return_exceptions=True)
    assert all(not isinstance(r, BaseException) for r in results), results
    assert len({r.id for r in results}) == 1  # type: ignore[union-attr]
    assert await OrderGroup.count() == 1 and await PurchaseOrder.count() == 1
    assert (await Listing.select(Listing.stock).where(Listing.id == listing).first())["stock"] == 97
