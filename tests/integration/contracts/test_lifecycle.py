"""Termination, amendments with versions, the vendor linking a free-text line, renewal, tenancy."""

from decimal import Decimal

from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.pricing import PriceSource
from app.contracts.tables import Contract, ContractPrice
from app.notifications.tables import OutboxEmail
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from tests.support.catalog import a_listing
from tests.support.fixtures import make_company, make_user


async def price_of(awarded, listing: int, company: int | None = None, quantity: int = 1):
    buyer = await buyer_of(company or awarded.world.buyer.id)
    return (await resolve_prices({listing: quantity}, buyer))[listing]


async def test_termination_by_the_buyer_stops_the_price_at_once(awarded, api):
    world, url = awarded.world, f"/api/v1/contracts/{awarded.contract_id}/terminate"
    body = {"reason": "Supplier lost its certification"}
    # only a buyer_admin or approver of the buyer company may terminate; others learn nothing
    assert (await (await api(world.purchaser)).post(url, json=body)).status_code == 403
    assert (await (await api(world.vendor_admin)).post(url, json=body)).status_code == 403
    assert (await (await api(world.other_buyer_admin)).post(url, json=body)).status_code == 404
    assert (await (await api(world.approver)).post(url, json={"reason": ""})).status_code == 400
    assert (await price_of(awarded, awarded.listing)).source is PriceSource.CONTRACT
    # when the approver terminates it
    response = await (await api(world.approver)).post(url, json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["termination_reason"]) == ("terminated", body["reason"])
    # then the very next price is the list price again
    price = await price_of(awarded, awarded.listing)
    assert (price.source, price.unit_price) == (PriceSource.BASE_PRICE, Decimal("10.0000"))
    assert await ContractPrice.count().where(ContractPrice.terminated_at.is_null()) == 0
    # and the vendor is told, and a second termination is 409
    assert await OutboxEmail.exists().where(OutboxEmail.subject.like("%terminated%"))
    assert (await (await api(world.buyer_admin)).post(url, json=body)).status_code == 409


async def test_an_amendment_agreed_by_both_sides_makes_a_new_version_and_keeps_the_old_one(awarded, api):
    world, base = awarded.world, f"/api/v1/contracts/{awarded.contract_id}"
    seller, approver = await api(world.vendor_admin), await api(world.approver)
    contract = (await seller.get(base)).json()
    gloves = contract["lines"][0]["id"]
    # when the vendor proposes a lower price with a volume tier
    proposal = {"lines": [{"line_id": gloves, "unit_price": "7.50",
                           "tiers": [{"min_qty": 500, "unit_price": "7.00"}]}], "note": "Annual volume discount"}
    response = await seller.post(f"{base}/amendments", json=proposal)
    assert response.status_code == 201, response.text
    assert response.json()["proposal"]["number"] == 2
    # then nothing changes until the buyer accepts; the vendor cannot accept its own proposal
    assert (await price_of(awarded, awarded.listing)).unit_price == Decimal("8.0000")
    assert (await seller.post(f"{base}/amendments/2/accept", json={})).status_code == 403
    assert (await approver.post(f"{base}/amendments", json=proposal)).status_code == 409  # one open at a time
    assert (await (await api(world.purchaser)).post(f"{base}/amendments/2/accept", json={})).status_code == 403
    # when the approver accepts
    accepted = await approver.post(f"{base}/amendments/2/accept", json={})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    # then version 2 is current, version 1 is kept readable with the old price
    assert body["version"] == 2 and body["proposal"] is None
    assert [(v["number"], v["status"], v["lines"][0]["unit_price"]) for v in body["versions"]] == [
        (1, "superseded", "8.0000"), (2, "current", "7.5000")]
    assert body["lines"][0]["tiers"] == [{"min_qty": 500, "unit_price": "7.0000"}]
    # and the catalog price follows at once, tier included
    assert (await price_of(awarded, awarded.listing)).unit_price == Decimal("7.5000")
    assert (await price_of(awarded, awarded.listing, quantity=600)).unit_price == Decimal("7.0000")
    # the old price row ended where the new one starts: history, not deleted
    rows = await ContractPrice.select().where(ContractPrice.listing == awarded.listing).order_by(ContractPrice.id)
    assert rows[0]["unit_price"] == 80000 and rows[0]["valid_to"] <= rows[-1]["valid_from"]
    # a deciding twice is 409
    assert (await approver.post(f"{base}/amendments/2/accept", json={})).status_code == 409


async def test_a_rejected_amendment_changes_nothing_and_new_dates_move_the_prices(awarded, api):
    world, base = awarded.world, f"/api/v1/contracts/{awarded.contract_id}"
    seller, admin = await api(world.vendor_admin), await api(world.buyer_admin)
    assert (await admin.post(f"{base}/amendments", json={"valid_to": "2020-01-01T00:00:00+00:00"})).status_code == 400
    assert (await admin.post(f"{base}/amendments", json={})).status_code == 400
    # the buyer proposes a later end; the vendor rejects it
    later = "2099-12-31T23:59:59+00:00"
    assert (await admin.post(f"{base}/amendments", json={"valid_to": later})).status_code == 201
    rejected = await seller.post(f"{base}/amendments/2/reject", json={"note": "Not that long"})
    assert rejected.status_code == 200 and rejected.json()["version"] == 1
    versions = (await admin.get(f"{base}/versions")).json()
    assert [(v["number"], v["status"]) for v in versions] == [(1, "current"), (2, "rejected")]
    # then a new proposal (number 3) accepted by the vendor moves the end date of the contract and its prices
    assert (await admin.post(f"{base}/amendments", json={"valid_to": later})).status_code == 201
    assert (await seller.post(f"{base}/amendments/3/accept", json={})).status_code == 200
    contract = await Contract.select(Contract.valid_to, Contract.version).where(
        Contract.id == awarded.contract_id).first()
    assert (contract["valid_to"].year, contract["version"]) == (2099, 3)
    live = await ContractPrice.select(ContractPrice.valid_to).where(ContractPrice.terminated_at.is_null()).order_by(
        ContractPrice.id, ascending=False).first()
    assert live["valid_to"].year == 2099


async def test_the_vendor_links_a_free_text_line_and_its_price_applies_from_then(awarded, api):
    world, base = awarded.world, f"/api/v1/contracts/{awarded.contract_id}"
    seller = await api(world.vendor_admin)
    gel_line = (await seller.get(base)).json()["lines"][1]
    assert gel_line["waiting_for_listing"] is True
    gel_listing = await a_listing(world.vendor.id, awarded.other_product, "A-GEL", "4.20")
    beta_listing = await a_listing(awarded.vendor_b, awarded.other_product, "B-GEL", "4.00")
    url = f"{base}/lines/{gel_line['id']}/link"
    # the buyer cannot link, nor the vendor link another vendor's listing
    assert (await (await api(world.buyer_admin)).post(url, json={"listing_id": gel_listing})).status_code == 403
    assert (await seller.post(url, json={"listing_id": beta_listing})).status_code == 400
    assert (await price_of(awarded, gel_listing)).source is PriceSource.BASE_PRICE
    # when the vendor links its own listing
    response = await seller.post(url, json={"listing_id": gel_listing})
    assert response.status_code == 200, response.text
    assert response.json()["lines"][1]["listing_sku"] == "A-GEL"
    # then the buyer pays the contract price for it from now on, and a second link is 409
    price = await price_of(awarded, gel_listing)
    assert (price.source, price.unit_price, price.reference) == (PriceSource.CONTRACT, Decimal("3.0000"),
                                                                 awarded.number)
    assert (await price_of(awarded, gel_listing, company=world.other_buyer.id)).source is PriceSource.BASE_PRICE
    assert (await seller.post(url, json={"listing_id": gel_listing})).status_code == 409


async def test_renew_makes_a_draft_rfq_with_the_lines_and_the_vendor(awarded, api):
    world = awarded.world
    response = await (await api(world.purchaser)).post(f"/api/v1/contracts/{awarded.contract_id}/renew", json={})
    assert response.status_code == 201, response.text
    rfq_id = response.json()["rfq_id"]
    rfq = await Rfq.select(Rfq.status, Rfq.buyer, Rfq.payment_terms, Rfq.title).where(Rfq.id == rfq_id).first()
    assert (rfq["status"], rfq["buyer"], rfq["payment_terms"]) == ("draft", world.buyer.id, "net_60")
    assert awarded.number in rfq["title"]
    lines = await RfqLine.select(RfqLine.product, RfqLine.description, RfqLine.quantity).where(
        RfqLine.rfq == rfq_id).order_by(RfqLine.position)
    assert [(line["product"], line["quantity"]) for line in lines] == [(awarded.product, 1000), (None, 40)]
    invited = await RfqInvitation.select(RfqInvitation.vendor).where(RfqInvitation.rfq == rfq_id)
    assert [row["vendor"] for row in invited] == [world.vendor.id]
    assert (await Contract.select(Contract.renewal_rfq).where(Contract.id == awarded.contract_id).first())[
        "renewal_rfq"] == rfq_id
    # a vendor cannot renew
    assert (await (await api(world.vendor_admin)).post(
        f"/api/v1/contracts/{awarded.contract_id}/renew", json={})).status_code == 403


async def test_each_side_sees_its_own_contracts_and_others_get_404(awarded, api):
    world, url = awarded.world, f"/api/v1/contracts/{awarded.contract_id}"
    outsider = await make_user((await make_company("vendor")).id, "vendor_admin")
    for email in (world.other_buyer_admin, awarded.seller_b, outsider):
        client = await api(email)
        assert (await client.get(url)).status_code == 404
        assert (await client.get(f"{url}/document.pdf")).status_code == 404
        assert (await client.get(f"{url}/versions")).status_code == 404
        assert (await client.get("/api/v1/contracts")).json()["total"] == 0
    for email in (world.purchaser, world.vendor_admin, world.operator):
        client = await api(email)
        assert (await client.get(url)).status_code == 200
        listed = (await client.get("/api/v1/contracts")).json()
        assert [item["number"] for item in listed["items"]] == [awarded.number]
    assert listed["items"][0]["lines_waiting"] == 1
    assert (await (await api(world.purchaser)).get("/api/v1/contracts", params={"status": "expired"})).json()[
        "total"] == 0
    assert (await (await api(world.purchaser)).get("/api/v1/contracts", params={"status": "nope"})).status_code == 400
