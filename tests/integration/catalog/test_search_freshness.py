"""Search reflects every catalog change in the very next request, whatever it reads from.

On PostgreSQL a search without prices reads each product's summary (`product_search`: the vendors of
its approved listings, in stock or not, and the product's own fields, kept by triggers), and a search
without words takes its whole-catalog facets from a per-segment cache invalidated by a change log
(migrations catalog_2026_11_23t15_00 and 15_30). On SQLite the same searches read the listings. Each
test warms whatever there is to warm with a first search, changes one thing through the path that
changes it in the product, and checks the next search, its total and its facets.
"""

from decimal import Decimal

import pytest

from app.accounts.tables import Company
from app.catalog.tables import Category, Listing, Product
from tests.support.catalog import a_category, a_listing, a_price_list, a_product, a_segment
from tests.support.fixtures import make_company


async def search(client, **params) -> dict:
    response = await client.get("/api/v1/catalog/products", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def facet(body: dict, name: str) -> dict[str, int]:
    return {value["label"]: value["count"] for value in body["facets"][name]}


def ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


@pytest.fixture
async def shop(world):
    """Two categories, two vendors, three products with one approved listing each, and a pending one."""
    tools = await a_category("Tools")
    paper = await a_category("Paper")
    other = await make_company("vendor", "Papyrus Ltd")
    drill = await a_product("Cordless drill", brand="Bosk", category=tools)
    saw = await a_product("Hand saw", brand="Bosk", category=tools)
    ream = await a_product("Copy paper ream", brand="Papyr", category=paper)
    listings = {
        "drill": await a_listing(world.vendor.id, drill, "D-1", "99.00"),
        "saw": await a_listing(world.vendor.id, saw, "S-1", "19.00"),
        "ream": await a_listing(other.id, ream, "R-1", "4.00"),
        "pending": await a_listing(other.id, drill, "D-2", "89.00", status="pending"),
    }
    return {"tools": tools, "paper": paper, "other": other.id, "drill": drill, "saw": saw, "ream": ream,
            **{f"l_{key}": value for key, value in listings.items()}}


async def test_approving_and_suspending_a_listing_shows_in_the_next_browse(world, api, shop):
    # given a buyer who has browsed (and so filled any cache) and a pending offer of Papyrus for the drill
    client = await api(world.purchaser)
    operator = await api(world.operator)
    before = await search(client)
    assert before["total"] == 3 and facet(before, "vendor")["Papyrus Ltd"] == 1
    # when the operator approves the pending offer
    response = await operator.post(f"/api/v1/curation/listings/{shop['l_pending']}/approve",
                                   json={"product_id": shop["drill"]})
    assert response.status_code == 200, response.text
    # then the next browse and the vendor-only search count the drill for Papyrus too
    after = await search(client)
    assert after["total"] == 3 and facet(after, "vendor")["Papyrus Ltd"] == 2
    by_vendor = await search(client, vendor=shop["other"])
    assert sorted(ids(by_vendor)) == sorted([shop["drill"], shop["ream"]])
    # when the operator suspends the only offer of the ream
    response = await operator.post(f"/api/v1/curation/listings/{shop['l_ream']}/suspend")
    assert response.status_code == 200, response.text
    # then the ream is gone from the next browse, its total and every facet
    gone = await search(client)
    assert shop["ream"] not in ids(gone)
    assert gone["total"] == 2
    assert "Paper" not in facet(gone, "category") and "Papyr" not in facet(gone, "brand")
    assert facet(gone, "vendor")["Papyrus Ltd"] == 1


async def test_a_new_visibility_rule_shows_in_the_next_browse_of_that_segment_only(world, api, shop):
    # given two buyers of no segment who have browsed
    client = await api(world.purchaser)
    other = await api(world.other_buyer_admin)
    assert (await search(client))["total"] == 3
    assert (await search(other, brand="Bosk"))["total"] == 2
    # when the buyer's company joins a segment that may not see Tools
    await a_segment("No tools", members=[world.buyer.id], rules=[("deny", "category", shop["tools"])])
    # then its next browse, brand search and facets have no tools; the other buyer's are unchanged
    body = await search(client)
    assert ids(body) == [shop["ream"]] and body["total"] == 1
    assert facet(body, "category") == {"Paper": 1} and facet(body, "brand") == {"Papyr": 1}
    bosk = await search(client, brand="Bosk")
    assert bosk["total"] == 0 and facet(bosk, "brand") == {"Papyr": 1}
    assert (await search(other))["total"] == 3
    assert facet(await search(other, brand="Bosk"), "brand") == {"Bosk": 2, "Papyr": 1}


async def test_stock_running_out_shows_in_the_next_in_stock_search(world, api, shop):
    # given a buyer who has searched for offers in stock
    client = await api(world.purchaser)
    assert (await search(client, in_stock="true"))["total"] == 3
    assert (await search(client, q="saw", in_stock="true"))["total"] == 1
    # when the saw's only offer runs out of stock
    await Listing.update({Listing.stock: 0}).where(Listing.id == shop["l_saw"])
    # then it is gone from in-stock searches with and without words, and still found without the filter
    body = await search(client, in_stock="true")
    assert shop["saw"] not in ids(body) and body["total"] == 2 and facet(body, "brand")["Bosk"] == 1
    assert (await search(client, q="saw", in_stock="true"))["total"] == 0
    assert (await search(client, q="saw"))["total"] == 1
    # when it is back in stock
    await Listing.update({Listing.stock: 4}).where(Listing.id == shop["l_saw"])
    # then it is found again
    assert (await search(client, in_stock="true"))["total"] == 3


async def test_product_and_vendor_changes_show_in_the_next_search(world, api, shop):
    # given a buyer who has browsed and searched by brand
    client = await api(world.purchaser)
    assert facet(await search(client), "brand") == {"Bosk": 2, "Papyr": 1}
    assert (await search(client, brand="bosk"))["total"] == 2
    # when the saw changes brand, a category is renamed and the drill is merged away
    await Product.update({Product.brand: "Handy"}).where(Product.id == shop["saw"])
    await Category.update({Category.name: "Workshop"}).where(Category.id == shop["tools"])
    await Product.update({Product.status: "merged"}).where(Product.id == shop["drill"])
    # then the next searches see the new brand, the new label and no drill
    body = await search(client)
    assert facet(body, "brand") == {"Handy": 1, "Papyr": 1}
    assert facet(body, "category") == {"Workshop": 1, "Paper": 1}
    assert shop["drill"] not in ids(body) and body["total"] == 2
    assert ids(await search(client, brand="handy")) == [shop["saw"]]
    assert (await search(client, q="drill"))["total"] == 0
    # when the vendor of the saw is suspended
    await Company.update({Company.status: "suspended"}).where(Company.id == world.vendor.id)
    # then only Papyrus's ream is left, in words, browse and facets
    body = await search(client)
    assert ids(body) == [shop["ream"]] and facet(body, "vendor") == {"Papyrus Ltd": 1}
    assert (await search(client, q="saw"))["total"] == 0


async def test_a_listing_moved_to_another_product_moves_its_vendor_there(world, api, shop):
    # given a buyer who has searched Papyrus's products
    client = await api(world.purchaser)
    assert sorted(ids(await search(client, vendor=shop["other"]))) == [shop["ream"]]
    # when the Papyrus ream offer is moved to the saw (as a merge moves listings)
    await Listing.update({Listing.product: shop["saw"]}).where(Listing.id == shop["l_ream"])
    # then Papyrus offers the saw, the ream has no offer left, and the saw shows Papyrus's offer
    body = await search(client, vendor=shop["other"])
    assert ids(body) == [shop["saw"]]
    assert [offer["sku"] for offer in body["items"][0]["offers"]] == ["R-1"]
    assert shop["ream"] not in ids(await search(client))


async def test_a_price_change_shows_in_the_next_price_sorted_search(world, api, shop):
    # given a buyer who sorted by price: the ream (4.00) is the cheapest
    client = await api(world.purchaser)
    assert ids(await search(client, sort="price_asc"))[0] == shop["ream"]
    # when its company gets a price list with the saw at 1.50
    await a_price_list([(shop["l_saw"], 1, "1.50")], company=world.buyer.id)
    # then the next price sort, price range and the saw's offer have that price
    assert ids(await search(client, sort="price_asc"))[0] == shop["saw"]
    assert ids(await search(client, max_price="2")) == [shop["saw"]]
    saw = (await search(client, q="saw"))["items"][0]["offers"][0]
    assert Decimal(saw["unit_price"]) == Decimal("1.50") and saw["price_source"] == "company_price_list"


async def test_a_search_by_words_finds_a_product_by_one_vendors_sku_with_only_that_offer(world, api, shop):
    # given the saw offered by a second vendor under its own SKU word
    await a_listing(shop["other"], shop["saw"], "FOXTROT-7", "18.00")
    client = await api(world.purchaser)
    # when the buyer searches for a word of the saw together with that SKU's word
    body = await search(client, q="saw foxtrot")
    # then the saw is found with only the offer whose SKU holds the word
    assert ids(body) == [shop["saw"]]
    assert [offer["sku"] for offer in body["items"][0]["offers"]] == ["FOXTROT-7"]
    assert facet(body, "vendor") == {"Papyrus Ltd": 1}
    # and when that offer is suspended, nothing is found
    await Listing.update({Listing.status: "suspended"}).where(Listing.sku == "FOXTROT-7")
    assert (await search(client, q="saw foxtrot"))["total"] == 0
