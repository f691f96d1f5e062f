"""The curation flow end to end over the API: approve, match, reject, suspend, merge, feature, audit."""

from app.catalog.tables import CurationEvent, Listing, Product
from tests.support.curation import a_category, a_listing, a_product
from tests.support.fixtures import make_company


async def events(action: str) -> list[dict]:
    return await CurationEvent.select(
        CurationEvent.actor.email, CurationEvent.listing, CurationEvent.product, CurationEvent.details
    ).where(CurationEvent.action == action).output(load_json=True).order_by(CurationEvent.id)


async def test_pending_listing_is_approved_creating_a_product_then_a_twin_is_matched_to_it(world, api):
    # given two pending listings of two vendors with the same GTIN
    category = await a_category("Gloves")
    first = await a_listing(world.vendor.id, "G-1", "Nitrile gloves M", brand="Acme", mpn="NG-M",
                            gtin="4006381333931", category=category)
    other_vendor = await make_company("vendor")
    twin = await a_listing(other_vendor.id, "X-9", "Examination gloves nitrile, medium", gtin="4006381333931")
    operator = await api(world.operator)

    # when the first is approved without a product
    response = await operator.post(f"/api/v1/curation/listings/{first}/approve", json={})

    # then a product is created from the listing and the listing is approved
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["listing"]["status"] == "approved"
    product = body["product"]
    assert (product["name"], product["brand"], product["mpn"], product["gtin"], product["category_id"],
            product["unit"]) == ("Nitrile gloves M", "Acme", "NG-M", "4006381333931", category, "box")
    assert product["description"] == "About Nitrile gloves M"
    created = await events("product.created")
    assert created[0]["actor.email"] == world.operator and created[0]["product"] == product["id"]
    approved = await events("listing.approved")
    assert approved[0]["details"]["changes"]["status"] == {"before": "pending", "after": "approved"}
    assert approved[0]["details"]["changes"]["product_id"] == {"before": None, "after": product["id"]}

    # when the twin is opened, the new product is its first suggestion, for its GTIN
    detail = (await operator.get(f"/api/v1/curation/listings/{twin}")).json()
    assert detail["suggestions"][0]["product"]["id"] == product["id"]
    assert "same GTIN" in detail["suggestions"][0]["reasons"]

    # and when it is matched to that product
    matched = await operator.post(f"/api/v1/curation/listings/{twin}/approve", json={"product_id": product["id"]})

    # then both listings offer the one product and no second product was created
    assert matched.status_code == 200, matched.text
    assert matched.json()["listing"]["product_id"] == product["id"]
    assert await Product.count() == 1
    assert len(await events("listing.approved")) == 2


async def test_the_queue_filters_by_vendor_category_and_text(world, api):
    # given pending listings in two categories of two vendors, and an approved one
    office = await a_category("Office")
    paper = await a_category("Paper", f"/{office}/", office)
    medical = await a_category("Medical")
    other_vendor = await make_company("vendor")
    a4 = await a_listing(world.vendor.id, "P-1", "Copy paper A4", category=paper)
    await a_listing(world.vendor.id, "M-1", "Stethoscope", category=medical)
    await a_listing(other_vendor.id, "P-2", "Copy paper A3", category=paper)
    await a_listing(world.vendor.id, "P-3", "Copy paper A5", category=paper, status="approved")
    operator = await api(world.operator)

    # when filtered by the parent category, the vendor and a word
    response = await operator.get(
        "/api/v1/curation/listings", params={"category": office, "vendor": world.vendor.id, "q": "PAPER"}
    )

    # then only the pending listing of that vendor below that category is listed
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["id"] for item in body["items"]] == [a4] and body["total"] == 1
    assert body["items"][0]["vendor_name"] == world.vendor.name
    assert (await operator.get("/api/v1/curation/listings")).json()["total"] == 3
    everything = await operator.get("/api/v1/curation/listings", params={"status": ""})
    assert everything.json()["total"] == 4
    bad = await operator.get("/api/v1/curation/listings", params={"status": "lost"})
    assert bad.status_code == 400 and "status must be one of" in bad.json()["detail"]


async def test_reject_needs_a_reason_and_keeps_it(world, api):
    listing = await a_listing(world.vendor.id, "R-1", "Mystery item")
    operator = await api(world.operator)

    # when rejected without a reason, nothing changes
    blank = await operator.post(f"/api/v1/curation/listings/{listing}/reject", json={"reason": "  "})
    assert blank.status_code == 400 and "reason is required" in blank.json()["detail"]
    assert (await Listing.select(Listing.status).where(Listing.id == listing).first())["status"] == "pending"
    assert await CurationEvent.count() == 0

    # when rejected with a reason
    response = await operator.post(f"/api/v1/curation/listings/{listing}/reject", json={"reason": "No GTIN given."})

    # then it is rejected with the reason, and the audit log says so
    assert response.status_code == 200, response.text
    assert response.json()["rejection_reason"] == "No GTIN given."
    logged = await events("listing.rejected")
    assert logged[0]["details"]["changes"]["rejection_reason"]["after"] == "No GTIN given."
    assert logged[0]["actor.email"] == world.operator


async def test_illegal_transitions_are_409_with_the_reason(world, api):
    rejected = await a_listing(world.vendor.id, "T-1", "Thing", status="rejected")
    draft = await a_listing(world.vendor.id, "T-2", "Draft thing", status="draft")
    operator = await api(world.operator)

    approve = await operator.post(f"/api/v1/curation/listings/{rejected}/approve", json={})
    assert approve.status_code == 409
    assert "a rejected listing cannot become approved" in approve.json()["detail"]
    reject = await operator.post(f"/api/v1/curation/listings/{draft}/reject", json={"reason": "x"})
    assert reject.status_code == 409 and "draft" in reject.json()["detail"]
    assert await Product.count() == 0 and await CurationEvent.count() == 0


async def test_approving_to_a_missing_or_merged_product_is_400_and_writes_nothing(world, api):
    listing = await a_listing(world.vendor.id, "T-3", "Thing")
    survivor = await a_product("Thing")
    merged = await a_product("Thing old", status="merged")
    await Product.update({Product.merged_into: survivor}).where(Product.id == merged)
    operator = await api(world.operator)

    missing = await operator.post(f"/api/v1/curation/listings/{listing}/approve", json={"product_id": 999})
    assert missing.status_code == 400 and "product_id 999 is not a product" in missing.json()["detail"]
    to_merged = await operator.post(f"/api/v1/curation/listings/{listing}/approve", json={"product_id": merged})
    assert to_merged.status_code == 400 and f"merged into product {survivor}" in to_merged.json()["detail"]
    assert (await Listing.select(Listing.status).where(Listing.id == listing).first())["status"] == "pending"
    assert await CurationEvent.count() == 0


async def test_suspending_a_vendors_listings_takes_approved_and_pending_at_once(world, api):
    # given a vendor with pending, approved, draft and rejected listings, and another vendor
    pending = await a_listing(world.vendor.id, "S-1", "One")
    approved = await a_listing(world.vendor.id, "S-2", "Two", status="approved")
    draft = await a_listing(world.vendor.id, "S-3", "Three", status="draft")
    other = await a_listing((await make_company("vendor")).id, "S-4", "Four")
    operator = await api(world.operator)

    # when the operator suspends the vendor's listings
    response = await operator.post(f"/api/v1/curation/vendors/{world.vendor.id}/suspend-listings")

    # then exactly its approved and pending listings are suspended, each with an audit entry
    assert response.status_code == 200, response.text
    assert sorted(response.json()["suspended_listing_ids"]) == sorted([pending, approved])
    statuses = {r["id"]: r["status"] for r in await Listing.select(Listing.id, Listing.status)}
    assert statuses == {pending: "suspended", approved: "suspended", draft: "draft", other: "pending"}
    logged = await events("listing.suspended")
    assert {e["listing"] for e in logged} == {pending, approved}
    assert {e["details"]["changes"]["status"]["before"] for e in logged} == {"pending", "approved"}

    # and a buyer company is not a vendor
    buyer = await operator.post(f"/api/v1/curation/vendors/{world.buyer.id}/suspend-listings")
    assert buyer.status_code == 400 and "not a vendor" in buyer.json()["detail"]
    assert (await operator.post("/api/v1/curation/vendors/99999/suspend-listings")).status_code == 404


async def test_a_suspended_listing_can_be_approved_again_keeping_its_product(world, api):
    product = await a_product("Kept")
    listing = await a_listing(world.vendor.id, "K-1", "Kept", status="approved", product=product)
    operator = await api(world.operator)
    assert (await operator.post(f"/api/v1/curation/listings/{listing}/suspend")).status_code == 200
    again = await operator.post(f"/api/v1/curation/listings/{listing}/approve", json={})
    assert again.status_code == 200 and again.json()["listing"]["product_id"] == product
    assert await Product.count() == 1
    twice = await operator.post(f"/api/v1/curation/listings/{listing}/approve", json={})
    assert twice.status_code == 409


async def test_merging_moves_listings_and_marks_the_loser(world, api):
    # given two products for the same thing, each with a listing
    keep = await a_product("Blue pen")
    dupe = await a_product("Pen, blue")
    kept_listing = await a_listing(world.vendor.id, "B-1", "Blue pen", status="approved", product=keep)
    moved_listing = await a_listing(world.vendor.id, "B-2", "Pen blue", status="approved", product=dupe)
    operator = await api(world.operator)

    # when the duplicate is merged into the keeper
    response = await operator.post(f"/api/v1/curation/products/{dupe}/merge", json={"into_product_id": keep})

    # then its listing moves, it is merged into the keeper, and the audit log has the move
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["moved_listing_ids"] == [moved_listing]
    assert body["product"]["status"] == "merged" and body["product"]["merged_into_id"] == keep
    products = {r["listing"] for r in await Listing.select(Listing.product.as_alias("listing"))}
    assert products == {keep}
    assert kept_listing
    logged = await events("product.merged")
    assert logged[0]["product"] == dupe and logged[0]["details"]["moved_listing_ids"] == [moved_listing]
    assert logged[0]["details"]["changes"]["status"] == {"before": "active", "after": "merged"}

    # and a product cannot be merged into itself, into a merged product, or twice
    itself = await operator.post(f"/api/v1/curation/products/{keep}/merge", json={"into_product_id": keep})
    assert itself.status_code == 400 and "itself" in itself.json()["detail"]
    third = await a_product("Pen")
    into_merged = await operator.post(f"/api/v1/curation/products/{third}/merge", json={"into_product_id": dupe})
    assert into_merged.status_code == 409 and f"merged into product {keep}" in into_merged.json()["detail"]
    again = await operator.post(f"/api/v1/curation/products/{dupe}/merge", json={"into_product_id": third})
    assert again.status_code == 409 and "already merged" in again.json()["detail"]
    assert len(await events("product.merged")) == 1


async def test_featuring_toggles_and_is_audited(world, api):
    product = await a_product("Star")
    operator = await api(world.operator)

    on = await operator.post(f"/api/v1/curation/products/{product}/feature", json={"featured": True})
    assert on.status_code == 200 and on.json()["featured"] is True
    same = await operator.post(f"/api/v1/curation/products/{product}/feature", json={"featured": True})
    assert same.status_code == 200
    off = await operator.post(f"/api/v1/curation/products/{product}/feature", json={"featured": False})
    assert off.json()["featured"] is False

    assert [e["details"]["changes"]["featured"] for e in await events("product.featured")] == [
        {"before": False, "after": True}
    ]
    assert len(await events("product.unfeatured")) == 1
    assert (await operator.post("/api/v1/curation/products/999/feature", json={"featured": True})).status_code == 404


async def test_operators_read_the_audit_log_filtered(world, api):
    first = await a_listing(world.vendor.id, "A-1", "Alpha")
    second = await a_listing(world.vendor.id, "A-2", "Beta")
    operator = await api(world.operator)
    await operator.post(f"/api/v1/curation/listings/{first}/approve", json={})
    await operator.post(f"/api/v1/curation/listings/{second}/reject", json={"reason": "Blurry"})

    everything = (await operator.get("/api/v1/curation/events")).json()
    assert everything["total"] == 3  # product.created, listing.approved, listing.rejected
    assert everything["items"][0]["action"] == "listing.rejected"  # newest first
    by_listing = (await operator.get("/api/v1/curation/events", params={"listing": second})).json()
    assert [e["action"] for e in by_listing["items"]] == ["listing.rejected"]
    assert by_listing["items"][0]["actor_email"] == world.operator
    by_action = (await operator.get("/api/v1/curation/events", params={"action": "product.created"})).json()
    assert by_action["total"] == 1 and by_action["items"][0]["details"]["fields"]["name"] == "Alpha"
