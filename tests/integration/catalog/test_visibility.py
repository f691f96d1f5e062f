"""What a segment may not see does not exist for its buyers: search, totals, facets, pages, API by id."""

import random

import pytest

from app.accounts.tables import Company
from app.catalog import services
from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import Listing, Product
from app.catalog.visibility import OfferFacts, Rule, is_visible
from app.errors import NotFound
from tests.support.catalog import a_category, a_listing, a_product, a_segment
from tests.support.fixtures import make_company, make_user


@pytest.fixture
async def catalog(world):
    """Medical (with Gloves below it) and Office; two vendors; a denied and an allowed segment."""
    medical = await a_category("Medical")
    gloves = await a_category("Gloves", medical)
    office = await a_category("Office")
    other_vendor = await make_company("vendor", "Initech Office")
    glove = await a_product("Nitrile glove", brand="Medi", category=gloves)
    mask = await a_product("Surgical mask", brand="Medi", category=medical)
    pen = await a_product("Ballpoint pen", brand="Scribe", category=office)
    await a_listing(world.vendor.id, glove, "G-1", "0.10")
    await a_listing(world.vendor.id, mask, "M-1", "0.50")
    await a_listing(other_vendor.id, pen, "P-1", "1.20")
    await a_listing(other_vendor.id, mask, "M-2", "0.40")
    # the buyer's segment may not buy medical goods; the other buyer's segment buys only from Initech
    await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "category", medical)])
    await a_segment("Office only", members=[world.other_buyer.id], rules=[("allow", "vendor", other_vendor.id)])
    unsegmented = await make_company("buyer")
    return {
        "glove": glove, "mask": mask, "pen": pen, "medical": medical, "gloves": gloves,
        "initech": other_vendor.id, "free_buyer": await make_user(unsegmented.id, "purchaser"),
    }


async def search(client, **params):
    response = await client.get("/api/v1/catalog/products", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_denied_category_is_gone_from_search_totals_facets_and_by_id(world, api, catalog):
    # given a buyer whose segment denies the Medical category (and its subtree)
    client = await api(world.purchaser)
    # when it searches everything and asks for a medical product by id
    body = await search(client)
    by_id = await client.get(f"/api/v1/catalog/products/{catalog['glove']}")
    words = await search(client, q="glove")
    # then only the pen exists for it: results, total, facets, and 404 by id
    assert [item["id"] for item in body["items"]] == [catalog["pen"]]
    assert body["total"] == 1
    assert {f["label"] for f in body["facets"]["category"]} == {"Office"}
    assert {f["label"] for f in body["facets"]["brand"]} == {"Scribe"}
    assert [(f["label"], f["count"]) for f in body["facets"]["vendor"]] == [("Initech Office", 1)]
    assert by_id.status_code == 404
    assert words["total"] == 0 and words["items"] == []


async def test_a_denied_category_is_gone_from_the_buyers_category_tree(world, api, catalog):
    # given a buyer whose segment denies Medical, a buyer allowed only Gloves, and a vendor
    allowed = await make_company("buyer")
    await a_segment("Gloves only", members=[allowed.id], rules=[("allow", "category", catalog["gloves"])])

    async def tree(user):
        response = await (await api(user)).get("/api/v1/categories")
        assert response.status_code == 200, response.text
        return [(node["name"], [child["name"] for child in node["children"]]) for node in response.json()]

    # then the first sees only Office, the second Gloves under the Medical that leads to it, the others all
    assert await tree(world.purchaser) == [("Office", [])]
    assert await tree(await make_user(allowed.id, "purchaser")) == [("Medical", ["Gloves"])]
    everything = [("Medical", ["Gloves"]), ("Office", [])]
    assert await tree(catalog["free_buyer"]) == everything
    assert await tree(world.vendor_admin) == everything
    assert await tree(world.operator) == everything


async def test_an_allow_rule_shows_only_the_allowed_vendors_offers(world, api, catalog):
    client = await api(world.other_buyer_admin)
    body = await search(client, sort="price_asc")
    assert [item["id"] for item in body["items"]] == [catalog["mask"], catalog["pen"]]
    # the mask shows Initech's offer only, never the other vendor's
    mask = body["items"][0]
    assert [offer["vendor"] for offer in mask["offers"]] == ["Initech Office"]
    assert [(f["label"], f["count"]) for f in body["facets"]["vendor"]] == [("Initech Office", 2)]
    page = (await client.get(f"/api/v1/catalog/products/{catalog['mask']}")).json()
    assert [offer["sku"] for offer in page["offers"]] == ["M-2"]
    assert (await client.get(f"/api/v1/catalog/products/{catalog['glove']}")).status_code == 404
    # a filter on the hidden vendor finds nothing rather than leaking its offers
    assert (await search(client, vendor=world.vendor.id))["total"] == 0


async def test_a_buyer_without_a_segment_sees_everything_approved(world, api, catalog):
    client = await api(catalog["free_buyer"])
    body = await search(client)
    assert body["total"] == 3
    assert {(f["label"], f["count"]) for f in body["facets"]["category"]} == {
        ("Gloves", 1), ("Medical", 1), ("Office", 1)
    }
    assert (await client.get(f"/api/v1/catalog/products/{catalog['glove']}")).status_code == 200


async def test_unapproved_listings_merged_products_and_suspended_vendors_are_not_listed(world, api, catalog):
    client = await api(catalog["free_buyer"])
    hidden = await a_product("Hidden thing")
    await a_listing(world.vendor.id, hidden, "H-1", status="pending")
    await Product.update({Product.status: "merged"}).where(Product.id == catalog["pen"])
    await Company.update({Company.status: "suspended"}).where(Company.id == catalog["initech"])
    body = await search(client)
    assert {item["id"] for item in body["items"]} == {catalog["glove"], catalog["mask"]}
    assert all(offer["vendor"] != "Initech Office" for item in body["items"] for offer in item["offers"])
    assert (await client.get(f"/api/v1/catalog/products/{hidden}")).status_code == 404
    assert (await client.get("/api/v1/catalog/products/999999")).status_code == 404


async def test_pages_follow_the_same_rules(world, browser, catalog):
    session = await browser(world.purchaser)
    page = await session.get("/catalog/")
    assert page.status_code == 200
    assert "Ballpoint pen" in page.text and "Nitrile glove" not in page.text and "Surgical mask" not in page.text
    assert (await session.get(f"/catalog/products/{catalog['mask']}")).status_code == 404
    assert (await session.get(f"/catalog/products/{catalog['pen']}")).status_code == 200


async def test_vendors_get_403_and_anonymous_callers_401(world, api, client, catalog):
    vendor = await api(world.vendor_admin)
    assert (await vendor.get("/api/v1/catalog/products")).status_code == 403
    assert (await vendor.get(f"/api/v1/catalog/products/{catalog['pen']}")).status_code == 403
    assert (await client.get("/api/v1/catalog/products")).status_code == 401
    # operators may browse the unsegmented catalog
    operator = await api(world.operator)
    assert (await operator.get("/api/v1/catalog/products")).json()["total"] == 3


async def test_other_areas_can_refuse_an_invisible_listing_or_product(world, catalog):
    listings = {row["sku"]: row["id"] for row in await Listing.select(Listing.sku, Listing.id)}
    assert await services.visible_listing_ids(world.buyer.id, list(listings.values())) == {listings["P-1"]}
    assert await services.visible_listing_ids(world.other_buyer.id, list(listings.values())) == {
        listings["P-1"], listings["M-2"]
    }
    with pytest.raises(NotFound):
        await services.require_visible_product(world.buyer.id, catalog["mask"])
    with pytest.raises(NotFound):
        await services.require_visible_listings(world.buyer.id, [listings["P-1"], listings["G-1"]])
    await services.require_visible_product(world.other_buyer.id, catalog["mask"])
    await services.require_visible_listings(world.other_buyer.id, [listings["P-1"]])


async def test_the_sql_predicate_agrees_with_the_python_rule(world):
    # given random categories, products, vendors, listings and rules
    rng = random.Random(20261123)
    root = await a_category("Root")
    categories = [root, await a_category("A", root)]
    categories.append(await a_category("B", categories[1]))
    categories.append(await a_category("C"))
    vendors = [world.vendor.id, (await make_company("vendor")).id]
    products = [await a_product(f"P{i}", category=rng.choice([*categories, None])) for i in range(8)]
    for i in range(16):
        await a_listing(rng.choice(vendors), rng.choice(products), f"S{i}",
                        status=rng.choice(["approved", "approved", "pending"]))
    await a_listing(vendors[0], products[0], "S-suspended")
    suspended = (await make_company("vendor")).id
    await a_listing(suspended, products[1], "S-of-suspended")
    await Company.update({Company.status: "suspended"}).where(Company.id == suspended)
    listing_ids = [row["id"] for row in await Listing.select(Listing.id)]
    facts_rows = await Listing.select(
        Listing.id, Listing.status, Listing.vendor, Listing.vendor.status, Listing.product,
        Listing.product.status, Listing.product.category, Listing.product.category.path,
    )
    for round_number in range(12):
        buyer = await make_company("buyer")
        targets = {"category": categories, "product": products, "vendor": vendors}
        rules = []
        for _ in range(rng.randint(0, 4)):
            target = rng.choice(list(targets))
            rules.append((rng.choice(["allow", "deny"]), target, rng.choice(targets[target])))
        rules = list({(t, i): (e, t, i) for e, t, i in rules}.values())  # one rule per target (unique index)
        await a_segment(f"Random {round_number}", members=[buyer.id], rules=rules)
        # when both forms judge every listing
        in_sql = await services.visible_listing_ids(buyer.id, listing_ids)
        in_python = {
            row["id"] for row in facts_rows
            if is_visible(
                OfferFacts(row["status"], row["product.status"], row["vendor.status"], row["product"], row["vendor"],
                           row["product.category"], row["product.category.path"] or ""),
                [Rule(RuleEffect(e), RuleTarget(t), i) for e, t, i in rules],
            )
        }
        # then they agree
        assert in_sql == in_python, rules
