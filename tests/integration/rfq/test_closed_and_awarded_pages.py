"""The buyer's RFQ page after bidding: when it closed, the contracts its award made; the pages around it name RFQs
by title and lines by number, never by database id."""

from __future__ import annotations

from datetime import timedelta

from app import db
from app.clock import format_moment
from app.contracts.tables import Contract
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqLine
from tests.support.fixtures import csrf_token, make_company, make_user
from tests.support.offers import make_rfq, offer_body, set_status
from tests.support.pages import main_of
from tests.support.rfq import a_category_with_listing


async def test_an_rfq_closed_early_shows_when_it_closed_beside_its_deadline(world, browser):
    # given a published RFQ whose deadline is two days away
    deadline = (await db.db_now()) + timedelta(days=2)
    rfq_id, _ = await make_rfq(world.buyer.id, [world.vendor.id], deadline=deadline)
    buyer = await browser(world.buyer_admin)
    page = await buyer.get(f"/rfqs/{rfq_id}")
    assert "Bidding closed" not in page.text
    # when the buyer closes bidding now, through the page
    closed = await buyer.post(f"/rfqs/{rfq_id}/close", data={"_csrf_token": csrf_token(page.text), "confirmed": "yes"})
    assert closed.status_code == 303
    # then the page shows the moment it closed, that it was early, and still the deadline it had
    closed_at = (await Rfq.select(Rfq.closed_at).where(Rfq.id == rfq_id).first())["closed_at"]
    assert closed_at is not None
    page = main_of((await buyer.get(f"/rfqs/{rfq_id}")).text)
    assert f"Bidding closed</dt><dd>{format_moment(closed_at)}, early: before the deadline" in page
    assert f"Deadline</dt><dd>{format_moment(deadline)}</dd>" in page


async def test_an_awarded_rfq_links_its_contracts_by_number(world, api, browser):
    # given an RFQ whose lines go to two vendors
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_admin")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    a = (await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                     json=offer_body(lines, "0.08", "0.60", "3"))).json()
    b = (await (await api(seller_b)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                          json=offer_body(lines, "0.09", "0.40"))).json()
    await set_status(rfq_id, RfqStatus.CLOSED)
    page = main_of((await (await browser(world.buyer_admin)).get(f"/rfqs/{rfq_id}")).text)
    assert "/contracts/" not in page
    # when it is awarded
    awarded = await (await api(world.approver)).post(f"/api/v1/rfqs/{rfq_id}/award", json={"awards": [
        {"rfq_line_id": lines[0], "offer_id": a["id"]}, {"rfq_line_id": lines[1], "offer_id": b["id"]}]})
    assert awarded.status_code == 200, awarded.text
    # then its page links each contract the award made, by its number and vendor
    contracts = await Contract.select(Contract.id, Contract.number, Contract.vendor).order_by(Contract.number)
    assert len(contracts) == 2
    buyer = await browser(world.purchaser)
    page = main_of((await buyer.get(f"/rfqs/{rfq_id}")).text)
    names = {world.vendor.id: world.vendor.name, vendor_b.id: "Beta Supplies"}
    for contract in contracts:
        assert (f'<a href="/contracts/{contract["id"]}">Contract {contract["number"]}</a> '
                f'with {names[contract["vendor"]]}') in page
        # and the link leads to a contract page that names the RFQ by its title, not by its id
        target = await buyer.get(f"/contracts/{contract['id']}")
        assert target.status_code == 200
        assert f'RFQ <a href="/rfqs/{rfq_id}">“Gloves and masks”</a>' in target.text
        assert f"RFQ {rfq_id}" not in main_of(target.text)
    # and the API gives the same contracts
    body = (await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{rfq_id}")).json()
    assert [(c["id"], c["number"]) for c in body["contracts"]] == [(c["id"], c["number"]) for c in contracts]


async def test_a_renewed_contract_names_its_renewal_rfq_by_title(world, api, browser):
    # given an awarded RFQ's contract, renewed through its page
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id])
    a = (await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                     json=offer_body(lines, "0.08", "0.60", "3"))).json()
    await set_status(rfq_id, RfqStatus.CLOSED)
    await (await api(world.approver)).post(f"/api/v1/rfqs/{rfq_id}/award", json={"awards": [
        {"rfq_line_id": line, "offer_id": a["id"]} for line in lines]})
    contract_id = (await Contract.select(Contract.id).first())["id"]
    admin = await browser(world.buyer_admin)
    page = await admin.get(f"/contracts/{contract_id}")
    renewed = await admin.post(f"/contracts/{contract_id}/renew", data={"_csrf_token": csrf_token(page.text)})
    assert renewed.status_code == 303, renewed.text
    # when the contract's page is shown
    renewal = (await Contract.select(Contract.renewal_rfq, Contract.renewal_rfq.title).first())
    page = main_of((await admin.get(f"/contracts/{contract_id}")).text)
    # then the renewal RFQ is named by its title and linked
    assert f'RFQ <a href="/rfqs/{renewal["renewal_rfq"]}">“{renewal["renewal_rfq.title"]}”</a>' in page
    assert f'RFQ {renewal["renewal_rfq"]}<' not in page


async def test_a_catalog_line_links_its_product_instead_of_naming_its_id(world, browser):
    # given an RFQ line asking for a catalog product
    _, product_id = await a_category_with_listing(world.vendor.id, "Gauze")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id], lines=[("Gauze item", 10, None)])
    await RfqLine.update({RfqLine.product: product_id}).where(RfqLine.id == lines[0])
    # when the buyer opens the RFQ
    page = main_of((await (await browser(world.buyer_admin)).get(f"/rfqs/{rfq_id}")).text)
    # then the line links the product's page, and no "catalog product <id>" is written out
    assert f'(<a href="/catalog/products/{product_id}">catalog product</a>)' in page
    assert f"catalog product {product_id}" not in page


async def test_the_negotiation_page_leads_back_to_the_comparison_by_title(world, api, browser):
    # given a closed RFQ with an offer
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id])
    offer = (await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                         json=offer_body(lines, "0.08"))).json()
    await set_status(rfq_id, RfqStatus.CLOSED)
    # when the buyer opens the negotiation with the vendor
    page = await (await browser(world.buyer_admin)).get(f"/rfqs/{rfq_id}/offers/{offer['id']}/negotiation")
    # then the way back names the RFQ by its title
    assert page.status_code == 200
    assert f'<a href="/rfqs/{rfq_id}/comparison">Back to the comparison of “Gloves and masks”</a>' in page.text
    assert f"RFQ {rfq_id}" not in main_of(page.text)
