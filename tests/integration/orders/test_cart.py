"""The buyer's cart over the API: lines added by listing or product, priced live with their reason, quantity rules
and unavailable offers flagged (never dropped, never silently priced), totals per currency, and its tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.auth import load_principal
from app.catalog.states import ListingStatus, RuleEffect, RuleTarget
from app.catalog.tables import Listing
from app.errors import InvalidInput
from app.orders.cart import add_listings, get_cart
from app.orders.schemas import MAX_QUANTITY
from tests.support.catalog import a_category, a_contract_price, a_listing, a_product, a_segment
from tests.support.fixtures import make_company
from tests.support.parties import user_id
from tests.support.queries import count_queries

D = Decimal


@pytest.fixture
async def gloves(world):
    category = await a_category("Gloves")
    return await a_product("Nitrile gloves M", category=category)


async def add(client, **body):
    return await client.post("/api/v1/cart/lines", json=body)


def only_line(cart: dict) -> dict:
    assert len(cart["lines"]) == 1, cart
    return cart["lines"][0]


async def test_a_listing_is_added_priced_at_the_base_price_with_tax_and_totals(world, api, gloves):
    # given an approved listing at 10.00 EUR
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    buyer = await api(world.purchaser)
    # when the buyer adds 3
    response = await add(buyer, listing_id=listing, quantity=3)
    # then the cart shows it priced now, net, 19 % tax and gross, and one EUR total
    assert response.status_code == 201, response.text
    cart = response.json()
    line = only_line(cart)
    assert line["available"] and line["orderable"] and line["problems"] == []
    assert (line["unit_price"], line["currency"], line["price_source"]) == ("10.0000", "EUR", "base_price")
    assert (line["net"], line["tax_rate"], line["tax"], line["gross"]) == ("30.00", "19.00", "5.70", "35.70")
    assert cart["currency_totals"] == [{"currency": "EUR", "net": "30.00", "tax": "5.70", "gross": "35.70",
                                        "line_count": 1}]
    assert [t["vendor_id"] for t in cart["vendor_totals"]] == [world.vendor.id]
    # and adding the same listing again adds to its line
    again = await add(buyer, listing_id=listing, quantity=2)
    assert again.status_code == 201, again.text
    assert only_line(again.json())["quantity"] == 5
    assert (await buyer.get("/api/v1/cart")).json() == again.json()


async def test_a_product_takes_the_best_offer_for_this_buyer_and_a_contract_price_says_so(world, api, gloves):
    # given two vendors' offers of the gloves; the dearer one is the buyer's contract price of 8.00
    rival = await make_company("vendor", name="Rival Supplies")
    cheap = await a_listing(rival.id, gloves, "B-GLOVE", "9.00", stock=100)
    contracted = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    await a_contract_price(world.buyer.id, contracted, "8.00", reference="C-2026-0007")
    buyer = await api(world.purchaser)
    # when the buyer adds the product without naming a vendor
    response = await add(buyer, product_id=gloves, quantity=4)
    # then the contract offer is chosen, priced with its reason
    assert response.status_code == 201, response.text
    line = only_line(response.json())
    assert line["listing_id"] == contracted and line["listing_id"] != cheap
    assert (line["unit_price"], line["price_source"], line["price_reference"]) == ("8.0000", "contract", "C-2026-0007")
    assert line["price_reason"] == "Contract price C-2026-0007"
    # while another buyer company, without a contract, gets the cheaper vendor
    other = await api(world.other_buyer_admin)
    assert only_line((await add(other, product_id=gloves, quantity=4)).json())["listing_id"] == cheap


async def test_quantity_rules_flag_the_line_with_what_would_do(world, api, gloves):
    # given a listing sold from 10, in packs of 5, with 20 in stock
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "2.00", stock=20)
    await Listing.update({Listing.min_order_qty: 10, Listing.pack_size: 5}).where(Listing.id == listing)
    buyer = await api(world.purchaser)
    # when the buyer adds 7: flagged, priced, but not in the totals
    cart = (await add(buyer, listing_id=listing, quantity=7)).json()
    line = only_line(cart)
    assert not line["orderable"] and line["unit_price"] == "2.0000"
    assert [(p["code"], p["allowed"]) for p in line["problems"]] == [("below_minimum", [10])]
    assert cart["currency_totals"] == [] and cart["problem_count"] == 1
    # then 12 is not a pack multiple, 25 beyond the stock, 15 is fine
    for quantity, code, allowed in ((12, "not_a_pack_multiple", [10, 15]), (25, "beyond_stock", [20])):
        changed = await buyer.patch(f"/api/v1/cart/lines/{line['id']}", json={"quantity": quantity})
        assert changed.status_code == 200, changed.text
        assert [(p["code"], p["allowed"]) for p in only_line(changed.json())["problems"]] == [(code, allowed)]
    fine = (await buyer.patch(f"/api/v1/cart/lines/{line['id']}", json={"quantity": 15})).json()
    assert only_line(fine)["orderable"] and fine["currency_totals"][0]["net"] == "30.00"
    # and out of stock says so
    await Listing.update({Listing.stock: 0}).where(Listing.id == listing)
    gone = only_line((await buyer.get("/api/v1/cart")).json())
    assert [p["code"] for p in gone["problems"]] == ["out_of_stock"] and not gone["orderable"]


@pytest.mark.parametrize("how", ["suspended", "hidden from the segment"])
async def test_a_line_whose_offer_became_unavailable_is_flagged_and_not_priced(world, api, gloves, how):
    # given a cart with an available line and the gloves line
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    masks = await a_listing(world.vendor.id, await a_product("Masks"), "A-MASK", "1.00", stock=100)
    buyer = await api(world.purchaser)
    assert (await add(buyer, listing_id=listing, quantity=1)).status_code == 201
    assert (await add(buyer, listing_id=masks, quantity=2)).status_code == 201
    # when the gloves listing is suspended, or the buyer's segment comes to hide the product
    if how == "suspended":
        await Listing.update({Listing.status: ListingStatus.SUSPENDED.value}).where(Listing.id == listing)
    else:
        await a_segment("No gloves", members=[world.buyer.id],
                        rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, gloves)])
    cart = (await api(world.purchaser)).get("/api/v1/cart")
    cart = (await cart).json()
    # then the line is still there, flagged, with nothing of the offer and no price; the totals leave it out
    flagged = next(line for line in cart["lines"] if line["listing_id"] == listing)
    assert not flagged["available"] and not flagged["orderable"]
    assert flagged["problems"][0]["code"] == "unavailable"
    assert "no longer available to your company" in flagged["problems"][0]["message"]
    assert flagged["unit_price"] is None and flagged["net"] is None and flagged["sku"] == "" and flagged["name"] == ""
    assert cart["currency_totals"][0]["net"] == "2.00" and cart["problem_count"] == 1


async def test_a_listing_the_buyer_may_not_see_is_refused_like_a_missing_one(world, api, gloves):
    # given a listing the other buyer's segment hides, and a suspended one
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00")
    suspended = await a_listing(world.vendor.id, gloves, "A-OLD", "10.00", status=ListingStatus.SUSPENDED.value)
    await a_segment("No gloves", members=[world.other_buyer.id],
                    rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, gloves)])
    other = await api(world.other_buyer_admin)
    # when it is added, then the answer is the one a missing id gets
    missing = await add(other, listing_id=2_147_483_000, quantity=1)
    assert missing.status_code == 404 and missing.json() == {"detail": "No such listing."}
    for hidden in (listing, suspended):
        response = await add(other, listing_id=hidden, quantity=1)
        assert (response.status_code, response.json()) == (404, missing.json())
    assert (await add(other, listing_id=listing, product_id=gloves, quantity=1)).status_code == 400


async def test_two_currencies_give_two_totals(world, api, gloves):
    # given offers in EUR and in USD
    eur = await a_listing(world.vendor.id, gloves, "A-EUR", "10.00", stock=100)
    usd = await a_listing(world.vendor.id, await a_product("Masks"), "A-USD", "3.00", stock=100, currency="USD")
    buyer = await api(world.purchaser)
    await add(buyer, listing_id=eur, quantity=1)
    cart = (await add(buyer, listing_id=usd, quantity=2)).json()
    # then one total per currency, and none adding the two
    assert [(t["currency"], t["net"], t["gross"]) for t in cart["currency_totals"]] == [
        ("EUR", "10.00", "11.90"), ("USD", "6.00", "7.14")]
    assert sorted(t["currency"] for t in cart["vendor_totals"]) == ["EUR", "USD"]


async def test_another_users_line_is_a_404_like_a_missing_one_and_vendors_are_refused(world, api, gloves):
    # given the purchaser's cart line
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    line_id = only_line((await add(await api(world.purchaser), listing_id=listing, quantity=1)).json())["id"]
    missing = 2_147_483_000
    # when a colleague (another cart) and another company's buyer touch it, then it does not exist for them
    for email in (world.buyer_admin, world.other_buyer_admin):
        stranger = await api(email)
        for method, body in (("PATCH", {"json": {"quantity": 2}}), ("DELETE", {})):
            real = await stranger.request(method, f"/api/v1/cart/lines/{line_id}", **body)
            absent = await stranger.request(method, f"/api/v1/cart/lines/{missing}", **body)
            assert real.status_code == 404 and (real.status_code, real.json()) == (absent.status_code, absent.json())
        assert (await stranger.get("/api/v1/cart")).json()["lines"] == []
    # and a vendor has no cart
    vendor = await api(world.vendor_admin)
    assert (await vendor.get("/api/v1/cart")).status_code == 403
    assert (await add(vendor, listing_id=listing, quantity=1)).status_code == 403
    # while the owner removes its line
    owner = await api(world.purchaser)
    assert (await owner.delete(f"/api/v1/cart/lines/{line_id}")).status_code == 204
    assert (await owner.get("/api/v1/cart")).json()["lines"] == []


async def test_reading_a_cart_costs_the_same_queries_for_one_line_or_many(world, api, gloves, monkeypatch):
    # given a cart of one line, with a contract price, a tier and a hidden line to come
    buyer = await api(world.purchaser)
    principal = await load_principal(await user_id(world.purchaser))
    assert principal is not None
    first = await a_listing(world.vendor.id, gloves, "L-0", "1.00", stock=100, tiers=[(10, "0.90")])
    await a_contract_price(world.buyer.id, first, "0.80")
    await add(buyer, listing_id=first, quantity=1)
    with count_queries(monkeypatch) as one:
        small = await get_cart(principal)
    # when it has twelve lines, one of them suspended
    for n in range(1, 12):
        listing = await a_listing(world.vendor.id, await a_product(f"P{n}"), f"L-{n}", "2.00", stock=100)
        await add(buyer, listing_id=listing, quantity=n)
    await Listing.update({Listing.status: ListingStatus.SUSPENDED.value}).where(Listing.sku == "L-5")
    with count_queries(monkeypatch) as many:
        large = await get_cart(principal)
    # then the same two queries: the lines with their listings, then their prices
    assert len(small.lines) == 1 and len(large.lines) == 12 and large.problem_count == 1
    assert len(one) == len(many) == 2, many
    assert large.currency_totals[0].net == D("0.80") + sum(D(2) * n for n in range(1, 12) if n != 5)


async def test_the_database_refuses_a_second_line_of_a_listing_and_a_quantity_below_one(world, api, gloves):
    from app.orders.tables import CartLine

    # given a cart line
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    line_id = only_line((await add(await api(world.purchaser), listing_id=listing, quantity=1)).json())["id"]
    row = await CartLine.select().where(CartLine.id == line_id).first()
    # when the same listing is inserted again, or the quantity set to 0, then the database refuses
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await CartLine(cart=row["cart"], listing=listing, quantity=1, added_at=row["added_at"]).save()
    with pytest.raises(Exception, match=r"(?i)check|quantity_positive"):
        await CartLine.update({CartLine.quantity: 0}).where(CartLine.id == line_id)


async def test_many_listings_are_added_at_once_and_a_line_past_the_limit_adds_none(world, gloves):
    # given two listings, one already in the purchaser's cart
    first = await a_listing(world.vendor.id, gloves, "A-MANY-1", "1.00", stock=100)
    second = await a_listing(world.vendor.id, gloves, "A-MANY-2", "2.00", stock=100)
    principal = await load_principal(await user_id(world.purchaser))
    await add_listings(principal, {first: 2})
    # when both are added in one step
    await add_listings(principal, {first: 3, second: 4})
    # then the first line holds 5 and the second 4
    cart = await get_cart(principal)
    assert sorted((line.listing_id, line.quantity) for line in cart.lines) == [(first, 5), (second, 4)]
    # and an addition that would take a line past the limit adds nothing at all
    with pytest.raises(InvalidInput, match="at most"):
        await add_listings(principal, {second: 1, first: MAX_QUANTITY})
    cart = await get_cart(principal)
    assert sorted((line.listing_id, line.quantity) for line in cart.lines) == [(first, 5), (second, 4)]


async def test_a_listing_whose_vendor_set_7_percent_is_taxed_at_7_percent(world, api, gloves):
    # given an approved listing at 10.00 EUR whose vendor sets its tax rate to 7.00 %
    listing = await a_listing(world.vendor.id, gloves, "A-GLOVE", "10.00", stock=100)
    vendor = await api(world.vendor_admin)
    assert (await vendor.patch(f"/api/v1/listings/{listing}", json={"tax_rate": "7.00"})).status_code == 200
    # when a buyer adds 3
    cart = (await add(await api(world.purchaser), listing_id=listing, quantity=3)).json()
    # then the line is taxed at 7 %, not the marketplace's 19 %
    line = only_line(cart)
    assert (line["net"], line["tax_rate"], line["tax"], line["gross"]) == ("30.00", "7.00", "2.10", "32.10")
    assert cart["currency_totals"][0]["tax"] == "2.10"
