"""Every write an operator makes in the back office (piccolo-admin) is in the audit log: who, which table and row,
the row before and after; a refused write leaves nothing, a write that cannot be logged is undone, and the log
itself cannot be changed there."""

import httpx
import pytest

from app.back_office_audit import BackOfficeAudit
from app.catalog.tables import CurationEvent, Listing, PriceList, PriceListEntry, Product, SegmentMember
from app.clock import utcnow
from app.curation import events
from tests.support.catalog import a_listing, a_price_list, a_product, a_segment
from tests.support.curation import back_office, back_office_entries
from tests.support.parties import user_id


async def test_a_product_edit_is_logged_with_the_operator_and_the_row_before_and_after(world, browser, api):
    # given an active product that is not featured
    product = await a_product("Blue pen", status="active", featured=False)
    session = await back_office(browser, world.operator)
    # when an operator deactivates and features it in the back office
    response = await session.patch(f"/admin/api/tables/product/{product}/",
                                   json={"status": "inactive", "featured": True})
    assert response.status_code == 200, response.text
    # then the log has one entry: the operator, the product, its row before and after
    [entry] = await back_office_entries()
    assert entry["action"] == "back_office.update"
    assert entry["actor"] == await user_id(world.operator)
    assert (entry["product"], entry["listing"]) == (product, None)
    details = entry["details"]
    assert (details["table"], details["row"]) == ("product", product)
    assert details["changes"] == {"status": {"before": "active", "after": "inactive"},
                                  "featured": {"before": False, "after": True}}
    assert details["before"]["name"] == details["after"]["name"] == "Blue pen"
    assert (details["before"]["status"], details["after"]["status"]) == ("active", "inactive")
    # and it is listed with the curation log
    operator = await api(world.operator)
    listed = (await operator.get("/api/v1/curation/events", params={"product": product})).json()
    assert [(item["action"], item["actor_email"]) for item in listed["items"]] == [
        ("back_office.update", world.operator)]
    assert listed["items"][0]["details"]["changes"]["featured"] == {"before": False, "after": True}
    page = await session.get("/operator/curation/events", params={"product": product})
    assert page.status_code == 200 and "back_office.update" in page.text and "featured: False → True" in page.text


async def test_segment_members_added_and_removed_are_logged(world, browser):
    # given a segment
    segment = await a_segment("Schools")
    session = await back_office(browser, world.operator)
    # when an operator adds a buyer to it and then removes it
    added = await session.post("/admin/api/tables/segment_member/", json={"company": world.buyer.id,
                                                                           "segment": segment})
    assert added.status_code == 201, added.text
    [member] = await SegmentMember.select(SegmentMember.id)
    removed = await session.delete(f"/admin/api/tables/segment_member/{member['id']}/")
    assert removed.status_code == 204, removed.text
    # then there is one entry for each: the new row after its creation, the old row before its removal
    created, deleted = await back_office_entries()
    row = {"id": member["id"], "company": world.buyer.id, "segment": segment}
    assert (created["action"], created["details"]) == (
        "back_office.create", {"table": "segment_member", "row": member["id"], "before": None, "after": row})
    assert (deleted["action"], deleted["details"]) == (
        "back_office.delete", {"table": "segment_member", "row": member["id"], "before": row, "after": None})
    assert created["actor"] == deleted["actor"] == await user_id(world.operator)


async def test_price_changes_and_new_price_lists_are_logged(world, browser):
    # given a price list with one entry at 9.50
    segment = await a_segment("Schools")
    listing = await a_listing(world.vendor.id, None, "B-1")
    price_list = await a_price_list([(listing, 1, "9.50")], segment=segment)
    [entry_row] = await PriceListEntry.select(PriceListEntry.id)
    session = await back_office(browser, world.operator)
    # when an operator changes the price, and creates another price list
    priced = await session.patch(f"/admin/api/tables/price_list_entry/{entry_row['id']}/", json={"unit_price": 85000})
    assert priced.status_code == 200, priced.text
    made = await session.post("/admin/api/tables/price_list/", json={
        "name": "Schools 2027", "segment": segment, "company": None, "currency": "EUR",
        "created_at": utcnow().isoformat()})
    assert made.status_code == 201, made.text
    # then the price change is logged with the price before and after, and the new list with its row
    changed, created = await back_office_entries()
    assert changed["details"]["changes"] == {"unit_price": {"before": 95000, "after": 85000}}
    assert (changed["details"]["table"], changed["details"]["row"]) == ("price_list_entry", entry_row["id"])
    [new_list] = await PriceList.select(PriceList.id).where(PriceList.id != price_list)
    assert created["action"] == "back_office.create"
    assert (created["details"]["table"], created["details"]["row"]) == ("price_list", new_list["id"])
    assert created["details"]["before"] is None
    assert created["details"]["after"]["name"] == "Schools 2027" and created["details"]["after"]["segment"] == segment


async def test_a_rejection_reason_and_a_deleted_listing_are_logged(world, browser):
    # given a rejected listing with a volume price and a price list entry
    segment = await a_segment("Schools")
    listing = await a_listing(world.vendor.id, None, "B-1", status="rejected", tiers=[(10, "9.00")])
    await a_price_list([(listing, 1, "9.50")], segment=segment)
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/listing/{listing}/"
    # when an operator changes its rejection reason
    reworded = await session.patch(url, json={"rejection_reason": "No GTIN"})
    assert reworded.status_code == 200, reworded.text
    # then the entry is linked to the listing and shows the reason before and after
    [entry] = await back_office_entries()
    assert entry["listing"] == listing
    assert entry["details"]["changes"]["rejection_reason"] == {"before": "", "after": "No GTIN"}
    # when the operator deletes the listing
    deleted = await session.delete(url)
    assert deleted.status_code == 204, deleted.text
    # then its entry keeps the row before, and the rows the delete took with it
    _, gone = await back_office_entries()
    assert gone["action"] == "back_office.delete" and gone["listing"] is None  # the row is gone; its id stays
    assert (gone["details"]["row"], gone["details"]["before"]["sku"], gone["details"]["after"]) == (listing, "B-1",
                                                                                                   None)
    assert gone["details"]["before"]["rejection_reason"] == "No GTIN"
    cascaded = {item["table"]: (item["count"], [row["unit_price"] for row in item["rows"]])
                for item in gone["details"]["cascaded"]}
    assert cascaded == {"listing_tier": (1, [90000]), "price_list_entry": (1, [95000])}
    assert await Listing.count() == 0 and await PriceListEntry.count() == 0


async def test_a_bulk_delete_logs_each_row(world, browser):
    # given three products
    products = [await a_product(name) for name in ("Blue pen", "Red pen", "Green pen")]
    session = await back_office(browser, world.operator)
    # when an operator deletes two of them from the list (piccolo-admin deletes the selected rows one by one)
    for product in products[:2]:
        assert (await session.delete(f"/admin/api/tables/product/{product}/")).status_code == 204
    # then there is one entry per row, each with its row before
    entries = await back_office_entries()
    assert [(e["action"], e["details"]["row"], e["details"]["before"]["name"]) for e in entries] == [
        ("back_office.delete", products[0], "Blue pen"), ("back_office.delete", products[1], "Red pen")]
    # and a delete of the whole list by filter, which the log could not itemize, is refused
    by_filter = await session.delete("/admin/api/tables/product/", params={"name": "Green pen"})
    assert by_filter.status_code == 405
    assert await Product.select(Product.id) == [{"id": products[2]}]
    assert len(await back_office_entries()) == 2


async def test_refused_and_empty_writes_leave_no_entry(world, browser):
    # given a segment with a member, and a product
    segment = await a_segment("Schools", members=[world.buyer.id])
    product = await a_product("Blue pen")
    session = await back_office(browser, world.operator)
    # when the back office refuses writes: its validator (422), a read-only table (403), a bad value (422), the
    # database (422: a segment with members), a row that does not exist (404), a forged CSRF token (403)
    refused = [
        await session.post("/admin/api/tables/price_list/", json={
            "name": "Both", "segment": segment, "company": world.buyer.id, "currency": "EUR",
            "created_at": utcnow().isoformat()}),
        await session.post("/admin/api/tables/segment_rule/", json={
            "segment": segment, "effect": "deny", "target": "product", "target_id": product,
            "created_at": utcnow().isoformat()}),
        await session.patch(f"/admin/api/tables/product/{product}/", json={"featured": "very"}),
        await session.delete(f"/admin/api/tables/segment/{segment}/"),
        await session.patch("/admin/api/tables/product/999999/", json={"featured": True}),
        await session.patch(f"/admin/api/tables/product/{product}/", json={"featured": True},
                            headers={"X-CSRFToken": "forged"}),
    ]
    assert [r.status_code for r in refused] == [422, 403, 422, 422, 404, 403], [r.text for r in refused]
    # and a save that changes nothing
    row = (await session.get(f"/admin/api/tables/product/{product}/")).json()
    unchanged = await session.patch(f"/admin/api/tables/product/{product}/", json={"name": row["name"]})
    assert unchanged.status_code == 200
    # then nothing is logged, and nothing changed
    assert await CurationEvent.count() == 0
    assert await PriceList.count() == 0 and await SegmentMember.count() == 1
    assert (await Product.select(Product.featured).first())["featured"] is False


async def test_a_write_that_cannot_be_logged_is_undone(world, browser, monkeypatch):
    # given a product, and a log that fails to write
    product = await a_product("Blue pen")
    session = await back_office(browser, world.operator)

    async def broken(*entries):
        raise RuntimeError("disk full")

    monkeypatch.setattr(events, "record", broken)
    # when an operator features the product
    response = await session.patch(f"/admin/api/tables/product/{product}/", json={"featured": True})
    # then the operator hears that it was not saved, and it was not
    assert response.status_code == 500 and "not saved" in response.json()["detail"]
    assert (await Product.select(Product.featured).first())["featured"] is False


async def test_the_back_office_log_cannot_be_edited_or_erased_there(world, browser):
    # given a back-office entry
    product = await a_product("Blue pen")
    session = await back_office(browser, world.operator)
    assert (await session.patch(f"/admin/api/tables/product/{product}/", json={"featured": True})).status_code == 200
    [entry] = await back_office_entries()
    url = f"/admin/api/tables/curation_event/{entry['id']}/"
    # when an operator tries to edit or delete it
    attempts = [await session.patch(url, json={"action": "back_office.nothing"}),
                await session.put(url, json={"action": "back_office.nothing", "details": "{}"}),
                await session.delete(url)]
    # then each is refused, the entry is as it was, and the attempts themselves add nothing
    assert [r.status_code for r in attempts] == [403, 403, 403]
    assert await back_office_entries() == [entry]


async def test_an_operators_password_change_is_logged_without_the_password(world, browser):
    session = await back_office(browser, world.operator)
    change = {"current_password": "correct-horse-battery", "new_password": "another-horse-battery",
              "confirm_new_password": "another-horse-battery"}
    # a wrong current password changes and logs nothing
    wrong = await session.post("/admin/api/change-password/", json={**change, "current_password": "nope"})
    assert wrong.status_code == 422 and await CurationEvent.count() == 0
    # the right one changes it (and signs the operator out), logged without the password's hash
    changed = await session.post("/admin/api/change-password/", json=change)
    assert changed.status_code == 303, changed.text
    [entry] = await back_office_entries()
    operator = await user_id(world.operator)
    assert (entry["actor"], entry["details"]["table"], entry["details"]["row"]) == (operator, "piccolo_user", operator)
    assert entry["details"]["secrets_changed"] == ["password"]
    assert "password" not in entry["details"]["before"] and "password" not in entry["details"]["after"]


@pytest.mark.parametrize("path", ["/api/forms/discount/", "/api/mfa-setup/"])
async def test_other_writes_are_logged_as_submitted_or_refused(world, browser, path):
    # given the audit around a back office that accepts any write
    reached = []

    async def back_office_app(scope, receive, send):
        reached.append(scope["path"])
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    audited = BackOfficeAudit(back_office_app, tables=[])
    signed_in = await browser(world.operator)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=audited), base_url="http://testserver",
                                 cookies={"id": signed_in.cookies["id"]}) as client:
        # when an operator submits a form, or writes somewhere the log knows nothing of
        response = await client.post(path, json={"percent": 5, "password": "hunter2"})
    if path.startswith("/api/forms/"):
        # then a form is logged as submitted (a form's own service logs what it changes), secrets hidden
        assert response.status_code == 200
        [entry] = await back_office_entries()
        assert (entry["action"], entry["actor"]) == ("back_office.form", await user_id(world.operator))
        assert entry["details"] == {"form": "discount", "data": {"percent": 5, "password": "(hidden)"}}
    else:
        # and anything else is refused before it reaches the back office
        assert response.status_code == 405 and reached == []
        assert await CurationEvent.count() == 0
