"""A draft is never a dead end in the pages: its page says what it still needs before it can be published, and
"Edit draft" opens the new-RFQ form filled with the draft, saved through the same service as the API's PATCH."""

from __future__ import annotations

import re

from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.fixtures import csrf_token, make_company
from tests.support.rfq import a_draft


def edit_form(page: str) -> dict[str, list[str] | str]:
    """The values the edit page's form would send as it is (inputs, checked boxes and radios, textareas)."""
    form: dict[str, list[str] | str] = {"vendor_ids": []}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or 'type="file"' in tag:
            continue
        if ('type="checkbox"' in tag or 'type="radio"' in tag) and " checked" not in tag:
            continue
        if name.group(1) == "vendor_ids":
            form["vendor_ids"].append(value.group(1))  # type: ignore[union-attr]
        else:
            form[name.group(1)] = value.group(1) if value else "on"
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        form[name] = text
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.DOTALL):
        form[name] = re.search(r'<option value="([^"]+)" selected', options).group(1)  # type: ignore[union-attr]
    return form


async def test_a_draft_without_lines_says_what_it_needs_and_is_completed_through_the_edit_page(world, browser, api):
    # given a draft saved with no line and no vendor
    draft = await a_draft(await api(world.purchaser), world, lines=[], vendor_ids=[])
    client = await browser(world.purchaser)
    # when the buyer opens it
    detail = await client.get(f"/rfqs/{draft['id']}")
    # then it says what is missing, in the user's words, and offers no Publish button but "Edit draft"
    assert "add at least one line" in detail.text
    assert "invite at least one vendor, or make it open to every eligible vendor" in detail.text
    assert f'action="/rfqs/{draft["id"]}/publish"' not in detail.text
    assert f'href="/rfqs/{draft["id"]}/edit"' in detail.text
    # when publishing is tried all the same, the refusal names what is missing
    refused = await client.post(f"/rfqs/{draft['id']}/publish", data={
        "_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    assert refused.status_code == 409
    assert "cannot be published: add at least one line; invite at least one vendor" in refused.text
    # when the buyer edits the draft: a line and a vendor added
    page = await client.get(f"/rfqs/{draft['id']}/edit")
    assert page.status_code == 200
    form = edit_form(page.text)
    form.update({"line1_description": "Nitrile gloves size S", "line1_quantity": "300",
                 "vendor_ids": [str(world.vendor.id)]})
    saved = await client.post(f"/rfqs/{draft['id']}/edit", data=form)
    # then the draft is saved and can be published from its page
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"] == f"/rfqs/{draft['id']}"
    detail = await client.get(f"/rfqs/{draft['id']}")
    assert "add at least one line" not in detail.text
    assert f'action="/rfqs/{draft["id"]}/publish"' in detail.text
    published = await client.post(f"/rfqs/{draft['id']}/publish", data={
        "_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    assert published.status_code == 303
    assert (await Rfq.select(Rfq.status).where(Rfq.id == draft["id"]).first())["status"] == "published"


async def test_the_edit_page_is_the_new_rfq_form_filled_with_the_draft(world, browser, api):
    # given a draft with two lines, an auction, a description and an invited vendor
    draft = await a_draft(await api(world.purchaser), world, description="Powder-free, EN 455",
                          bidding_mode="auction", auction={"min_decrement": "0.50", "show_best_price": True,
                                                           "anti_snipe_minutes": 5, "max_extension_minutes": 30})
    client = await browser(world.purchaser)
    # when
    page = await client.get(f"/rfqs/{draft['id']}/edit")
    # then every field holds the draft's value
    form = edit_form(page.text)
    assert form["title"] == "Nitrile gloves 2027"
    assert form["description"] == "Powder-free, EN 455"
    assert form["currency"] == "EUR"
    assert form["deadline"] == draft["deadline"][:16]
    assert form["bidding_mode"] == "auction" and form["min_decrement"] == "0.50"
    assert form["show_best_price"] == "on" and form["anti_snipe_minutes"] == "5"
    assert (form["line1_description"], form["line1_quantity"], form["line1_unit"], form["line1_target_price"]) == (
        "Nitrile gloves size M", "1000", "box", "4.25")
    assert form["line2_description"] == "Nitrile gloves size L"
    assert form["vendor_ids"] == [str(world.vendor.id)]
    assert form["delivery_address"] == "Hospital Road 1, Berlin"
    # when it is saved unchanged
    saved = await client.post(f"/rfqs/{draft['id']}/edit", data=form)
    # then nothing is lost
    assert saved.status_code == 303, saved.text[:2000]
    after = (await (await api(world.purchaser)).get(f"/api/v1/rfqs/{draft['id']}")).json()
    for field in ("title", "description", "currency", "bidding_mode", "auction", "delivery_address"):
        assert after[field] == draft[field], field
    assert after["deadline"][:16] == draft["deadline"][:16]  # the form's field holds minutes
    assert [(line["description"], line["quantity"], line["target_price"]) for line in after["lines"]] == [
        (line["description"], line["quantity"], line["target_price"]) for line in draft["lines"]]


async def test_editing_a_draft_changes_its_invited_vendors(world, browser, api):
    # given a draft inviting one vendor
    other_vendor = await make_company("vendor")
    draft = await a_draft(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    form = edit_form((await client.get(f"/rfqs/{draft['id']}/edit")).text)
    # when the buyer unticks it and ticks another
    form["vendor_ids"] = [str(other_vendor.id)]
    saved = await client.post(f"/rfqs/{draft['id']}/edit", data=form)
    # then
    assert saved.status_code == 303, saved.text[:2000]
    invited = await RfqInvitation.select(RfqInvitation.vendor).where(RfqInvitation.rfq == draft["id"])
    assert [row["vendor"] for row in invited] == [other_vendor.id]


async def test_a_bad_edit_comes_back_with_the_error_and_the_draft_unchanged(world, browser, api):
    # given
    draft = await a_draft(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    form = edit_form((await client.get(f"/rfqs/{draft['id']}/edit")).text)
    # when
    form.update({"title": "A new title", "line1_quantity": "0"})
    response = await client.post(f"/rfqs/{draft['id']}/edit", data=form)
    # then
    assert response.status_code == 400
    assert "Line 1 — quantity: must be a whole number of at least 1" in response.text
    assert 'value="A new title"' in response.text
    assert (await Rfq.select(Rfq.title).where(Rfq.id == draft["id"]).first())["title"] == "Nitrile gloves 2027"
    assert await RfqLine.count() == 2


async def test_a_published_rfq_and_another_buyers_draft_cannot_be_edited(world, browser, api):
    # given
    purchaser = await api(world.purchaser)
    draft = await a_draft(purchaser, world)
    client = await browser(world.purchaser)
    form = edit_form((await client.get(f"/rfqs/{draft['id']}/edit")).text)
    # when another buyer tries
    other = await browser(world.other_buyer_admin)
    # then
    assert (await other.get(f"/rfqs/{draft['id']}/edit")).status_code == 404
    # when the draft is published
    await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")
    detail = await client.get(f"/rfqs/{draft['id']}")
    # then it offers no edit, and the edit page and a late save say why
    assert f'href="/rfqs/{draft["id"]}/edit"' not in detail.text
    assert (await client.get(f"/rfqs/{draft['id']}/edit")).status_code == 409
    late = await client.post(f"/rfqs/{draft['id']}/edit", data=form)
    assert late.status_code == 409
    assert "only a draft can be changed" in late.text


async def test_the_apis_patch_replaces_a_drafts_invited_vendors(world, api):
    # given
    other_vendor = await make_company("vendor")
    purchaser = await api(world.purchaser)
    draft = await a_draft(purchaser, world)
    # when
    response = await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"vendor_ids": [other_vendor.id]})
    emptied = await purchaser.patch(f"/api/v1/rfqs/{draft['id']}", json={"vendor_ids": []})
    # then
    assert response.status_code == 200, response.text
    assert [i["vendor_id"] for i in response.json()["invitations"]] == [other_vendor.id]
    assert emptied.json()["invitations"] == []
    refused = await purchaser.post(f"/api/v1/rfqs/{draft['id']}/publish")
    assert refused.status_code == 409
    assert "invite at least one vendor" in refused.json()["detail"]
