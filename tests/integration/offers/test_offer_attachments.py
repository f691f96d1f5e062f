"""Files on offers: the vendor attaches them while bidding is open; sealed like the prices (the buyer sees
neither files nor names before the close and downloads them after); a competitor never reaches them."""

import pytest

from app.offers.tables import OfferAttachment
from app.rfq.attachments import directory
from app.rfq.states import RfqStatus
from tests.support.fixtures import csrf_token
from tests.support.offers import offer_body, set_status

PDF = b"%PDF-1.7\n% our quotation, signed\n"


async def upload(client, offer_id: int, name: str = "quotation-acme.pdf", content: bytes = PDF):
    return await client.post(f"/api/v1/offers/{offer_id}/attachments",
                             files={"file": (name, content, "application/pdf")})


@pytest.fixture
async def offered(bidding, api):
    a = await api(bidding.seller_a)
    b = await api(bidding.seller_b)
    offer_a = (await a.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.09", "0.50"))).json()["id"]
    offer_b = (await b.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers",
                            json=offer_body(bidding.lines, "0.08"))).json()["id"]
    return bidding, a, b, offer_a, offer_b


async def test_a_vendor_attaches_files_listed_with_the_revision_they_were_added_in(offered):
    bidding, a, _, offer_a, _ = offered
    # when the vendor attaches a file, revises, and attaches another
    first = await upload(a, offer_a)
    await a.put(f"/api/v1/offers/{offer_a}", json=offer_body(bidding.lines, "0.085", "0.50"))
    second = await upload(a, offer_a, "datasheet.txt", b"EN 455 certified\n")
    # then both are stored outside the database and listed with their revision
    assert first.status_code == 201, first.text
    assert (first.json()["filename"], first.json()["revision_number"], first.json()["size"]) == (
        "quotation-acme.pdf", 1, len(PDF))
    assert second.json()["revision_number"] == 2
    stored = await OfferAttachment.select(OfferAttachment.stored_name).order_by(OfferAttachment.id)
    assert (directory() / stored[0]["stored_name"]).read_bytes() == PDF
    listed = (await a.get(f"/api/v1/offers/{offer_a}/attachments")).json()
    assert [(f["filename"], f["revision_number"]) for f in listed] == [("quotation-acme.pdf", 1), ("datasheet.txt", 2)]
    download = await a.get(f"/api/v1/offers/{offer_a}/attachments/{first.json()['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_sealed_before_the_close_and_downloadable_by_the_buyer_after(offered, api, browser, world):
    bidding, a, _, offer_a, _ = offered
    attachment = (await upload(a, offer_a, "secret-terms.pdf")).json()
    files_path = f"/api/v1/offers/{offer_a}/attachments"
    file_path = f"{files_path}/{attachment['id']}"
    buyer_api = await api(world.purchaser)
    buyer_pages = await browser(world.purchaser)
    # before the close: no list, no file, no name anywhere the buyer looks
    assert (await buyer_api.get(files_path)).status_code == 404
    assert (await buyer_api.get(file_path)).status_code == 404
    assert (await buyer_pages.get(f"/offers/{offer_a}/attachments/{attachment['id']}")).status_code == 404
    for client, url in ((buyer_pages, f"/rfqs/{bidding.rfq_id}/comparison"), (buyer_pages, f"/rfqs/{bidding.rfq_id}"),
                        (buyer_api, f"/api/v1/rfqs/{bidding.rfq_id}/offers"),
                        (buyer_api, f"/api/v1/rfqs/{bidding.rfq_id}")):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert "secret-terms" not in response.text, url
    # after the close: listed, linked from the comparison page, downloadable
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    assert [f["filename"] for f in (await buyer_api.get(files_path)).json()] == ["secret-terms.pdf"]
    assert (await buyer_api.get(file_path)).content == PDF
    comparison = await buyer_pages.get(f"/rfqs/{bidding.rfq_id}/comparison")
    link = f'href="/offers/{offer_a}/attachments/{attachment["id"]}"'
    assert link in comparison.text and "secret-terms.pdf" in comparison.text
    assert (await buyer_pages.get(f"/offers/{offer_a}/attachments/{attachment['id']}")).content == PDF
    negotiation = await buyer_pages.get(f"/rfqs/{bidding.rfq_id}/offers/{offer_a}/negotiation")
    assert link in negotiation.text
    # another buyer never
    other = await api(world.other_buyer_admin)
    assert (await other.get(files_path)).status_code == 404 and (await other.get(file_path)).status_code == 404


async def test_a_competitor_never_reaches_the_files_before_or_after_the_close(offered, browser):
    bidding, a, b, offer_a, _ = offered
    attachment = (await upload(a, offer_a, "secret-terms.pdf")).json()
    rival_pages = await browser(bidding.seller_b)
    for status in (RfqStatus.PUBLISHED, RfqStatus.CLOSED, RfqStatus.AWARDED):
        await set_status(bidding.rfq_id, status)
        assert (await b.get(f"/api/v1/offers/{offer_a}/attachments")).status_code == 404
        assert (await b.get(f"/api/v1/offers/{offer_a}/attachments/{attachment['id']}")).status_code == 404
        assert (await rival_pages.get(f"/offers/{offer_a}/attachments/{attachment['id']}")).status_code == 404
        assert "secret-terms" not in (await rival_pages.get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    await set_status(bidding.rfq_id, RfqStatus.PUBLISHED)
    assert (await upload(b, offer_a)).status_code == 404
    assert await OfferAttachment.count() == 1


async def test_refused_files_and_late_uploads_store_nothing(offered):
    bidding, a, _, offer_a, _ = offered
    before = set(directory().glob("*")) if directory().exists() else set()
    bad = await upload(a, offer_a, "quotation.pdf", b"<script>alert(1)</script>")
    assert bad.status_code == 400 and "not a .pdf file" in bad.json()["detail"]
    assert (await upload(a, offer_a, "tool.exe", b"MZ")).status_code == 400
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    late = await upload(a, offer_a)
    assert late.status_code == 409 and "Bidding closed" in late.json()["detail"]
    assert await OfferAttachment.count() == 0
    assert (set(directory().glob("*")) if directory().exists() else set()) == before


async def test_a_withdrawn_offer_takes_no_files(offered):
    _, a, _, offer_a, _ = offered
    await a.post(f"/api/v1/offers/{offer_a}/withdraw")
    response = await upload(a, offer_a)
    assert response.status_code == 409 and "withdrawn" in response.json()["detail"]
    assert await OfferAttachment.count() == 0


async def test_the_vendor_attaches_through_its_rfq_page(offered, browser):
    bidding, *_ = offered
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert f'action="/vendor/rfqs/{bidding.rfq_id}/attachments"' in page.text
    response = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/attachments",
                                 data={"_csrf_token": csrf_token(page.text)},
                                 files={"file": ("spec-sheet.pdf", PDF, "application/pdf")})
    assert response.status_code == 303, response.text
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert "The file is attached to your offer." in page.text
    assert "spec-sheet.pdf" in page.text and "added with revision 1" in page.text
    refused = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/attachments",
                                data={"_csrf_token": csrf_token(page.text)},
                                files={"file": ("notes.txt", b"\xff\xfe", "text/plain")})
    assert refused.status_code == 400 and "UTF-8" in refused.text
    assert await OfferAttachment.count() == 1


async def test_the_attachment_endpoints_are_in_the_openapi_schema(client):
    paths = (await client.get("/api/schema/openapi.json")).json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/offers/{offer_id}/attachments"])
    assert "get" in paths["/api/v1/offers/{offer_id}/attachments/{attachment_id}"]
    assert "get" in paths["/api/v1/inbox"]
    assert not any(path.startswith("/offers/") or ("negotiation" in path and not path.startswith("/api"))
                   for path in paths)
