"""The vendor portal pages: listings with filter, the form, submit/withdraw, feed upload and its report."""


from app.catalog.tables import Listing
from tests.support.fixtures import csrf_token, drain
from tests.support.pages import error_beside, form_fields

FORM = {"sku": "P-1", "title": "Gloves", "base_price": "12.50", "currency": "EUR", "pack_size": "1",
        "min_order_qty": "1", "stock": "0", "lead_time_days": "0", "tier_qty_1": "10", "tier_price_1": "11"}


async def test_a_vendor_creates_edits_and_submits_a_listing_through_the_pages(world, browser):
    page = await browser(world.vendor_admin)
    listings = await page.get("/vendor/listings/")
    assert listings.status_code == 200
    assert "My listings" in listings.text and "Feed import" in listings.text
    form = await page.get("/vendor/listings/new")
    token = csrf_token(form.text)
    # wrong fields re-render the form with what was typed and each reason beside its field, all at once
    bad = await page.post("/vendor/listings/", data={**FORM, "gtin": "123", "base_price": "-1", "sku": "",
                                                      "_csrf_token": token})
    assert bad.status_code == 400
    assert 'value="Gloves"' in bad.text and 'value="-1"' in bad.text and 'value="11"' in bad.text
    assert "3 things to correct" in bad.text
    assert error_beside(bad.text, "sku") == "SKU is required"
    assert error_beside(bad.text, "base_price") == "Base unit price must be greater than 0"
    assert "'123' is not a valid GTIN" in error_beside(bad.text, "gtin")
    created = await page.post("/vendor/listings/", data={**FORM, "_csrf_token": token})
    assert created.status_code == 303
    edit = await page.get(created.headers["location"])
    assert 'value="P-1"' in edit.text and 'value="11.00"' in edit.text  # the price as the vendor types it
    listing_id = (await Listing.select(Listing.id).first())["id"]
    submitted = await page.post(f"/vendor/listings/{listing_id}/submit", data={"_csrf_token": csrf_token(edit.text)})
    assert submitted.status_code == 303
    pending = await page.get("/vendor/listings/?status=pending")
    assert "P-1" in pending.text
    assert "P-1" not in (await page.get("/vendor/listings/?status=draft")).text


async def test_a_buyer_cannot_open_the_vendor_portal(world, browser):
    page = await browser(world.buyer_admin)
    assert (await page.get("/vendor/listings/")).status_code == 403
    assert "My listings" not in (await page.get("/dashboard")).text


async def test_uploading_a_feed_shows_progress_then_the_report(world, browser, worker):
    page = await browser(world.vendor_admin)
    index = await page.get("/vendor/imports/")
    assert "listings-template.csv" in index.text
    feed = b"sku,title,base_price,currency\nF-1,Gloves,1.00,EUR\nF-2,,1.00,EUR\n"
    response = await page.post("/vendor/imports/", files={"file": ("feed.csv", feed)},
                               data={"all_or_nothing": "false", "_csrf_token": csrf_token(index.text)})
    assert response.status_code == 303
    drain("imports")
    report = await page.get(response.headers["location"])
    assert "1 imported, 1 rejected of 2 rows" in report.text
    assert "<td>3</td><td>title</td>" in report.text
    assert 'http-equiv="refresh"' not in report.text
    wrong = await page.post("/vendor/imports/", files={"file": ("feed.pdf", b"%PDF")},
                            data={"_csrf_token": csrf_token(index.text), "all_or_nothing": "false"})
    assert wrong.status_code == 400 and "neither a CSV" in error_beside(wrong.text, "file")
    assert form_fields(wrong.text, "/vendor/imports")["all_or_nothing"] == "false"  # the mode chosen is kept


async def test_the_template_downloads(client):
    response = await client.get("/static/vendors/listings-template.csv")
    assert response.status_code == 200
    assert response.text.startswith("sku,title,base_price,currency,tax_rate")


async def test_the_listing_form_sets_and_clears_the_tax_rate(world, browser):
    # given the form, which offers an optional tax rate and says what empty means
    page = await browser(world.vendor_admin)
    form = await page.get("/vendor/listings/new")
    assert "Tax rate (%)" in form.text and "marketplace&#39;s default rate" in form.text
    token = csrf_token(form.text)
    # a wrong rate re-renders the form naming the field
    bad = await page.post("/vendor/listings/", data={**FORM, "tax_rate": "101", "_csrf_token": token})
    assert bad.status_code == 400
    assert "Tax rate must be a percentage from 0 to 100" in error_beside(bad.text, "tax_rate")
    # when the vendor saves 7.5 %, the edit page shows it
    created = await page.post("/vendor/listings/", data={**FORM, "tax_rate": "7.5", "_csrf_token": token})
    assert created.status_code == 303
    edit = await page.get(created.headers["location"])
    assert 'name="tax_rate" type="text" value="7.50"' in edit.text
    # when they empty the field, the listing takes the marketplace's default again
    listing_id = (await Listing.select(Listing.id).first())["id"]
    saved = await page.post(f"/vendor/listings/{listing_id}", data={**FORM, "tax_rate": "",
                                                                   "_csrf_token": csrf_token(edit.text)})
    assert saved.status_code == 303
    assert (await Listing.select(Listing.tax_rate).first())["tax_rate"] is None
