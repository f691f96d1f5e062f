"""Only operators curate: vendors and buyers get 403 on every curation endpoint, strangers 401."""

import pytest

ENDPOINTS = [
    ("get", "/api/v1/curation/listings", None),
    ("get", "/api/v1/curation/listings/1", None),
    ("post", "/api/v1/curation/listings/1/approve", {}),
    ("post", "/api/v1/curation/listings/1/reject", {"reason": "x"}),
    ("post", "/api/v1/curation/listings/1/suspend", None),
    ("post", "/api/v1/curation/vendors/1/suspend-listings", None),
    ("post", "/api/v1/curation/products/1/merge", {"into_product_id": 2}),
    ("post", "/api/v1/curation/products/1/feature", {"featured": True}),
    ("get", "/api/v1/curation/events", None),
    ("post", "/api/v1/categories", {"name": "Sneaky"}),
    ("post", "/api/v1/segments", {"name": "Sneaky"}),
    ("get", "/api/v1/segments", None),
    ("post", "/api/v1/segments/1/rules", {"effect": "allow", "target": "vendor", "target_id": 1}),
    ("delete", "/api/v1/segments/1/rules/1", None),
    ("put", "/api/v1/companies/1/segment", {"segment_id": 1}),
    ("post", "/api/v1/price-lists", {"name": "x", "currency": "EUR", "segment_id": 1}),
    ("get", "/api/v1/price-lists", None),
    ("get", "/api/v1/price-lists/1", None),
    ("post", "/api/v1/price-lists/1/entries", {"entries": []}),
]
PAGES = ["/operator/curation", "/operator/curation/listings/1", "/operator/curation/events",
         "/operator/curation/segments", "/operator/curation/price-lists", "/operator/curation/price-lists/1"]


async def call(client, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    return await client.request(method.upper(), path, **kwargs)


@pytest.mark.parametrize("who", ["vendor_admin", "buyer_admin", "purchaser"])
async def test_non_operators_get_403_everywhere(world, api, who):
    client = await api(getattr(world, who))
    for method, path, body in ENDPOINTS:
        response = await call(client, method, path, body)
        assert response.status_code == 403, (method, path, response.status_code)


async def test_without_a_token_it_is_401(client):
    for method, path, body in ENDPOINTS:
        assert (await call(client, method, path, body)).status_code == 401, path


@pytest.mark.parametrize("who", ["vendor_admin", "buyer_admin"])
async def test_non_operators_get_403_on_the_pages(world, browser, who):
    session = await browser(getattr(world, who))
    for path in PAGES:
        assert (await session.get(path)).status_code == 403, path


async def test_everyone_signed_in_reads_the_category_tree(world, api):
    operator = await api(world.operator)
    root = (await operator.post("/api/v1/categories", json={"name": "Medical"})).json()
    child = await operator.post("/api/v1/categories", json={"name": "Gloves", "parent_id": root["id"]})
    assert child.status_code == 201, child.text
    assert child.json()["path"] == f"/{root['id']}/{child.json()['id']}/"
    buyer = await api(world.purchaser)
    tree = (await buyer.get("/api/v1/categories")).json()
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in tree] == [("Medical", ["Gloves"])]
    vendor = await api(world.vendor_admin)
    assert (await vendor.get("/api/v1/categories")).status_code == 200


async def test_category_validation(world, api):
    operator = await api(world.operator)
    missing = await operator.post("/api/v1/categories", json={"name": "Orphan", "parent_id": 999})
    assert missing.status_code == 400 and "parent_id 999 is not a category" in missing.json()["detail"]
    assert (await operator.post("/api/v1/categories", json={"name": "Office"})).status_code == 201
    twice = await operator.post("/api/v1/categories", json={"name": "office"})
    assert twice.status_code == 409
    blank = await operator.post("/api/v1/categories", json={"name": "   "})
    assert blank.status_code == 400
    assert len((await operator.get("/api/v1/categories")).json()) == 1


async def test_the_endpoints_are_in_the_openapi_schema_with_bodies(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    for method, path, body in ENDPOINTS:
        templated = (path.replace("/listings/1", "/listings/{listing_id}").replace("/vendors/1", "/vendors/{vendor_id}")
                     .replace("/products/1", "/products/{product_id}").replace("/segments/1", "/segments/{segment_id}")
                     .replace("/rules/1", "/rules/{rule_id}").replace("/companies/1", "/companies/{company_id}")
                     .replace("/price-lists/1", "/price-lists/{price_list_id}"))
        assert method in paths[templated], (method, templated)
        if body:
            assert paths[templated][method]["requestBody"]["content"]["application/json"]["schema"], templated
    assert not any(p.startswith("/operator/curation") for p in paths)
