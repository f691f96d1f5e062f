"""The operators' curation pages: queue, listing (suggestions, approve, reject), audit log, segments, price lists."""

from app.catalog.tables import Listing, PriceListEntry, Product, SegmentMember
from tests.support.curation import a_listing, a_product
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside, form_fields


async def test_the_queue_lists_pending_listings_with_filters(world, browser):
    await a_listing(world.vendor.id, "Q-1", "Copy paper A4")
    await a_listing(world.vendor.id, "Q-2", "Stapler")
    session = await browser(world.operator)

    page = await session.get("/operator/curation/")
    assert page.status_code == 200
    assert "Copy paper A4" in page.text and "Stapler" in page.text
    assert 'href="/operator/curation"' in page.text  # the nav link
    filtered = await session.get("/operator/curation/", params={"q": "paper", "vendor": "", "category": ""})
    assert "Copy paper A4" in filtered.text and "Stapler" not in filtered.text
    bad = await session.get("/operator/curation/", params={"submitted_from": "yesterday"})
    assert bad.status_code == 400 and "must be a date" in bad.text
    assert (await session.get("/operator/curation/listings/999")).status_code == 404
    assert (await session.get("/operator/curation/price-lists/999")).status_code == 404


async def test_a_listing_is_matched_from_its_page(world, browser):
    product = await a_product("Nitrile gloves M", gtin="4006381333931")
    listing = await a_listing(world.vendor.id, "G-1", "Gloves nitrile M", gtin="4006381333931")
    session = await browser(world.operator)

    page = await session.get(f"/operator/curation/listings/{listing}")
    assert page.status_code == 200
    assert "same GTIN" in page.text and f"Approve as product #{product}" in page.text

    response = await session.post(f"/operator/curation/listings/{listing}/approve",
                                  data={"product_id": str(product), "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303, response.text
    row = await Listing.select(Listing.status, Listing.product).where(Listing.id == listing).first()
    assert row == {"status": "approved", "product": product}
    after = await session.get(response.headers["location"])
    assert "is approved as product" in after.text


async def test_rejecting_without_a_reason_keeps_the_page_and_changes_nothing(world, browser):
    listing = await a_listing(world.vendor.id, "R-1", "Mystery")
    session = await browser(world.operator)
    page = await session.get(f"/operator/curation/listings/{listing}")

    blank = await session.post(f"/operator/curation/listings/{listing}/reject",
                               data={"reason": "   ", "_csrf_token": csrf_token(page.text)})
    assert blank.status_code == 400
    assert error_beside(blank.text, "reason") == "The reason is required: tell the vendor what to fix"
    too_long = await session.post(f"/operator/curation/listings/{listing}/reject",
                                  data={"reason": "x" * 2001, "_csrf_token": csrf_token(page.text)})
    kept = form_fields(too_long.text, f"/operator/curation/listings/{listing}/reject")
    assert too_long.status_code == 400 and kept["reason"] == "x" * 2001
    assert error_beside(too_long.text, "reason") == (
        "The reason must be at most 2000 characters: tell the vendor what to fix")
    assert (await Listing.select(Listing.status).where(Listing.id == listing).first())["status"] == "pending"

    done = await session.post(f"/operator/curation/listings/{listing}/reject",
                              data={"reason": "Add a GTIN", "_csrf_token": csrf_token(blank.text)})
    assert done.status_code == 303
    assert (await Listing.select(Listing.rejection_reason).where(Listing.id == listing).first()) == {
        "rejection_reason": "Add a GTIN"}
    log = await session.get("/operator/curation/events", params={"listing": str(listing)})
    assert "listing.rejected" in log.text and "Add a GTIN" in log.text and world.operator in log.text


async def test_a_form_without_the_csrf_token_is_refused(world, browser):
    listing = await a_listing(world.vendor.id, "C-1", "Thing")
    session = await browser(world.operator)
    response = await session.post(f"/operator/curation/listings/{listing}/approve", data={"product_id": ""})
    assert response.status_code == 403
    assert await Product.count() == 0


async def test_segments_and_price_lists_are_managed_from_their_pages(world, browser):
    listing = await a_listing(world.vendor.id, "P-1", "Paper", status="approved")
    session = await browser(world.operator)
    page = await session.get("/operator/curation/segments")
    created = await session.post("/operator/curation/segments",
                                 data={"name": "Education", "description": "", "_csrf_token": csrf_token(page.text)})
    assert created.status_code == 303
    page = await session.get("/operator/curation/segments")
    assert "Education" in page.text
    segment_id = page.text.split('action="/operator/curation/segments/')[1].split("/")[0]
    member = await session.post("/operator/curation/segments/members", data={
        "company_id": str(world.buyer.id), "segment_id": segment_id, "_csrf_token": csrf_token(page.text)})
    assert member.status_code == 303
    assert await SegmentMember.count() == 1
    wrong = await session.post("/operator/curation/segments/members", data={
        "company_id": str(world.vendor.id), "segment_id": segment_id, "_csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 400 and "only buyer companies" in error_beside(wrong.text, "company_id")
    # a taken segment name is said beside the name, kept; a rule's wrong target beside that segment's own field
    taken = await session.post("/operator/curation/segments", data={
        "name": "Education", "description": "Again", "_csrf_token": csrf_token(page.text)})
    assert taken.status_code == 409 and "already exists" in error_beside(taken.text, "name")
    assert 'value="Again"' in taken.text
    rule = await session.post(f"/operator/curation/segments/{segment_id}/rules", data={
        "effect": "deny", "target": "vendor", "target_id": "abc", "_csrf_token": csrf_token(page.text)})
    assert rule.status_code == 400
    assert error_beside(rule.text, f"target_id-{segment_id}") == "Target # must be a whole number"
    assert 'value="abc"' in rule.text and '<option value="deny" selected>' in rule.text

    lists = await session.get("/operator/curation/price-lists")
    both_missing = await session.post("/operator/curation/price-lists", data={
        "name": "Schools", "owner": "segment", "segment_id": "", "currency": "EUR",
        "_csrf_token": csrf_token(lists.text)})
    assert both_missing.status_code == 400 and 'value="Schools"' in both_missing.text  # the input is kept
    assert error_beside(both_missing.text, "segment_id").startswith("Give ")
    made = await session.post("/operator/curation/price-lists", data={
        "name": "Schools", "owner": "segment", "segment_id": segment_id, "currency": "EUR",
        "valid_from": "2026-01-01T00:00", "_csrf_token": csrf_token(lists.text)})
    assert made.status_code == 303, made.text
    detail = await session.get(made.headers["location"])
    assert "Schools" in detail.text and f"#{listing} Paper" in detail.text
    entry = await session.post(made.headers["location"] + "/entries", data={
        "listing_id": str(listing), "min_qty": "1", "unit_price": "4.20", "_csrf_token": csrf_token(detail.text)})
    assert entry.status_code == 303
    assert (await PriceListEntry.select(PriceListEntry.unit_price).first()) == {"unit_price": 42000}
    bad_price = await session.post(made.headers["location"] + "/entries", data={
        "listing_id": str(listing), "min_qty": "1", "unit_price": "4,20", "_csrf_token": csrf_token(detail.text)})
    assert bad_price.status_code == 400
    said = error_beside(bad_price.text, "unit_price")
    assert said.startswith("Unit price: ") and "not a decimal amount" in said and "entries[" not in said
    assert 'value="4,20"' in bad_price.text


async def test_a_wrong_product_number_is_said_beside_it_and_kept(world, browser):
    listing = await a_listing(world.vendor.id, "R-2", "Mystery box")
    session = await browser(world.operator)
    page = await session.get(f"/operator/curation/listings/{listing}")
    wrong = await session.post(f"/operator/curation/listings/{listing}/approve",
                               data={"product_id": "twelve", "_csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 400
    assert error_beside(wrong.text, "product_id") != "" and 'value="twelve"' in wrong.text
    assert (await Listing.select(Listing.status).where(Listing.id == listing).first())["status"] == "pending"


async def test_merging_products_asks_once_more_with_what_moves(world, browser):
    duplicate, keeper = await a_product("Gloves M (dup)"), await a_product("Nitrile gloves M")
    listing = await a_listing(world.vendor.id, "G-1", "Gloves", status="approved", product=duplicate)
    session = await browser(world.operator)
    page = await session.get(f"/operator/curation/listings/{listing}")
    action = f"/operator/curation/products/{duplicate}/merge"
    # a survivor number that is no product is said beside the field, kept
    wrong = await session.post(action, data={"into_product_id": "999999", "listing_id": str(listing),
                                             "_csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 400 and "is not a product" in error_beside(wrong.text, "into_product_id")
    assert 'value="999999"' in wrong.text
    # the first post only says what merging does
    asked = await session.post(action, data={"into_product_id": str(keeper), "listing_id": str(listing),
                                             "_csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "cannot be undone" in asked.text and "Its 1 listing moves" in asked.text
    assert (await Product.select(Product.status).where(Product.id == duplicate).first())["status"] == "active"
    # its "Yes" merges
    done = await session.post(action, data={**form_fields(asked.text, action), "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    assert (await Product.select(Product.status, Product.merged_into).where(Product.id == duplicate).first()) == {
        "status": "merged", "merged_into": keeper}
