"""Races on both backends: a hundred checkouts at once against one credit limit (never passed), and one shipment
invoiced ten times at once (billed once)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from app.auth import load_principal
from app.billing.credit import CreditRefused, exposure_of
from app.billing.tables import CreditLimit, Invoice
from app.errors import Conflict, InvalidInput
from app.invoicing import issuing
from app.invoicing.schemas import InvoiceIn
from app.orders.tables import PurchaseOrder
from tests.integration.orders.test_checkout_races import buyers_with_one_in_cart, check_out_as_seen
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.invoices import shipped_order
from tests.support.parties import user_id


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


async def test_one_shipment_invoiced_ten_times_at_once_is_billed_once(world, api):
    # given a shipment of 2 units
    await an_address(world.buyer.id, "delivery", is_default=True)
    product = await a_product("Hand gel", category=await a_category("Gel"))
    listing = await a_listing(world.vendor.id, product, "A-GEL", "3.00", stock=100)
    order = await shipped_order(await api(world.purchaser), await api(world.vendor_admin), listing, 2, 2)
    vendor = await load_principal(await user_id(world.vendor_admin))
    # when ten invoices of it are issued at once, under ten numbers
    results = await asyncio.gather(*[
        issuing.issue(vendor, InvoiceIn(number=f"INV-{n}", shipment_ids=[order["shipments"][0]["id"]]))  # type: ignore[arg-type]
        for n in range(10)], return_exceptions=True)
    # then one was issued, the others refused for billing more than shipped
    issued = [r for r in results if not isinstance(r, BaseException)]
    assert len(issued) == 1, results
    assert all(isinstance(r, InvalidInput) and "not yet invoiced" in str(r) for r in results if r not in issued)
    assert await Invoice.count() == 1
