"""The back office (piccolo-admin) cannot go around curation: a listing's status and product change only through
the curation flow, which checks and logs them; segment rules only through the segments pages and API, which log
them; and the curation log cannot be edited or erased. Other edits (a typo in a title) still go through."""

import pytest

from app.admin import listing_edit_leaves_status_and_product
from app.catalog.tables import CurationEvent, Listing, SegmentRule
from app.clock import utcnow
from tests.support.catalog import a_segment
from tests.support.curation import a_listing, a_product, back_office


async def listing_row(listing: int) -> dict:
    return await Listing.select(Listing.status, Listing.product, Listing.title).where(Listing.id == listing).first()


def refused(response, field: str | None = None) -> str:
    """The 4xx's message (the field's, when it names one, as piccolo-admin's form shows it)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    detail = response.json()["detail"]
    if field is None:
        assert isinstance(detail, str)
        return detail
    [error] = detail
    assert error["loc"][-1] == field
    return error["msg"]


# --- listings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("change", ["status and product", "status", "product"])
async def test_the_back_office_refuses_to_approve_or_match_a_listing(world, browser, method, change):
    # given a pending listing and a product
    product = await a_product("Blue pen")
    listing = await a_listing(world.vendor.id, "B-1", "Blue pen")
    session = await back_office(browser, world.operator)
    body = {"status": "approved", "product": product}
    if change != "status and product":
        body = {change: body[change]}
    # when an operator approves or matches it in the back office
    response = await session.request(method, f"/admin/api/tables/listing/{listing}/", json=body)
    # then it is refused with a pointer to the curation pages, the listing is unchanged and nothing is logged
    field = "status" if "status" in body else "product"
    assert "/operator/curation" in refused(response, field)
    assert await listing_row(listing) == {"status": "pending", "product": None, "title": "Blue pen"}
    assert await CurationEvent.count() == 0


async def test_the_back_office_refuses_to_take_a_listing_off_its_product(world, browser):
    # given an approved listing of a product
    product = await a_product("Blue pen")
    listing = await a_listing(world.vendor.id, "B-1", "Blue pen", status="approved", product=product)
    session = await back_office(browser, world.operator)
    # when an operator suspends it or clears its product in the back office
    for body, field in [({"status": "suspended"}, "status"), ({"product": None}, "product")]:
        response = await session.patch(f"/admin/api/tables/listing/{listing}/", json=body)
        # then each is refused and changes nothing
        assert "curation" in refused(response, field), body
    assert await listing_row(listing) == {"status": "approved", "product": product, "title": "Blue pen"}


async def test_the_back_office_still_fixes_a_typo_in_a_listing_title_with_the_whole_form(world, browser):
    # given an approved listing whose title has a typo
    product = await a_product("Blue pen")
    listing = await a_listing(world.vendor.id, "B-1", "Bleu pen", status="approved", product=product)
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/listing/{listing}/"
    # when an operator saves the edit form, which sends every field back (status and product unchanged)
    form = (await session.get(url)).json()
    form.pop("id")
    form["title"] = "Blue pen"
    response = await session.patch(url, json=form)
    # then the title is fixed and the rest is as it was
    assert response.status_code == 200, response.text
    assert await listing_row(listing) == {"status": "approved", "product": product, "title": "Blue pen"}
    # and so does a PATCH of the title alone
    renamed = await session.patch(url, json={"title": "Blue ballpoint pen"})
    assert renamed.status_code == 200, renamed.text
    assert (await listing_row(listing))["title"] == "Blue ballpoint pen"


async def test_the_back_office_creates_listings_only_as_drafts_without_a_product(world, browser):
    product = await a_product("Blue pen")
    session = await back_office(browser, world.operator)
    defaults = (await session.get("/admin/api/tables/listing/new/")).json()  # what the "add row" form starts with

    def new_listing(**fields) -> dict:
        return {**defaults, "vendor": world.vendor.id, "sku": "N-1", "title": "New pen", "base_price": "1.00",
                "currency": "EUR", "created_at": utcnow().isoformat(), "updated_at": utcnow().isoformat(), **fields}

    # when an operator creates an approved listing, or one already matched to a product
    for fields, field in [({"status": "approved"}, "status"), ({"status": "pending"}, "status"),
                          ({"status": "draft", "product": product}, "product")]:
        response = await session.post("/admin/api/tables/listing/", json=new_listing(**fields))
        # then it is refused and nothing is written
        assert "/operator/curation" in refused(response, field), fields
    assert await Listing.count() == 0
    # and a draft without a product is fine (its vendor submits it, curation approves it)
    made = await session.post("/admin/api/tables/listing/", json=new_listing(status="draft"))
    assert made.status_code == 201, made.text
    assert await Listing.select(Listing.status, Listing.product) == [{"status": "draft", "product": None}]


def test_a_back_office_edit_never_writes_the_status_and_product_back():
    # given the values of an edit form that sends the status and product back unchanged
    sent = {Listing.title: "Blue pen", Listing.status: "pending", Listing.product: None, Listing.updated_at: None}
    # when the edit is about to be written
    written = listing_edit_leaves_status_and_product(1, sent)
    # then a curation change made since the form was loaded stays: only the title (and the edit time) are written
    assert set(written) == {Listing.title, Listing.updated_at}
    assert written[Listing.title] == "Blue pen" and written[Listing.updated_at] is not None


# --- the curation log ---------------------------------------------------------------------------


async def an_event() -> int:
    event = CurationEvent(action="listing.approved", details='{"changes": {}}', created_at=utcnow())
    await event.save()
    return event.id


async def test_the_back_office_cannot_erase_or_edit_the_curation_log(world, browser):
    # given an entry in the curation log
    event = await an_event()
    stored = await CurationEvent.select().where(CurationEvent.id == event)
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/curation_event/{event}/"
    # when an operator deletes it, edits it, or writes a new one
    attempts = [
        await session.delete(url),
        await session.patch(url, json={"action": "listing.rejected"}),
        await session.put(url, json={"action": "listing.rejected", "details": "{}"}),
        await session.post("/admin/api/tables/curation_event/", json={
            "action": "listing.approved", "details": "{}", "created_at": utcnow().isoformat()}),
        await session.delete("/admin/api/tables/curation_event/", params={"id": event}),
    ]
    # then each is refused and the log is as it was
    for response in attempts:
        assert 400 <= response.status_code < 500, (response.request.method, response.status_code, response.text)
    for response in attempts[:4]:
        assert "read-only" in refused(response)
    assert await CurationEvent.select().where(CurationEvent.id == event) == stored
    assert await CurationEvent.count() == 1
    # and it can still be read there
    listed = await session.get("/admin/api/tables/curation_event/")
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["rows"]] == [event]
    assert (await session.get(url)).status_code == 200


# --- segment rules ------------------------------------------------------------------------------


async def test_the_back_office_leaves_segment_rules_to_the_segments_pages(world, browser):
    # given a segment with a deny rule
    product = await a_product("Blue pen")
    other = await a_product("Red pen")
    segment = await a_segment("Schools", rules=[("deny", "product", product)])
    [rule] = await SegmentRule.select().where(SegmentRule.segment == segment)
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/segment_rule/{rule['id']}/"
    # when an operator adds, edits or deletes a rule in the back office
    attempts = [
        await session.post("/admin/api/tables/segment_rule/", json={
            "segment": segment, "effect": "deny", "target": "product", "target_id": other,
            "created_at": utcnow().isoformat()}),
        await session.patch(url, json={"effect": "allow"}),
        await session.put(url, json={"effect": "allow"}),
        await session.delete(url),
    ]
    # then each is refused with a pointer to where rules are changed (and logged), and nothing changed
    for response in attempts:
        assert "/operator/curation/segments" in refused(response), response.request.method
    assert await SegmentRule.select().where(SegmentRule.segment == segment) == [rule]
    assert await SegmentRule.count() == 1
    assert (await session.get("/admin/api/tables/segment_rule/")).status_code == 200
