"""Buyer prices in the catalog: from the one resolver, sorted and filtered by the same price, in fixed queries."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.tables import ListingTier
from app.clock import utcnow
from app.contracts.tables import ContractPrice
from app.money import to_minor
from tests.support.catalog import a_category, a_contract_price, a_listing, a_price_list, a_product, a_segment
from tests.support.fixtures import make_company
from tests.support.queries import count_queries


@pytest.fixture
async def shelf(world):
    """Three products at 10, 20 and 30 EUR."""
    products, listings = {}, {}
    for name, price in (("Alpha", "10.00"), ("Bravo", "20.00"), ("Charlie", "30.00")):
        products[name] = await a_product(f"{name} paper")
        listings[name] = await a_listing(world.vendor.id, products[name], f"SKU-{name}", price)
    return products, listings


async def names(client, **params):
    response = await client.get("/api/v1/catalog/products", params={"sort": "price_asc", **params})
    assert response.status_code == 200, response.text
    return [item["name"].split()[0] for item in response.json()["items"]]


async def test_a_contract_price_reorders_the_catalog_for_its_buyer_only(world, api, shelf):
    _, listings = shelf
    # given a contract that makes Charlie cost 5 EUR for the buyer
    await a_contract_price(world.buyer.id, listings["Charlie"], "5.00", reference="C-2026-7")
    buyer, other = await api(world.purchaser), await api(world.other_buyer_admin)
    # then the buyer sees Charlie first with the contract as the reason, the other buyer does not
    assert await names(buyer) == ["Charlie", "Alpha", "Bravo"]
    assert await names(buyer, sort="price_desc") == ["Bravo", "Alpha", "Charlie"]
    assert await names(other) == ["Alpha", "Bravo", "Charlie"]
    offer = (await buyer.get("/api/v1/catalog/products", params={"q": "charlie"})).json()["items"][0]["offers"][0]
    assert (offer["unit_price"], offer["price_source"], offer["price_reason"]) == (
        "5.0000", "contract", "Contract price C-2026-7"
    )
    # and the price range uses the same price
    assert await names(buyer, max_price="6") == ["Charlie"]
    assert await names(other, max_price="6") == []


async def test_a_segment_price_list_reorders_for_the_segment(world, api, shelf):
    _, listings = shelf
    segment = await a_segment("Schools", members=[world.other_buyer.id])
    await a_price_list([(listings["Bravo"], 1, "1.50")], segment=segment, name="Schools 2026")
    assert await names(await api(world.other_buyer_admin)) == ["Bravo", "Alpha", "Charlie"]
    assert await names(await api(world.purchaser)) == ["Alpha", "Bravo", "Charlie"]


async def test_the_search_price_is_the_resolvers_price_at_quantity_one(world, api, shelf):
    # given every source of price on some listing, some not applicable (expired, other buyer, min_qty 5)
    _, listings = shelf
    segment = await a_segment("Hospitals", members=[world.buyer.id])
    await ListingTier(listing=listings["Alpha"], min_qty=1, unit_price=to_minor(Decimal("9.00"))).save()
    await ListingTier(listing=listings["Alpha"], min_qty=5, unit_price=to_minor(Decimal("1.00"))).save()
    await a_price_list([(listings["Bravo"], 1, "19.00")], segment=segment, name="Hospital list")
    await a_price_list([(listings["Bravo"], 1, "18.00")], company=world.buyer.id, name="Acme list")
    await a_price_list([(listings["Charlie"], 1, "2.00")], company=world.other_buyer.id, name="Not yours")
    await ContractPrice(company=world.buyer.id, listing=listings["Charlie"], min_qty=1, currency="EUR",
                        unit_price=to_minor(Decimal("3.00")), valid_from=utcnow() - timedelta(days=9),
                        valid_to=utcnow() - timedelta(days=1), reference="OLD").save()
    client = await api(world.purchaser)
    # when the catalog lists them
    items = (await client.get("/api/v1/catalog/products", params={"sort": "price_asc"})).json()["items"]
    # then order and shown prices are exactly the resolver's
    resolved = await resolve_prices({listing: 1 for listing in listings.values()}, await buyer_of(world.buyer.id))
    expected = sorted(listings, key=lambda name: resolved[listings[name]].unit_price)
    assert [item["name"].split()[0] for item in items] == expected == ["Alpha", "Bravo", "Charlie"]
    for item in items:
        offer = item["offers"][0]
        price = resolved[offer["listing_id"]]
        assert (Decimal(offer["unit_price"]), offer["price_source"]) == (price.unit_price, price.source)
    assert [item["offers"][0]["price_source"] for item in items] == ["volume_tier", "company_price_list", "base_price"]


async def test_the_product_page_ranks_vendors_by_the_price_at_the_chosen_quantity(world, api):
    # given two vendors: one cheaper by the unit, the other cheaper from 100 units on
    product = await a_product("Copy paper A4")
    rival = await make_company("vendor", "Paper World")
    await a_listing(world.vendor.id, product, "CP-1", "4.00", lead_time_days=2)
    await a_listing(rival.id, product, "PW-A4", "4.50", lead_time_days=5, tiers=[(100, "3.20")])
    client = await api(world.purchaser)
    # when the buyer looks at 1 and at 100 reams
    one = (await client.get(f"/api/v1/catalog/products/{product}")).json()
    hundred = (await client.get(f"/api/v1/catalog/products/{product}", params={"quantity": 100})).json()
    # then the ranking follows the price at that quantity, with lead time, stock and the reason
    assert [(o["sku"], o["unit_price"]) for o in one["offers"]] == [("CP-1", "4.0000"), ("PW-A4", "4.5000")]
    assert [(o["sku"], o["unit_price"]) for o in hundred["offers"]] == [("PW-A4", "3.2000"), ("CP-1", "4.0000")]
    assert hundred["offers"][0]["price_reason"] == "Volume price from 100"
    assert hundred["offers"][0]["lead_time_days"] == 5 and hundred["offers"][0]["stock"] == 5
    assert (await client.get(f"/api/v1/catalog/products/{product}", params={"quantity": 0})).status_code == 400


async def test_a_page_costs_the_same_number_of_queries_whatever_its_size(world, api, monkeypatch):
    client = await api(world.purchaser)
    category = await a_category("Fasteners")
    await a_segment("Any", members=[world.buyer.id], rules=[("deny", "product", 999)])

    async def queries_for_page() -> int:
        with count_queries(monkeypatch) as seen:
            response = await client.get("/api/v1/catalog/products", params={"per_page": 100, "q": "bolt"})
        assert response.status_code == 200
        auth = ("api_token", "membership", "member_role")  # the token check, not the catalog
        return len([sql for sql in seen if not any(table in sql for table in auth)]), response.json()

    for number in range(2):
        product = await a_product(f"Bolt M{number}", brand="Fix", category=category)
        await a_listing(world.vendor.id, product, f"B-{number}")
    small, body = await queries_for_page()
    assert body["total"] == 2
    rival = await make_company("vendor")
    for number in range(2, 40):
        product = await a_product(f"Bolt M{number}", brand=f"Fix{number % 4}", category=category)
        await a_listing(world.vendor.id, product, f"B-{number}", tiers=[(10, "1.00")])
        await a_listing(rival.id, product, f"R-{number}")
    large, body = await queries_for_page()
    assert body["total"] == 40
    # the page, total and facets (1) + the page's offers (1) + their prices through the resolver (1); the
    # buyer's segment and currency come with the caller's token
    assert large == small == 3
