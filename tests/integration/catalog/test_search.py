"""Full-text search (the same results on PostgreSQL and SQLite), the index triggers, filters, facets, pages."""

import pytest

from app.catalog.tables import Listing, Product
from tests.support.catalog import a_category, a_listing, a_product
from tests.support.fixtures import make_company


@pytest.fixture
async def catalog(world):
    tools = await a_category("Tools")
    drills = await a_category("Drills", tools)
    lab = await a_category("Lab")
    ids = {
        "drill": await a_product("Cordless drill", brand="Bosch", mpn="GSR-18V", gtin="04012345678901",
                                 category=drills, description="Brushless motor, two batteries"),
        "saw": await a_product("Circular saw", brand="Makita", mpn="HS7601", gtin="0088381612345",
                               category=tools, description="Cuts wood and plastic"),
        "pipette": await a_product("Pipette tips 200 µl", brand="Eppendorf", mpn="EP-0030", gtin="4048000000017",
                                   category=lab, description="Sterile, racked"),
    }
    await a_listing(world.vendor.id, ids["drill"], "BO-DRILL-77", "129.00", stock=0)
    await a_listing(world.vendor.id, ids["saw"], "MK-SAW-1", "89.00")
    await a_listing(world.vendor.id, ids["pipette"], "EPP-TIPS", "12.40")
    ids.update(tools=tools, drills=drills, lab=lab)
    return ids


async def found(client, q, **params):
    response = await client.get("/api/v1/catalog/products", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


# Run on SQLite by default and on PostgreSQL in CI: the same table must hold on both.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cordless", {"drill"}),  # name
        ("batteries", {"drill"}),  # description
        ("makita", {"saw"}),  # brand, any case
        ("MK-SAW-1", {"saw"}),  # the vendor's SKU, punctuation and all
        ("04012345678901", {"drill"}),  # GTIN
        ("gsr-18v", {"drill"}),  # manufacturer part number
        ("pip", {"pipette"}),  # prefix of a word
        ("401234", set()),  # a middle part of a code is not a word prefix
        ("µl", {"pipette"}),  # non-ASCII letters
        ("wood saw", {"saw"}),  # every word must match, across fields
        ("wood drill", set()),
        ("", {"drill", "saw", "pipette"}),  # no words: everything visible
        ("'\" & | ! :* (", {"drill", "saw", "pipette"}),  # query syntax is not passed through
    ],
)
async def test_full_text_search_finds_each_field(world, api, catalog, query, expected):
    client = await api(world.purchaser)
    assert await found(client, query) == {catalog[name] for name in expected}


async def test_one_word_of_one_vendors_sku_finds_the_product_with_only_that_offer(world, api, catalog):
    # given the saw offered by a second vendor under a SKU whose word is nowhere else
    other = await make_company("vendor", "Zeta Tools")
    await a_listing(other.id, catalog["saw"], "ZX-555", "80.00")
    client = await api(world.purchaser)
    # when the buyer searches for that one word
    response = await client.get("/api/v1/catalog/products", params={"q": "zx"})
    assert response.status_code == 200, response.text
    body = response.json()
    # then the saw is found with only that vendor's offer, and only that vendor in the facet
    assert [item["id"] for item in body["items"]] == [catalog["saw"]] and body["total"] == 1
    assert [offer["sku"] for offer in body["items"][0]["offers"]] == ["ZX-555"]
    assert [(value["label"], value["count"]) for value in body["facets"]["vendor"]] == [("Zeta Tools", 1)]
    # and a word of the saw itself finds it with both offers
    response = await client.get("/api/v1/catalog/products", params={"q": "circular"})
    assert sorted(offer["sku"] for offer in response.json()["items"][0]["offers"]) == ["MK-SAW-1", "ZX-555"]


async def test_the_index_follows_product_and_listing_writes_without_being_told(world, api, catalog):
    client = await api(world.purchaser)
    # a curator renames a product
    await Product.update({Product.name: "Hammer drill"}).where(Product.id == catalog["drill"])
    assert await found(client, "hammer") == {catalog["drill"]}
    assert await found(client, "cordless") == set()
    # a vendor changes its SKU
    await Listing.update({Listing.sku: "NEW-SKU-9"}).where(Listing.sku == "MK-SAW-1")
    assert await found(client, "new-sku-9") == {catalog["saw"]}
    assert await found(client, "mk-saw") == set()
    # a new listing of another vendor with its own SKU; then it is moved to another product
    other = await make_company("vendor")
    listing = await a_listing(other.id, catalog["saw"], "ZX-555")
    assert await found(client, "zx") == {catalog["saw"]}
    await Listing.update({Listing.product: catalog["pipette"]}).where(Listing.id == listing)
    assert await found(client, "zx") == {catalog["pipette"]}
    # and deleted
    await Listing.delete().where(Listing.id == listing)
    assert await found(client, "zx") == set()
    # a listing not yet curated into a product is not searchable
    await a_listing(other.id, None, "LOOSE-1")
    assert await found(client, "loose") == set()


async def test_relevance_puts_name_matches_before_description_matches(world, api, catalog):
    await a_product("Sterile gloves")  # no listing: not in the catalog
    gloves = await a_product("Sterile gloves", description="Boxes of 100")
    await a_listing(world.vendor.id, gloves, "GL-1")
    client = await api(world.purchaser)
    body = (await client.get("/api/v1/catalog/products", params={"q": "sterile"})).json()
    assert [item["id"] for item in body["items"]] == [gloves, catalog["pipette"]]


async def test_filters_combine_and_facets_count_under_the_other_filters(world, api, catalog):
    client = await api(world.purchaser)
    # category with its subcategories
    assert await found(client, "", category=catalog["tools"]) == {catalog["drill"], catalog["saw"]}
    assert await found(client, "", category=catalog["drills"]) == {catalog["drill"]}
    # brand, vendor, stock, price range (bounds included)
    assert await found(client, "", brand="bosch") == {catalog["drill"]}
    assert await found(client, "", vendor=world.vendor.id, in_stock="true") == {catalog["saw"], catalog["pipette"]}
    assert await found(client, "", min_price="12.40", max_price="89") == {catalog["saw"], catalog["pipette"]}
    # facets of a filtered search: each counts what choosing its value would give
    body = (await client.get("/api/v1/catalog/products", params={"category": catalog["tools"], "in_stock": "1"})).json()
    assert body["total"] == 1
    assert {(f["label"], f["count"]) for f in body["facets"]["brand"]} == {("Makita", 1)}
    assert {(f["label"], f["count"]) for f in body["facets"]["category"]} == {("Tools", 1), ("Lab", 1)}


async def test_pagination_reports_the_total_and_cuts_pages(world, api, browser):
    for number in range(7):
        product = await a_product(f"Widget {number}")
        await a_listing(world.vendor.id, product, f"W-{number}", f"{number + 1}.00")
    client = await api(world.purchaser)
    pages = []
    for page in (1, 2, 3):
        body = (await client.get("/api/v1/catalog/products",
                                 params={"sort": "price_asc", "per_page": 3, "page": page})).json()
        assert (body["total"], body["page"], body["per_page"]) == (7, page, 3)
        pages.append([item["name"] for item in body["items"]])
    assert pages == [["Widget 0", "Widget 1", "Widget 2"], ["Widget 3", "Widget 4", "Widget 5"], ["Widget 6"]]
    # the page links keep the search and its filters
    html = (await (await browser(world.purchaser)).get("/catalog/?sort=price_asc&per_page=3&page=2")).text
    assert 'href="/catalog?sort=price_asc&amp;per_page=3&amp;page=3"' in html and "Page 2 of 3" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"min_price": "cheap"}, "min_price"),
        ({"min_price": "5", "max_price": "1"}, "min_price"),
        ({"sort": "popular"}, "sort"),
        ({"category": "tools"}, "category"),
    ],
)
async def test_bad_search_input_is_400_saying_what_to_fix(world, api, params, message):
    client = await api(world.purchaser)
    response = await client.get("/api/v1/catalog/products", params=params)
    assert response.status_code == 400
    assert message in str(response.json())


async def test_the_search_page_works_without_javascript(world, browser, catalog):
    session = await browser(world.purchaser)
    page = await session.get("/catalog/", params={"q": "saw", "in_stock": "1"})
    assert page.status_code == 200
    assert "Circular saw" in page.text and "Cordless drill" not in page.text
    assert "List price" in page.text and "89.00 EUR" in page.text and "89.0000" not in page.text
    assert "Makita</a> (1)" in page.text  # facet with its count, as a link
    bad = await session.get("/catalog/", params={"min_price": "abc"})
    assert bad.status_code == 400 and "min_price" in bad.text
    product = await session.get(f"/catalog/products/{catalog['saw']}", params={"quantity": "2"})
    assert product.status_code == 200 and "MK-SAW-1" in product.text


async def test_the_api_is_in_the_openapi_schema(client):
    paths = (await client.get("/api/schema/openapi.json")).json()["paths"]
    assert "get" in paths["/api/v1/catalog/products"]
    assert "get" in paths["/api/v1/catalog/products/{product_id}"]
    assert not any(path.startswith("/catalog") for path in paths)
