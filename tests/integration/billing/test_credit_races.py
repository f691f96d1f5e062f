"""A hundred checkouts at once against one credit limit, on both backends: the limit is never passed."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from app.billing.credit import CreditRefused, exposure_of
from app.billing.tables import CreditLimit
from app.errors import Conflict
from app.orders.tables import PurchaseOrder
from tests.integration.orders.test_checkout_races import buyers_with_one_in_cart, check_out_as_seen
from tests.support.catalog import a_category, a_listing, a_product


async def test_a_hundred_checkouts_never_take_the_company_past_its_credit_limit(world):
    # given a limit of 300.00 EUR and a hundred purchasers with one 11.90 gross item each (plenty in stock)
    product = await a_product("Nitrile gloves M", category=await a_category("Gloves"))
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00", stock=1000)
    await CreditLimit.insert(CreditLimit(company=world.buyer.id, currency="EUR", amount=300_0000))
    principals = await buyers_with_one_in_cart(world, listing)
    # when they all check out at once
    results = await asyncio.gather(*[check_out_as_seen(p, i) for i, p in enumerate(principals)],
                                   return_exceptions=True)
    # then exactly 25 (25 x 11.90 = 297.50) were placed, the others refused for credit, and the limit held
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, CreditRefused) for r in refused), [r for r in refused if not isinstance(r, Conflict)][:3]
    assert len(results) - len(refused) == 25
    assert await PurchaseOrder.count() == 25
    exposure = await exposure_of(world.buyer.id, "EUR")
    assert exposure.total == Decimal("297.50")
    # each refusal saw the 25 placed orders: 297.50 + 11.90 is 9.40 over
    assert all("9.40 EUR over" in str(r) for r in refused), str(refused[0])
