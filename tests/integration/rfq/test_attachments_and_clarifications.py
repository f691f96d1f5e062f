"""Attachments reach only those allowed to see the RFQ; clarifications stay private or are published
to every vendor without naming who asked."""

from __future__ import annotations

import pytest

from app.notifications.tables import OutboxEmail
from app.rfq.attachments import directory
from app.rfq.tables import RfqAttachment, RfqClarification
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.pages import error_beside, form_fields
from tests.support.rfq import a_draft, a_published, emails_to, new_form

PDF = b"%PDF-1.7\n% the tender specification\n"


@pytest.fixture
async def purchaser(world, api):
    return await api(world.purchaser)


async def attach(client, rfq_id: int, name: str = "spec.pdf", content: bytes = PDF):
    return await client.post(f"/api/v1/rfqs/{rfq_id}/attachments", files={"file": (name, content, "application/pdf")})


async def test_a_buyer_attaches_a_file_that_invited_vendors_can_download(world, purchaser, api):
    # given
    rfq = await a_draft(purchaser, world)
    # when
    response = await attach(purchaser, rfq["id"])
    # then
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert (attachment["filename"], attachment["size"]) == ("spec.pdf", len(PDF))
    stored = await RfqAttachment.select(RfqAttachment.stored_name).first()
    assert (directory() / stored["stored_name"]).read_bytes() == PDF
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish")
    vendor = await api(world.vendor_admin)
    view = (await vendor.get(f"/api/v1/rfqs/{rfq['id']}")).json()
    assert [a["filename"] for a in view["attachments"]] == ["spec.pdf"]
    download = await vendor.get(f"/api/v1/rfqs/{rfq['id']}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "attachment" in download.headers["content-disposition"]


async def test_attachments_are_404_for_anyone_not_allowed_to_see_the_rfq(world, purchaser, api):
    rfq = await a_draft(purchaser, world)
    attachment = (await attach(purchaser, rfq["id"])).json()
    path = f"/api/v1/rfqs/{rfq['id']}/attachments/{attachment['id']}"
    invited_vendor = await api(world.vendor_admin)
    assert (await invited_vendor.get(path)).status_code == 404  # still a draft
    stranger_vendor = await api(await make_user((await make_company("vendor")).id, "vendor_admin"))
    other_buyer = await api(world.other_buyer_admin)
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish")
    for client in (stranger_vendor, other_buyer):
        assert (await client.get(path)).status_code == 404
    other_rfq = await a_draft(purchaser, world)
    assert (await purchaser.get(f"/api/v1/rfqs/{other_rfq['id']}/attachments/{attachment['id']}")).status_code == 404


async def test_a_refused_file_is_a_400_and_nothing_is_stored(world, purchaser):
    rfq = await a_draft(purchaser, world)
    before = set(directory().glob("*")) if directory().exists() else set()
    response = await attach(purchaser, rfq["id"], "tender.pdf", b"<script>alert(1)</script>")
    assert response.status_code == 400
    assert "not a .pdf file" in response.json()["detail"]
    assert await RfqAttachment.count() == 0
    assert (set(directory().glob("*")) if directory().exists() else set()) == before


async def test_a_vendor_cannot_attach_and_a_closed_rfq_takes_no_files(world, purchaser, api):
    rfq = await a_published(purchaser, world)
    vendor = await api(world.vendor_admin)
    assert (await attach(vendor, rfq["id"])).status_code == 403
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/close")
    response = await attach(purchaser, rfq["id"])
    assert response.status_code == 409
    assert await RfqAttachment.count() == 0


async def test_the_buyer_attaches_through_the_page(world, browser):
    client = await browser(world.purchaser)
    api_rfq_page = await client.get("/rfqs/new")
    created = await client.post("/rfqs/new", data=new_form(csrf_token(api_rfq_page.text), world.vendor.id))
    rfq_path = created.headers["location"]
    detail = await client.get(rfq_path)
    response = await client.post(f"{rfq_path}/attachments", data={"_csrf_token": csrf_token(detail.text)},
                                 files={"file": ("spec.pdf", PDF, "application/pdf")})
    assert response.status_code == 303, response.text
    detail = await client.get(rfq_path)
    assert "spec.pdf" in detail.text
    attachment = await RfqAttachment.select(RfqAttachment.id).first()
    assert (await client.get(f"{rfq_path}/attachments/{attachment['id']}")).content == PDF


# --- clarifications -----------------------------------------------------------------------------


async def a_published_with_two_vendors(world, purchaser, api):
    rival = await make_company("vendor", name="Rival Supplies GmbH")
    rival_admin = await make_user(rival.id, "vendor_admin")
    rfq = await a_published(purchaser, world, vendor_ids=[world.vendor.id, rival.id])
    return rfq, await api(world.vendor_admin), await api(rival_admin), rival_admin


async def test_a_private_answer_reaches_only_the_vendor_who_asked(world, purchaser, api):
    # given
    rfq, vendor, rival, rival_admin = await a_published_with_two_vendors(world, purchaser, api)
    asked = await vendor.post(f"/api/v1/rfqs/{rfq['id']}/clarifications", json={"question": "Powder-free?"})
    assert asked.status_code == 201, asked.text
    assert [m["subject"] for m in await emails_to(world.purchaser)] == [f"New question on {rfq['title']}"]
    # when
    answered = await purchaser.post(
        f"/api/v1/rfqs/{rfq['id']}/clarifications/{asked.json()['id']}/answer", json={"answer": "Yes."}
    )
    # then
    assert answered.status_code == 200, answered.text
    assert (await vendor.get(f"/api/v1/rfqs/{rfq['id']}/clarifications")).json()[0]["answer"] == "Yes."
    assert (await rival.get(f"/api/v1/rfqs/{rfq['id']}/clarifications")).json() == []
    assert [m["subject"] for m in await emails_to(world.vendor_admin)][-1].startswith("Clarification")
    assert not [m for m in await emails_to(rival_admin) if m["subject"].startswith("Clarification")]


async def test_a_published_answer_reaches_every_vendor_without_naming_who_asked(world, purchaser, api):
    rfq, vendor, rival, rival_admin = await a_published_with_two_vendors(world, purchaser, api)
    asked = (await vendor.post(f"/api/v1/rfqs/{rfq['id']}/clarifications", json={"question": "Sizes?"})).json()
    buyer_view = (await purchaser.get(f"/api/v1/rfqs/{rfq['id']}/clarifications")).json()
    assert buyer_view[0]["vendor_name"] == world.vendor.name
    response = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/clarifications/{asked['id']}/answer",
                                    json={"answer": "S to XL.", "publish": True})
    assert response.status_code == 200
    seen_by_rival = await rival.get(f"/api/v1/rfqs/{rfq['id']}/clarifications")
    assert [(q["question"], q["answer"], q["mine"], q["vendor_name"]) for q in seen_by_rival.json()] == [
        ("Sizes?", "S to XL.", False, None)
    ]
    assert world.vendor.name not in seen_by_rival.text
    [mail] = [m for m in await emails_to(rival_admin) if m["subject"].startswith("Clarification")]
    assert world.vendor.name not in mail["body_text"]
    again = await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/clarifications/{asked['id']}/answer",
                                 json={"answer": "Changed my mind"})
    assert again.status_code == 409


async def test_only_vendors_the_rfq_is_meant_for_ask_and_only_while_bidding_is_open(world, purchaser, api):
    rfq = await a_draft(purchaser, world)
    vendor = await api(world.vendor_admin)
    path = f"/api/v1/rfqs/{rfq['id']}/clarifications"
    assert (await vendor.post(path, json={"question": "?"})).status_code == 404  # a draft
    stranger = await api(await make_user((await make_company("vendor")).id, "vendor_admin"))
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/publish")
    assert (await stranger.post(path, json={"question": "?"})).status_code == 404
    assert (await purchaser.post(path, json={"question": "?"})).status_code == 404
    await purchaser.post(f"/api/v1/rfqs/{rfq['id']}/close")
    response = await vendor.post(path, json={"question": "Too late?"})
    assert response.status_code == 409
    assert await RfqClarification.count() == 0
    assert await OutboxEmail.count().where(OutboxEmail.subject.like("New question%")) == 0


@pytest.mark.parametrize(("name", "expected"), [("list.csv", "text/csv; charset=utf-8"),
                                                ("note.txt", "text/plain; charset=utf-8")])
async def test_a_text_attachment_names_its_charset_once(world, purchaser, name, expected):
    # given a text file attached to the buyer's draft
    rfq = await a_draft(purchaser, world)
    attachment = (await attach(purchaser, rfq["id"], name, b"sku,qty\nA-1,5\n")).json()
    # when it is downloaded
    download = await purchaser.get(f"/api/v1/rfqs/{rfq['id']}/attachments/{attachment['id']}")
    # then its type is exactly the stored one, with one charset
    assert download.status_code == 200
    assert download.headers["content-type"] == expected


async def test_an_answer_on_the_page_is_checked_beside_its_question_and_kept(world, purchaser, api, browser):
    rfq, vendor, _, _ = await a_published_with_two_vendors(world, purchaser, api)
    asked = (await vendor.post(f"/api/v1/rfqs/{rfq['id']}/clarifications", json={"question": "Sizes?"})).json()
    client = await browser(world.purchaser)
    page = await client.get(f"/rfqs/{rfq['id']}")
    action, field = f"/rfqs/{rfq['id']}/clarifications/{asked['id']}/answer", f"answer-{asked['id']}"
    # an answer past the bound the API has (the page skipped it) is refused beside it, kept whole and the box ticked
    long = await client.post(action, data={"_csrf_token": csrf_token(page.text), "answer": "a" * 8001,
                                           "publish": "on"})
    assert long.status_code == 400 and error_beside(long.text, field) == "Answer: must be at most 8,000 characters"
    kept = form_fields(long.text, action)
    assert kept["answer"] == "a" * 8001 and kept["publish"] == "on"
    blank = await client.post(action, data={"_csrf_token": csrf_token(page.text), "answer": "  "})
    assert blank.status_code == 400
    assert error_beside(blank.text, field) == "Answer: write the answer to the vendor's question."
    assert (await RfqClarification.select(RfqClarification.answered_at).first())["answered_at"] is None
