"""One of every object a buyer company and a vendor own, and the users of every tenant who are no party to them.

`a_marketplace` builds, through the API where a user would and directly where the tests of that area do: an
address, a cart line, a requisition list, a purchase order, an invoice (of another order), a listing, a feed import,
a product hidden from the other buyer by its segment, a price list;
an RFQ under negotiation (both vendors' offers, vendor A's file, its question, the buyer's file and counter-proposal,
an award scenario);
an awarded RFQ with vendor A's contract (a line waiting for its listing, an amendment open) and the rival's;
a notification of one of the buyer's users.
`ids` names each object of world.buyer and vendor A by its kind; `own` the strangers' objects of some kinds,
so a path can pair a stranger's own object with one of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from piccolo.apps.user.tables import BaseUser

from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import SegmentRule
from app.contracts.tables import Contract
from app.notifications.tables import Notification
from app.rfq.states import RfqStatus
from tests.support.accounts import an_address
from tests.support.catalog import a_category, a_listing, a_price_list, a_product, a_segment
from tests.support.contracts import an_rfq, award, offer
from tests.support.fixtures import World, make_company, make_user
from tests.support.invoices import an_invoice
from tests.support.offers import make_rfq, offer_body, set_status
from tests.support.orders import check_out
from tests.support.vendors import csv_bytes, upload

TEXT_FILE = ("note.txt", b"A plain note.\n", "text/plain")
OTHER_BUYER, RIVAL, OUTSIDER = "other buyer", "rival vendor", "outsider vendor"


@dataclass
class Marketplace:
    world: World
    ids: dict[str, int]  # kind of object -> the id of the one built for world.buyer and vendor A
    rfq_lines: list[int]  # the lines of the RFQ under negotiation
    strangers: dict[str, list[str]]  # tenant -> its users' e-mails, one per role it has
    own: dict[str, dict[str, int]] = field(default_factory=dict)  # tenant -> kind -> its own object's id


async def user_id(email: str) -> int:
    row = await BaseUser.select(BaseUser.id).where(BaseUser.email == email).first()
    assert row is not None, email
    return row["id"]


async def a_marketplace(world: World, api) -> Marketplace:  # type: ignore[no-untyped-def]
    """Objects of world.buyer and world.vendor (vendor A) of every kind; vendor B is invited as A's rival,
    the outsider vendor only to the other buyer's RFQ."""
    buyer, seller = await api(world.purchaser), await api(world.vendor_admin)
    rival = await make_company("vendor", name="Rival Supplies")
    outsider = await make_company("vendor", name="Outsider Ltd")
    strangers = {
        OTHER_BUYER: [world.other_buyer_admin, await make_user(world.other_buyer.id, "purchaser"),
                      await make_user(world.other_buyer.id, "approver")],
        RIVAL: [await make_user(rival.id, "vendor_admin"), await make_user(rival.id, "vendor_sales")],
        OUTSIDER: [await make_user(outsider.id, "vendor_admin"), await make_user(outsider.id, "vendor_sales")],
    }
    rival_seller = await api(strangers[RIVAL][0])

    # the catalog: vendor A's listing of a product the other buyer's segment may not see; a price list
    category = await a_category("Gloves")
    product = await a_product("Nitrile gloves M", category=category)
    listing = await a_listing(world.vendor.id, product, "A-GLOVE", "10.00")
    rival_listing = await a_listing(rival.id, None, "B-MASK", "1.00")
    segment = await a_segment("Hides the gloves", members=[world.other_buyer.id],
                              rules=[(RuleEffect.DENY.value, RuleTarget.PRODUCT.value, product)])
    rule = await SegmentRule.select(SegmentRule.id).where(SegmentRule.segment == segment).first()
    price_list = await a_price_list([(listing, 1, "9.00")], company=world.buyer.id, name="Buyer's prices")
    imported = await upload(seller, csv_bytes([["A-1", "Gel", "2.00", "EUR", "", "5", ""]]))
    assert imported.status_code == 202, imported.text

    # an RFQ under negotiation: both vendors answered, A with a file and a question, the buyer with a file
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, rival.id])
    offer_a = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "0.0900", "0.5000"))
    assert offer_a.status_code == 201, offer_a.text
    offer_b = await rival_seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "0.0800"))
    assert offer_b.status_code == 201, offer_b.text
    offer_file = await seller.post(f"/api/v1/offers/{offer_a.json()['id']}/attachments", files={"file": TEXT_FILE})
    assert offer_file.status_code == 201, offer_file.text
    question = await seller.post(f"/api/v1/rfqs/{rfq_id}/clarifications", json={"question": "Powder-free?"})
    assert question.status_code == 201, question.text
    rfq_file = await buyer.post(f"/api/v1/rfqs/{rfq_id}/attachments", files={"file": TEXT_FILE})
    assert rfq_file.status_code == 201, rfq_file.text
    await set_status(rfq_id, RfqStatus.CLOSED)
    scenario = await buyer.post(f"/api/v1/rfqs/{rfq_id}/scenarios", json={"name": "Cheapest"})
    assert scenario.status_code == 201, scenario.text
    proposal = await buyer.post(f"/api/v1/offers/{offer_a.json()['id']}/counter-proposals",
                                json={"lines": [{"rfq_line_id": lines[0], "unit_price": "0.0850"}]})
    assert proposal.status_code == 201, proposal.text

    # an awarded RFQ: vendor A's contract has a free-text line waiting for a listing and an amendment open;
    # the rival won the masks
    awarded_rfq, awarded_lines = await an_rfq(
        world.buyer.id, [world.vendor.id, rival.id],
        [("Nitrile gloves M", 1000, product), ("Hand gel 1 l", 40, None), ("Face masks", 500, None)],
    )
    offer_c = await offer(api, world.vendor_admin, awarded_rfq, {awarded_lines[0]: "8.00", awarded_lines[1]: "3.00"})
    offer_d = await offer(api, strangers[RIVAL][0], awarded_rfq, {awarded_lines[2]: "0.50"})
    awarded = await award(api, world.buyer_admin, awarded_rfq,
                          {awarded_lines[0]: offer_c, awarded_lines[1]: offer_c, awarded_lines[2]: offer_d})
    assert awarded.status_code == 200, awarded.text
    contracts = {row["vendor"]: row["id"] for row in await Contract.select(Contract.id, Contract.vendor).where(
        Contract.rfq == awarded_rfq)}
    contract_id = contracts[world.vendor.id]
    contract = (await seller.get(f"/api/v1/contracts/{contract_id}")).json()
    waiting = [line["id"] for line in contract["lines"] if line["waiting_for_listing"]]
    assert waiting, contract["lines"]
    amendment = await seller.post(f"/api/v1/contracts/{contract_id}/amendments",
                                  json={"lines": [{"line_id": contract["lines"][0]["id"], "unit_price": "7.50"}]})
    assert amendment.status_code == 201, amendment.text

    # a delivery address of the buyer company, and a line of its purchaser's cart
    address = await an_address(world.buyer.id)
    cart = await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 1})
    assert cart.status_code == 201, cart.text
    # and a requisition list of its purchaser's, with a line
    requisition = await buyer.post("/api/v1/requisition-lists",
                                   json={"name": "Weekly", "lines": [{"listing_id": listing, "quantity": 2}]})
    assert requisition.status_code == 201, requisition.text

    # a purchase order of the buyer company (its admin's checkout) to vendor A
    admin = await api(world.buyer_admin)
    assert (await admin.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 2})).status_code == 201
    placed = await check_out(admin, "PO-PARTIES")
    assert placed.status_code == 201, placed.text
    # and another, shipped, with vendor A's invoice of it (the first stays placed, waiting for vendor A)
    assert (await admin.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": 1})).status_code == 201
    invoiced = await check_out(admin, "PO-PARTIES-INVOICED")
    assert invoiced.status_code == 201, invoiced.text
    invoice = await an_invoice(await api(world.vendor_admin), invoiced.json()["orders"][0]["id"])

    # the buyer's spending controls (issue #14): a cost center nobody orders on, its budget, and an approval rule
    # no order of these tests reaches
    center = await admin.post("/api/v1/cost-centers", json={"code": "CC-P", "name": "Parties"})
    assert center.status_code == 201, center.text
    budget = await admin.post("/api/v1/budgets", json={
        "cost_center_id": center.json()["id"], "period": "year", "starts_on": "2026-01-01", "currency": "EUR",
        "amount": "1000", "hard": True})
    assert budget.status_code == 201, budget.text
    approval_rule = await admin.post("/api/v1/approval-rules", json={
        "name": "Huge orders", "min_total": "900000000", "currency": "EUR", "approver_role": "approver"})
    assert approval_rule.status_code == 201, approval_rule.text

    # a notification of a buyer user's: the e-mail events above made some
    buyer_users = [await user_id(email) for email in (world.buyer_admin, world.purchaser, world.approver)]
    notification = await Notification.select(Notification.id).where(
        Notification.recipient.is_in(buyer_users)).first()
    assert notification is not None, "no e-mail event reached the buyer's users"

    # the other buyer's own RFQ, which only the outsider is invited to
    other_rfq, _ = await make_rfq(world.other_buyer.id, [outsider.id])

    return Marketplace(
        world=world, rfq_lines=lines, strangers=strangers,
        ids={
            "company": world.buyer.id, "address": address.id, "user": await user_id(world.purchaser),
            "vendor": world.vendor.id, "product": product, "listing": listing, "segment": segment, "rule": rule["id"],
            "price list": price_list, "import": imported.json()["id"],
            "rfq": rfq_id, "rfq attachment": rfq_file.json()["id"], "clarification": question.json()["id"],
            "offer": offer_a.json()["id"], "offer attachment": offer_file.json()["id"],
            "counter-proposal": proposal.json()["id"],
            "contract": contract_id, "contract line": waiting[0], "amendment": amendment.json()["proposal"]["number"],
            "cart line": cart.json()["lines"][0]["id"], "order": placed.json()["orders"][0]["id"],
            "requisition list": requisition.json()["id"],
            "requisition list line": requisition.json()["lines"][0]["id"], "notification": notification["id"],
            "award scenario": scenario.json()["id"], "budget": budget.json()["id"],
            "approval rule": approval_rule.json()["id"], "invoice": invoice,
        },
        own={
            OTHER_BUYER: {"rfq": other_rfq},
            RIVAL: {"offer": offer_b.json()["id"], "contract": contracts[rival.id], "listing": rival_listing},
            OUTSIDER: {"rfq": other_rfq},
        },
    )
