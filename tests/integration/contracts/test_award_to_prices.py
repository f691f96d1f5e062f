"""Award → contract → the contract price in the buyer company's catalog, and nobody else's."""

import re
from datetime import timedelta
from decimal import Decimal

from app import db
from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.pricing import PriceSource
from app.contracts.tables import Contract, ContractLine, ContractPrice, ContractVersion
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import make_company, make_user


async def catalog_offer(client, product_id: int, sku: str) -> dict:
    response = await client.get("/api/v1/catalog/products", params={"q": "nitrile"})
    assert response.status_code == 200, response.text
    item = next(i for i in response.json()["items"] if i["id"] == product_id)
    return next(o for o in item["offers"] if o["sku"] == sku)


async def test_the_award_makes_a_contract_with_a_linked_and_a_waiting_line(awarded):
    contract = await Contract.select().where(Contract.id == awarded.contract_id).first()
    # then the contract has a human-readable number, both parties, the RFQ's terms and the provenance
    assert re.fullmatch(r"C-\d{4}-000001", contract["number"])
    assert (contract["buyer"], contract["vendor"], contract["currency"], contract["payment_terms"]) == (
        awarded.world.buyer.id, awarded.world.vendor.id, "EUR", "net_60")
    assert contract["rfq"] == awarded.rfq_id and contract["offer_revision"] and contract["awarded_by"]
    # valid from the award to the offer's validity (200 days)
    assert timedelta(days=199) < contract["valid_to"] - contract["valid_from"] <= timedelta(days=200)
    lines = await ContractLine.select().where(ContractLine.contract == awarded.contract_id).order_by(
        ContractLine.position)
    assert [(line["listing"], line["unit_price"], line["committed_qty"]) for line in lines] == [
        (awarded.listing, 80000, 1000), (None, 30000, 40)]
    # one price row, for the linked line only, carrying the number
    prices = await ContractPrice.select().where(ContractPrice.company == awarded.world.buyer.id)
    assert [(p["listing"], p["unit_price"], p["reference"], p["contract_line"]) for p in prices] == [
        (awarded.listing, 80000, contract["number"], lines[0]["id"])]
    assert await ContractVersion.count().where(ContractVersion.contract == awarded.contract_id) == 1


async def test_every_user_of_the_buyer_company_sees_the_contract_price_and_no_other_company(awarded, api, browser):
    world = awarded.world
    # when a purchaser of the buyer searches and opens the product
    purchaser = await api(world.purchaser)
    found = await catalog_offer(purchaser, awarded.product, "A-GLOVE")
    assert (found["unit_price"], found["price_source"], found["price_reference"]) == (
        "8.0000", "contract", awarded.number)
    assert found["price_reason"] == f"Contract price {awarded.number}"
    page = (await purchaser.get(f"/api/v1/catalog/products/{awarded.product}")).json()
    assert [(o["price_source"], o["price_reference"]) for o in page["offers"] if o["sku"] == "A-GLOVE"] == [
        ("contract", awarded.number)]
    # and the HTML product page says why
    html = (await (await browser(world.approver)).get(f"/catalog/products/{awarded.product}")).text
    assert f"Contract price {awarded.number}" in html
    # then another buyer company keeps the list price
    other = await catalog_offer(await api(world.other_buyer_admin), awarded.product, "A-GLOVE")
    assert (other["unit_price"], other["price_source"]) == ("10.0000", "base_price")


async def test_a_contract_starting_tomorrow_or_ended_yesterday_does_not_apply(awarded):
    buyer = await buyer_of(awarded.world.buyer.id)
    now = await db.db_now()
    assert (await resolve_prices({awarded.listing: 1}, buyer))[awarded.listing].source is PriceSource.CONTRACT
    for start, end in ((now + timedelta(days=1), now + timedelta(days=30)),
                       (now - timedelta(days=30), now - timedelta(days=1))):
        await Contract.update({Contract.valid_from: start, Contract.valid_to: end}).where(
            Contract.id == awarded.contract_id)
        await ContractPrice.update({ContractPrice.valid_from: start, ContractPrice.valid_to: end}).where(
            ContractPrice.listing == awarded.listing)
        price = (await resolve_prices({awarded.listing: 1}, buyer))[awarded.listing]
        assert (price.source, price.unit_price) == (PriceSource.BASE_PRICE, Decimal("10.0000"))


async def test_line_by_line_awards_make_one_contract_per_vendor_with_distinct_numbers(world, api):
    beta = await make_company("vendor")
    seller_b = await make_user(beta.id, "vendor_admin")
    rfq_id, lines = await an_rfq(world.buyer.id, [world.vendor.id, beta.id], [("Paper", 10, None), ("Pens", 5, None)])
    offer_a = await offer(api, world.vendor_admin, rfq_id, {lines[0]: "1.00", lines[1]: "2.00"})
    offer_b = await offer(api, seller_b, rfq_id, {lines[0]: "1.10", lines[1]: "1.50"})
    response = await award(api, world.approver, rfq_id, {lines[0]: offer_a, lines[1]: offer_b})
    assert response.status_code == 200, response.text
    rows = await Contract.select(Contract.vendor, Contract.number).where(Contract.rfq == rfq_id).order_by(
        Contract.number)
    assert {r["vendor"] for r in rows} == {world.vendor.id, beta.id}
    assert len({r["number"] for r in rows}) == 2
    # with no validity in the offers, the default term of 365 days applies
    contract = await Contract.select(Contract.valid_from, Contract.valid_to).where(Contract.rfq == rfq_id).first()
    assert contract["valid_to"] - contract["valid_from"] == timedelta(days=365)


async def test_a_failed_award_makes_no_contract(awarded, api):
    # an RFQ awarded once cannot be awarded again: no second contract appears
    response = await award(api, awarded.world.buyer_admin, awarded.rfq_id, {awarded.lines[0]: 1})
    assert response.status_code == 409
    assert await Contract.count() == 1
