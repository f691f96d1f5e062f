"""The PDF and XLSX downloads, the pages of both sides, the OpenAPI schema."""

import io

import openpyxl
from piccolo.apps.user.tables import BaseUser
from pypdf import PdfReader

from app.accounts.tables import Membership
from app.rfq.tables import Rfq
from tests.support.catalog import a_listing
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside, form_fields


async def test_the_pdf_is_a_real_pdf_with_the_number_both_parties_and_every_line(awarded, api):
    response = await (await api(awarded.world.purchaser)).get(f"/api/v1/contracts/{awarded.contract_id}/document.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{awarded.number}.pdf"' in response.headers["content-disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert awarded.number in text
    for expected in ("Nitrile gloves M", "Hand gel, 1 litre bottles", "A-GLOVE", "8.00 EUR", "3.00 EUR",
                     awarded.world.buyer.name, awarded.world.vendor.name, "Net 60 days"):
        assert expected in text, expected


async def test_the_xlsx_has_the_terms_and_one_row_per_line(awarded, api):
    response = await (await api(awarded.world.vendor_admin)).get(
        f"/api/v1/contracts/{awarded.contract_id}/document.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in workbook["Contract"].iter_rows(values_only=True)]
    assert rows[0] == ["Contract", awarded.number] + [None] * (len(rows[0]) - 2)
    header = rows.index(next(r for r in rows if r and r[0] == "Line"))
    lines = [r for r in rows[header + 1:] if r[0] is not None]
    assert [(r[0], r[1], r[3], float(r[4]), r[8]) for r in lines] == [
        (1, "Nitrile gloves M", "A-GLOVE", 8.0, 1000),
        (2, "Hand gel, 1 litre bottles", "waiting for the vendor", 3.0, 40),
    ]
    versions = list(workbook["Versions"].iter_rows(values_only=True))
    assert [(r[0], r[1], r[4]) for r in versions[1:]] == [(1, "current", 1), (1, "current", 2)]
    # validity in the reader's zone with the zone named (the vendor reads English in UTC here), and the RFQ by its
    # title (and number when it has one), never by its id
    terms = {r[0]: r[1] for r in rows[:header] if r and r[0]}
    assert terms["Valid from"].endswith(" UTC") and terms["Valid from"] == versions[1][2]
    title = (await Rfq.select(Rfq.title).where(Rfq.id == awarded.rfq_id).first())["title"]
    assert terms["RFQ"].endswith(title) and not terms["RFQ"].startswith(f"{awarded.rfq_id}:")


async def test_the_xlsx_writes_validity_in_the_readers_zone(awarded, api):
    # given a vendor user who reads German in Berlin
    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == awarded.world.vendor_admin).first()
    await Membership.update({Membership.locale: "de_DE", Membership.time_zone: "Europe/Berlin"}).where(
        Membership.user == user["id"])
    response = await (await api(awarded.world.vendor_admin)).get(
        f"/api/v1/contracts/{awarded.contract_id}/document.xlsx")
    versions = list(openpyxl.load_workbook(io.BytesIO(response.content))["Versions"].iter_rows(values_only=True))
    # then each version's validity is written as that reader reads times, in Berlin's zone, named
    assert versions[1][2].endswith((" CET", " CEST")) and versions[1][3].endswith((" CET", " CEST"))


async def test_buyer_and_vendor_pages_and_the_vendor_links_by_sku(awarded, browser):
    world = awarded.world
    buyer = await browser(world.buyer_admin)
    listing = await buyer.get("/contracts")
    assert listing.status_code == 200 and awarded.number in listing.text
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Waiting for the vendor" in page.text and "Terminate contract" in page.text
    assert f"/rfqs/{awarded.rfq_id}" in page.text and "Version 1" in page.text
    # the vendor sees the link form and links its listing by SKU
    await a_listing(world.vendor.id, awarded.other_product, "A-GEL", "4.20", status="pending")
    vendor = await browser(world.vendor_admin)
    page = await vendor.get(f"/contracts/{awarded.contract_id}")
    assert "Link line 2" in page.text and "Terminate contract" not in page.text
    lines = (await vendor.get(f"/api/v1/contracts/{awarded.contract_id}")).status_code  # pages use cookies only
    assert lines == 401
    line_id = page.text.split("/lines/")[1].split("/link")[0]
    bad = await vendor.post(f"/contracts/{awarded.contract_id}/lines/{line_id}/link",
                            data={"sku": "NOPE", "_csrf_token": csrf_token(page.text)})
    assert bad.status_code == 400 and "no listing with SKU" in error_beside(bad.text, f"sku-{line_id}")
    assert form_fields(bad.text, f"/contracts/{awarded.contract_id}/lines/{line_id}/link")["sku"] == "NOPE"
    done = await vendor.post(f"/contracts/{awarded.contract_id}/lines/{line_id}/link",
                             data={"sku": "A-GEL", "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    assert "Waiting for the vendor" not in (await vendor.get(f"/contracts/{awarded.contract_id}")).text
    # the PDF downloads from the page too; another buyer gets 404
    assert (await vendor.get(f"/contracts/{awarded.contract_id}/document.pdf")).content.startswith(b"%PDF")
    other = await browser(world.other_buyer_admin)
    assert (await other.get(f"/contracts/{awarded.contract_id}")).status_code == 404


async def test_the_buyer_accepts_an_amendment_only_after_seeing_what_it_changes(awarded, browser, api):
    # given the vendor's proposed amendment: a lower price on the gloves
    seller = await api(awarded.world.vendor_admin)
    base = f"/api/v1/contracts/{awarded.contract_id}"
    gloves = (await seller.get(base)).json()["lines"][0]["id"]
    proposed = await seller.post(f"{base}/amendments", json={
        "lines": [{"line_id": gloves, "unit_price": "7.50"}], "note": "Annual volume discount"})
    assert proposed.status_code == 201, proposed.text
    buyer = await browser(awarded.world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Accept amendment…" in page.text
    # when the buyer presses "Accept amendment…"
    accept = f"/contracts/{awarded.contract_id}/amendments/2/accept"
    asked = await buyer.post(accept, data={"_csrf_token": csrf_token(page.text)})
    # then it is asked once more, with the new terms, and nothing changed yet
    assert asked.status_code == 200 and "Accept amendment 2 of contract" in asked.text
    assert "cannot be undone" in asked.text and "Annual volume discount" in asked.text
    assert form_fields(asked.text, accept) == {"confirmed": "yes", "_csrf_token": csrf_token(asked.text)}
    assert "Proposed amendment: version 2" in (await buyer.get(f"/contracts/{awarded.contract_id}")).text
    # and its "Yes" puts the amendment in force
    done = await buyer.post(accept, data={**form_fields(asked.text, accept), "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Proposed amendment: version 2" not in page.text
    assert (await seller.get(base)).json()["lines"][0]["unit_price"] == "7.5000"


async def test_the_buyer_terminates_and_proposes_from_the_page(awarded, browser):
    buyer = await browser(awarded.world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    action = f"/contracts/{awarded.contract_id}/amendments"
    fields = form_fields(page.text, action)
    price = next(key for key in fields if key.startswith("price_"))
    # a price and a date it cannot read and a note past its bound: each beside its field, at once, all kept
    wrong = await buyer.post(action, data={**fields, "valid_to": "31.01.2099", price: "4,20", "note": "n" * 2001})
    assert wrong.status_code == 400
    assert error_beside(wrong.text, "valid_to") == "New end date: a date like 2027-12-31."
    assert error_beside(wrong.text, price).startswith("Line 1, new unit price: ")
    assert error_beside(wrong.text, "note") == "Note: must be at most 2,000 characters (this one has 2,001)."
    kept = form_fields(wrong.text, action)
    assert (kept["valid_to"], kept[price], kept["note"]) == ("31.01.2099", "4,20", "n" * 2001)
    proposed = await buyer.post(f"/contracts/{awarded.contract_id}/amendments",
                                data={"valid_to": "2099-01-31", "note": "Longer", "_csrf_token": csrf_token(page.text)})
    assert proposed.status_code == 303
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Proposed amendment: version 2" in page.text and "Withdraw amendment" in page.text
    # withdrawing it first says what follows, and changes nothing yet
    reject = f"/contracts/{awarded.contract_id}/amendments/2/reject"
    asked = await buyer.post(reject, data={"note": "Changed our mind", "_csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "Withdraw amendment 2" in asked.text and "cannot be undone" in asked.text
    assert form_fields(asked.text, reject) == {"note": "Changed our mind", "confirmed": "yes",
                                               "_csrf_token": csrf_token(asked.text)}
    assert "Proposed amendment: version 2" in (await buyer.get(f"/contracts/{awarded.contract_id}")).text
    # its "Yes" withdraws it
    done = await buyer.post(reject, data={**form_fields(asked.text, reject), "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Proposed amendment: version 2" not in page.text
    ended = await buyer.post(f"/contracts/{awarded.contract_id}/terminate",
                             data={"reason": "Moving supplier", "confirmed": "yes",
                                   "_csrf_token": csrf_token(page.text)})
    assert ended.status_code == 303
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Moving supplier" in page.text and "Proposed amendment" not in page.text


async def test_the_contract_api_is_in_the_openapi_schema_with_bodies(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/contracts", "get"), ("/api/v1/contracts/{contract_id}", "get"),
        ("/api/v1/contracts/{contract_id}/terminate", "post"), ("/api/v1/contracts/{contract_id}/renew", "post"),
        ("/api/v1/contracts/{contract_id}/lines/{line_id}/link", "post"),
        ("/api/v1/contracts/{contract_id}/amendments", "post"),
        ("/api/v1/contracts/{contract_id}/amendments/{number}/accept", "post"),
    ]:
        assert method in paths[path], path
        if method == "post":
            assert "requestBody" in paths[path][method], path


async def test_the_contract_links_its_rfq_only_where_the_reader_has_a_page_for_it(awarded, browser):
    world = awarded.world
    # when the buyer, the vendor and an operator open the contract
    pages = {email: (await (await browser(email)).get(f"/contracts/{awarded.contract_id}")).text
             for email in (world.buyer_admin, world.vendor_admin, world.operator)}
    # then the buyer's links its RFQ page, the vendor's its own view of the RFQ
    assert f'href="/rfqs/{awarded.rfq_id}"' in pages[world.buyer_admin]
    assert f'href="/vendor/rfqs/{awarded.rfq_id}"' in pages[world.vendor_admin]
    # and the operator's names the RFQ without a link: operators have no RFQ pages (a link answered 403)
    assert "rfqs/" not in pages[world.operator].split("Made from", 1)[1].split("</dd>", 1)[0]
    assert (await (await browser(world.operator)).get(f"/rfqs/{awarded.rfq_id}")).status_code == 403
