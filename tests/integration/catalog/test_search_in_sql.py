"""The search done by the database agrees with `search.browse`, the same search over plain values.

The reference loads every listing, keeps the visible ones with the Python rule (`is_visible`),
matches words in Python, prices each offer with the one resolver and then filters, counts and
orders with `browse`. The SQL search must give the same products, order, total and facets.
"""

import random
import re
from decimal import Decimal

import pytest

from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.search import Filters, OfferRow, ProductRow, Sort, browse, query_terms
from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import Listing, SegmentRule
from app.catalog.visibility import OfferFacts, Rule, category_ancestry, is_visible
from tests.support.catalog import (
    a_category,
    a_contract_price,
    a_listing,
    a_price_list,
    a_product,
    a_segment,
)
from tests.support.fixtures import make_company

WORDS = ["nitrile", "glove", "gauze", "bolt", "nut", "paper"]
BRANDS = ["Acme", "ACME", "Bolt", "Corex", ""]


async def a_random_catalog(world, rng: random.Random, rules: str) -> dict:
    """About 30 products of 3 vendors in a small tree, with tiers, price lists, a contract and USD offers."""
    root = await a_category("Root")
    child = await a_category("Child", root)
    grandchild = await a_category("Grandchild", child)
    other = await a_category("Other")
    categories = [root, child, grandchild, other, None]
    vendors = [world.vendor.id, (await make_company("vendor", "Beta Supply")).id,
               (await make_company("vendor", "Gamma Trade")).id]
    products = []
    for number in range(30):
        name = " ".join(rng.sample(WORDS, 2)).title() + f" {number}"
        products.append(await a_product(name, brand=rng.choice(BRANDS), category=rng.choice(categories),
                                        featured=rng.random() < 0.2,
                                        status="merged" if number == 29 else "active"))
    listings = []
    for number in range(70):
        tiers = [(1, f"{rng.randint(1, 90)}.50")] if rng.random() < 0.2 else []
        if rng.random() < 0.2:
            tiers.append((10, "0.99"))
        price = f"{rng.randint(1, 99)}.{rng.randint(0, 99):02d}"
        listings.append(await a_listing(
            rng.choice(vendors), rng.choice(products), f"SKU-{number}", price,
            stock=rng.choice([0, 3, 8]), currency="USD" if rng.random() < 0.1 else "EUR",
            status="pending" if rng.random() < 0.05 else "approved", tiers=tiers,
        ))
    await a_price_list([(lid, 1, f"{rng.randint(1, 50)}.00") for lid in rng.sample(listings, 8)],
                       company=world.buyer.id, name="Company list")
    for lid in rng.sample(listings, 5):
        await a_contract_price(world.buyer.id, lid, f"{rng.randint(1, 20)}.25")
    chosen = {
        "none": [],
        "deny": [("deny", "category", child), ("deny", "product", products[0]), ("deny", "vendor", vendors[2])],
        "allow": [("allow", "vendor", vendors[0]), ("allow", "vendor", vendors[1]), ("allow", "category", root)],
    }[rules]
    segment = await a_segment("Random", members=[world.buyer.id], rules=chosen)
    await a_price_list([(lid, 1, f"{rng.randint(1, 50)}.10") for lid in rng.sample(listings, 8)],
                       segment=segment, name="Segment list")
    return {"categories": [c for c in categories if c], "vendors": vendors}


async def reference(buyer_company_id: int, text: str, filters: Filters, currency: str = "EUR"):
    """The search the slow, obvious way: every listing into Python."""
    buyer = await buyer_of(buyer_company_id)
    rules = [Rule(RuleEffect(r["effect"]), RuleTarget(r["target"]), r["target_id"])
             for r in await SegmentRule.select().where(SegmentRule.segment == buyer.segment_id)]
    rows = await Listing.select(
        Listing.id, Listing.sku, Listing.status, Listing.stock, Listing.vendor, Listing.vendor.name,
        Listing.vendor.status, Listing.product, Listing.product.status, Listing.product.name, Listing.product.brand,
        Listing.product.mpn, Listing.product.gtin, Listing.product.description, Listing.product.featured,
        Listing.product.category, Listing.product.category.path,
    ).where(Listing.product.is_not_null())
    terms = query_terms(text)
    visible = []
    for row in rows:
        facts = OfferFacts(row["status"], row["product.status"], row["vendor.status"], row["product"], row["vendor"],
                           row["product.category"], row["product.category.path"] or "")
        document = " ".join(str(row[k] or "") for k in ("product.name", "product.brand", "product.mpn", "product.gtin",
                                                      "product.description", "sku"))
        words = re.findall(r"[^\W_]+", document.lower())
        if is_visible(facts, rules) and all(any(w.startswith(t) for w in words) for t in terms):
            visible.append(row)
    prices = await resolve_prices({row["id"]: 1 for row in visible}, buyer)
    products = {
        row["product"]: ProductRow(
            id=row["product"], name=row["product.name"], brand=row["product.brand"] or "",
            featured=bool(row["product.featured"]), category_id=row["product.category"],
            categories=category_ancestry(row["product.category"], row["product.category.path"] or ""),
        )
        for row in visible
    }
    offers = [
        OfferRow(listing_id=row["id"], product_id=row["product"], vendor_id=row["vendor"],
                 vendor_name=row["vendor.name"], stock=row["stock"], price=prices[row["id"]].unit_price,
                 currency=prices[row["id"]].currency)
        for row in visible
    ]
    return browse(products, offers, filters, currency)


def facet(body: dict, name: str) -> dict:
    return {value["value"]: value["count"] for value in body["facets"][name]}


def random_filters(rng: random.Random, catalog: dict) -> dict:
    params: dict = {"sort": rng.choice(["relevance", "price_asc", "price_desc", "name_asc", "name_desc"])}
    if rng.random() < 0.3:
        params["category"] = rng.choice(catalog["categories"])
    if rng.random() < 0.3:
        params["vendor"] = rng.choice(catalog["vendors"])
    if rng.random() < 0.3:
        params["brand"] = rng.choice(["acme", "Bolt", "corex"])
    if rng.random() < 0.3:
        params["in_stock"] = "true"
    if rng.random() < 0.3:
        params["min_price"] = rng.choice(["5", "10.5", "20.0001"])
    if rng.random() < 0.3:
        params["max_price"] = rng.choice(["40", "60.99", "99.99995"])
    if rng.random() < 0.5:
        params["q"] = rng.choice(["", "glov", "nut paper", "sku-1", "acme"])
    return params


@pytest.mark.parametrize("rules", ["none", "deny", "allow"])
async def test_the_sql_search_agrees_with_browse_over_plain_values(world, api, rules):
    # given a random catalog, some of it hidden from the buyer's segment, with every source of price
    rng = random.Random(f"search-{rules}")
    catalog = await a_random_catalog(world, rng, rules)
    client = await api(world.purchaser)
    for _ in range(25):
        params = random_filters(rng, catalog)
        # when the API searches and the reference does the same over plain values
        response = await client.get("/api/v1/catalog/products", params={**params, "per_page": 100})
        assert response.status_code == 200, response.text
        body = response.json()
        min_price, max_price = params.get("min_price"), params.get("max_price")
        filters = Filters(
            category=params.get("category"), vendor=params.get("vendor"), brand=params.get("brand", ""),
            min_price=Decimal(min_price) if min_price else None, max_price=Decimal(max_price) if max_price else None,
            in_stock="in_stock" in params, sort=Sort(params["sort"]),
        )
        expected = await reference(world.buyer.id, params.get("q", ""), filters)
        # then products, order (scores aside), total and every facet are the same
        got = [item["id"] for item in body["items"]]
        wanted = [hit.product.id for hit in expected.hits]
        if params.get("q") and filters.sort is Sort.RELEVANCE:
            assert sorted(got) == sorted(wanted), params
        else:
            assert got == wanted, params
        assert body["total"] == len(expected.hits), params
        assert facet(body, "category") == {str(k): n for k, n in expected.category_counts.items()}, params
        assert facet(body, "brand") == expected.brand_counts, params
        assert facet(body, "vendor") == {str(k): n for k, n in expected.vendor_counts.items()}, params
        # and each product shows exactly the offers the search kept
        kept = {hit.product.id: sorted(o.listing_id for o in hit.offers) for hit in expected.hits}
        assert {item["id"]: sorted(o["listing_id"] for o in item["offers"]) for item in body["items"]} == kept, params


async def test_pages_cut_the_same_ordered_list(world, api):
    # given a random catalog
    rng = random.Random("pages")
    await a_random_catalog(world, rng, "none")
    client = await api(world.purchaser)
    for sort in ("relevance", "price_asc", "price_desc", "name_asc", "name_desc"):
        # when the whole list and its pages of 7 are asked
        everything = (await client.get("/api/v1/catalog/products", params={"sort": sort, "per_page": 100})).json()
        pages = []
        for page in range(1, 6):
            body = (await client.get("/api/v1/catalog/products",
                                     params={"sort": sort, "per_page": 7, "page": page})).json()
            assert body["total"] == everything["total"]
            pages.extend(item["id"] for item in body["items"])
        # then the pages are the list cut in pieces, and a page past the end is empty but keeps the total
        assert pages == [item["id"] for item in everything["items"]]
        assert everything["total"] < 35
