"""A hundred buyers check out at once against one hard budget, on both backends: it is never exceeded."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from app.auth import load_principal
from app.clock import utcnow
from app.errors import Conflict
from app.orders import cart
from app.orders.schemas import CartLineIn
from app.orders.tables import PurchaseOrder
from app.spending.rules import Period, period_start
from app.spending.tables import Budget, CostCenter, CostCenterMember
from tests.integration.orders.test_checkout_races import check_out_as_seen
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import make_user
from tests.support.parties import user_id

BUYERS = 100


async def test_a_hundred_checkouts_never_exceed_a_hard_budget(world):
    # given a cost center with a hard monthly budget of 300 EUR and a hundred of its buyers wanting 10 EUR each
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=10_000)
    await an_address(world.buyer.id, "delivery", is_default=True)
    now = utcnow()
    center = (await CostCenter.insert(CostCenter(company=world.buyer.id, code="CC", name="Plant", created_at=now)
                                      ).returning(CostCenter.id))[0]["id"]
    await Budget.insert(Budget(cost_center=center, period=Period.MONTH.value,
                               starts_on=period_start(Period.MONTH, now.date()), currency="EUR",
                               amount=300_0000, hard=True, created_at=now, updated_at=now))
    emails = await asyncio.gather(*[make_user(world.buyer.id, "purchaser") for _ in range(BUYERS)])
    principals = [await load_principal(await user_id(email)) for email in emails]
    await CostCenterMember.insert(*[CostCenterMember(cost_center=center, user=p.user_id) for p in principals])  # type: ignore[union-attr]
    for principal in principals:
        await cart.add_line(principal, CartLineIn(quantity=1, listing_id=listing))  # type: ignore[arg-type]
    # when they all check out at once
    results = await asyncio.gather(*[check_out_as_seen(p, i) for i, p in enumerate(principals)],
                                   return_exceptions=True)
    # then exactly 30 orders were placed, the others refused by the budget, and the budget holds 300 exactly
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, Conflict) and "hard budget" in str(r) for r in refused), refused[:3]
    assert len(results) - len(refused) == 30
    total = sum(row["net"] for row in await PurchaseOrder.select(PurchaseOrder.net))
    assert Decimal(total) / 10_000 == 300
