"""Input past a limit never loses the user's work: the RFQ form shows its limits, a too-long text is read and the
form comes back with every field kept; a file past its limit gets a page that names the limit and links back; the
API keeps answering JSON."""

from __future__ import annotations

from app.rfq import attachments, rules
from app.rfq.forms import MAX_FORM_BYTES
from app.rfq.tables import Rfq, RfqAttachment
from tests.support.fixtures import csrf_token
from tests.support.rfq import a_draft, body, new_form

MB = 1024 * 1024


async def test_the_new_rfq_form_shows_and_enforces_its_limits(world, browser):
    # given
    client = await browser(world.purchaser)
    # when
    page = await client.get("/rfqs/new")
    # then the browser enforces the schema's limits and the user reads them beside the fields
    assert f'name="description" maxlength="{rules.MAX_DESCRIPTION}"' in page.text
    assert "up to 20,000 characters" in page.text
    assert f'name="title" required maxlength="{rules.MAX_TITLE}"' in page.text
    assert f'name="line1_notes" maxlength="{rules.MAX_LINE_TEXT}"' in page.text


async def test_a_too_long_description_comes_back_with_the_limit_and_every_field_kept(world, browser):
    # given
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    # when
    response = await client.post("/rfqs/new", data=new_form(
        csrf_token(page.text), world.vendor.id, title="Kept title", description="d" * 30_000))
    # then
    assert response.status_code == 400
    assert "Description: must be at most 20,000 characters" in response.text
    assert 'value="Kept title"' in response.text
    assert 'value="A4 paper 80g"' in response.text and 'value="200"' in response.text
    assert "d" * 30_000 in response.text
    assert "up to 20,000 characters" in response.text  # the limit, beside the field
    assert await Rfq.count() == 0


async def test_a_ten_megabyte_description_is_read_and_refused_by_the_form_keeping_its_fields(world, browser):
    # given a description pasted by mistake: ten megabytes, past the app's default body limit
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    # when
    response = await client.post("/rfqs/new", data=new_form(
        csrf_token(page.text), world.vendor.id, title="Kept title", description="d" * (10 * MB)))
    # then the form comes back, not a bare 413
    assert response.status_code == 400
    assert "Description: must be at most 20,000 characters" in response.text
    assert 'value="Kept title"' in response.text and 'value="A4 paper 80g"' in response.text
    assert await Rfq.count() == 0


async def test_a_form_past_the_page_limit_gets_a_page_naming_the_limit(world, browser):
    # given
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    # when
    response = await client.post(
        "/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id, description="d" * (MAX_FORM_BYTES + 1)),
        headers={"referer": "http://testserver/rfqs/new"})
    # then
    assert response.status_code == 413
    assert f"{MAX_FORM_BYTES // MB} MB" in response.text
    assert 'href="/rfqs/new"' in response.text


async def test_an_attachment_past_its_limit_gets_a_page_naming_the_limit_and_linking_back(world, browser, api):
    # given
    rfq = await a_draft(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    page = await client.get(f"/rfqs/{rfq['id']}")
    # then the file input says its limit and the types it takes
    assert 'accept=".csv,.docx,.jpeg,.jpg,.pdf,.png,.txt,.xlsx"' in page.text
    assert "up to 10 MB" in page.text
    # when an 11 MB file is sent
    response = await client.post(
        f"/rfqs/{rfq['id']}/attachments", data={"_csrf_token": csrf_token(page.text)},
        files={"file": ("spec.pdf", b"%PDF-" + b"x" * (11 * MB), "application/pdf")},
        headers={"referer": f"http://testserver/rfqs/{rfq['id']}"})
    # then
    assert response.status_code == 413
    assert "10 MB" in response.text
    assert f'href="/rfqs/{rfq["id"]}"' in response.text
    assert await RfqAttachment.count() == 0


async def test_an_attachment_of_exactly_the_limit_is_attached(world, browser, api):
    # given a file of the size the rule allows (10 MiB, past the app's default 10,000,000-byte body limit)
    rfq = await a_draft(await api(world.purchaser), world)
    client = await browser(world.purchaser)
    page = await client.get(f"/rfqs/{rfq['id']}")
    # when
    response = await client.post(
        f"/rfqs/{rfq['id']}/attachments", data={"_csrf_token": csrf_token(page.text)},
        files={"file": ("spec.pdf", b"%PDF-" + b"x" * (attachments.MAX_BYTES - 5), "application/pdf")})
    # then
    assert response.status_code == 303, response.text[:500]
    assert await RfqAttachment.count() == 1


async def test_the_api_still_answers_json(world, api):
    # given
    client = await api(world.purchaser)
    rfq = await a_draft(client, world)
    # when
    upload = await client.post(f"/api/v1/rfqs/{rfq['id']}/attachments",
                               files={"file": ("spec.pdf", b"%PDF-" + b"x" * (11 * MB), "application/pdf")})
    long = await client.post("/api/v1/rfqs", json=body([world.vendor.id], description="d" * 30_000))
    # then
    assert upload.status_code == 413
    assert "10 MB" in upload.json()["detail"]
    assert long.status_code == 400
    assert "description must be at most 20000 characters long" in long.json()["detail"]
