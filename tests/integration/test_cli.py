"""The `market` command as an operator runs it: a real process on the tests' database."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from piccolo.apps.user.tables import BaseUser

from app.accounts.tables import Company, Membership
from app.catalog.tables import CurationEvent, Listing
from app.contracts.tables import Contract, ContractLine, ContractPrice
from app.demo import DEMO_PASSWORD
from app.demo.rfqs import AUCTION, AWARDED
from app.notifications.tables import OutboxEmail
from app.offers.tables import Award, Offer, OfferRevision
from app.orders.tables import OrderLine, PurchaseOrder, RequisitionList
from app.rfq.tables import Rfq
from app.spending.tables import RfqCostCenter


def market(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


async def test_migrate_is_idempotent():
    result = market("migrate")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


async def test_demo_data_is_idempotent_and_prints_every_login():
    first = market("demo-data")
    assert first.returncode == 0, first.stderr
    assert "demo-password" in first.stdout
    for email in ["operator@market.example", "admin@acme.example", "buyer@acme.example", "approver@acme.example",
                  "admin@northwind.example", "sales@globex.example", "sales@stark.example"]:
        assert email in first.stdout
    counts = (await Company.count(), await BaseUser.count())
    second = market("demo-data")
    assert second.returncode == 0, second.stderr
    assert (await Company.count(), await BaseUser.count()) == counts == (8, 14)
    assert await Company.count().where(Company.kind == "vendor") == 4
    buyers = await Membership.select(Membership.company.name).where(Membership.company.kind == "buyer")
    assert len(buyers) == 8
    # and one demo buyer reads German in Berlin, so the local money and times show; everyone else English and UTC
    places = {(row["locale"], row["time_zone"]) for row in await Membership.select(
        Membership.locale, Membership.time_zone).where(Membership.user.email == "approver@acme.example")}
    assert places == {("de_DE", "Europe/Berlin")}
    assert await Membership.count().where(Membership.locale == "en") == 13
    # and the curation audit log holds the approval of every approved demo listing, by the demo operator
    approved = await Listing.count().where(Listing.status == "approved")
    entries = await CurationEvent.select(CurationEvent.actor.email).where(CurationEvent.action == "listing.approved")
    assert approved > 0 and len(entries) == approved
    assert {entry["actor.email"] for entry in entries} == {"operator@market.example"}


async def _demo_counts() -> tuple[int, ...]:
    return tuple([await table.count() for table in (Rfq, Offer, OfferRevision, Award, Contract, ContractPrice,
                                                     OutboxEmail, PurchaseOrder, RequisitionList)])


async def test_demo_data_awards_an_rfq_whose_contract_prices_the_buyers_catalog_and_runs_a_live_auction(
    api, browser
):
    # given the demo data loaded by the command
    first = market("demo-data")
    assert first.returncode == 0, first.stderr
    counts = await _demo_counts()
    # then the awarded RFQ made one contract per winning vendor, through the award
    awarded = await Rfq.select(Rfq.id, Rfq.status).where(Rfq.title == AWARDED.title).first()
    assert awarded["status"] == "awarded"
    contracts = await Contract.select(Contract.number, Contract.vendor.name).where(
        Contract.rfq == awarded["id"]).order_by(Contract.vendor.name)
    assert [c["vendor.name"] for c in contracts] == ["Globex Medical Supplies", "Umbrella Lab Equipment"]
    globex = contracts[0]["number"]
    # and the free-text line waits for Globex to link it
    assert await ContractLine.count().where(
        (ContractLine.contract.number == globex) & ContractLine.listing.is_null()) == 1

    # when the demo purchaser of Acme searches the catalog for the gloves
    buyer = await api("buyer@acme.example", DEMO_PASSWORD)
    found = (await buyer.get("/api/v1/catalog/products", params={"q": "nitrile"})).json()
    offers = [o for item in found["items"] for o in item["offers"] if o["sku"] == "GX-GLV-M"]
    # then Globex's gloves carry the contract price, with the contract's number as the reason
    assert [(o["unit_price"], o["price_source"], o["price_reason"]) for o in offers] == [
        ("5.7500", "contract", f"Contract price {globex}")]

    # and the reverse auction is open with two bidders; Stark, outbid, sees its rank and the best total
    auction = await Rfq.select(Rfq.id, Rfq.status, Rfq.bidding_mode).where(Rfq.title == AUCTION.title).first()
    assert (auction["status"], auction["bidding_mode"]) == ("published", "auction")
    stark = await api("sales@stark.example", DEMO_PASSWORD)
    live = (await stark.get(f"/api/v1/rfqs/{auction['id']}/auction")).json()
    assert (live["bidders"], live["your_rank"], live["your_total"], live["best_price"]) == (
        2, 2, "2290.0000", "2252.0000")
    # and the vendor's RFQ page carries the live auction panel
    page = await (await browser("sales@stark.example", DEMO_PASSWORD)).get(f"/vendor/rfqs/{auction['id']}")
    assert page.status_code == 200
    assert f'data-stream="/vendor/rfqs/{auction["id"]}/auction/stream"' in page.text

    # and the demo orders show an order in every state (one waiting for Acme's approver: issue #14), Acme's gloves
    # at the contract price using part of it
    statuses = {row["status"] for row in await PurchaseOrder.select(PurchaseOrder.status)}
    assert statuses == {"placed", "partially_shipped", "shipped", "delivered", "rejected", "cancelled",
                        "cancellation_requested", "pending_approval"}
    gloves = await OrderLine.select(OrderLine.quantity, OrderLine.price_reference, OrderLine.at_contract).where(
        (OrderLine.sku == "GX-GLV-M")
        & OrderLine.order.group.po_number.is_in(["ACME-2027-0001", "ACME-2027-0004"])).order_by(OrderLine.id)
    # (the second: 200 ordered for Acme's buyer by Globex's sales user, at Acme's contract price too, #14)
    assert gloves == [{"quantity": 500, "price_reference": globex, "at_contract": 500},
                      {"quantity": 200, "price_reference": globex, "at_contract": 200}]
    on_behalf = await PurchaseOrder.select(PurchaseOrder.acted_by_text).where(PurchaseOrder.acted_by.is_not_null())
    assert on_behalf == [{"acted_by_text": "Greta Globex (Globex Medical Supplies)"}]
    used = await ContractLine.select(ContractLine.consumed_qty, ContractLine.committed_qty).where(
        (ContractLine.contract.number == globex) & ContractLine.listing.is_not_null()).first()
    assert used == {"consumed_qty": 700, "committed_qty": 2000}
    assert await RequisitionList.count().where(RequisitionList.shared.eq(True)) == 1

    # when demo-data runs again, then nothing is added
    second = market("demo-data")
    assert second.returncode == 0, second.stderr
    assert await _demo_counts() == counts
    # the demo RFQs' rows (two of their own, two more for the scorecards, the two-currency one), plus the savings
    # history's (app/demo/history.py: 48 awarded RFQs with their offers, revisions, awards and expired contracts,
    # which price nothing)
    history = (48, 134, 187, 192, 54, 0)
    assert counts[:6] == tuple(own + old for own, old in zip((5, 10, 13, 7, 6, 4), history, strict=True))
    assert await Rfq.count().where(Rfq.number.like("RFQ-%-H%")) == history[0]
    # a third of the history bought for the wards, a third for the laboratory (#15: savings by cost center)
    charged = await RfqCostCenter.select(RfqCostCenter.cost_center.code.as_alias("code"))
    assert sorted(row["code"] for row in charged) == ["LAB"] * 16 + ["WARDS"] * 16


async def test_create_operator_prompts_for_the_password_and_makes_a_back_office_user():
    result = market("create-operator", "--email", "Ops@Example.com", stdin="s3cure-enough\ns3cure-enough\n")
    assert result.returncode == 0, result.stderr
    user = await BaseUser.select(BaseUser.admin, BaseUser.active).where(BaseUser.username == "ops@example.com").first()
    assert user == {"admin": True, "active": True}
    again = market("create-operator", "--email", "ops@example.com", "--password", "s3cure-enough")
    assert again.returncode == 0
    assert "already exists" in again.stdout


async def test_create_operator_refuses_a_weak_password():
    result = market("create-operator", "--email", "weak@example.com", "--password", "123")
    assert result.returncode != 0
    assert "at least 8 characters" in result.stderr


@pytest.mark.skipif(
    not os.environ["MARKET_DATABASE_URL"].startswith("sqlite"), reason="several processes are fine on PostgreSQL"
)
def test_serve_refuses_several_processes_on_sqlite():
    result = market("serve", "--workers", "2")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


async def test_demo_data_shows_the_spending_controls_and_an_order_waiting_for_acmes_approver(api, browser):
    # given the demo data loaded by the command
    loaded = market("demo-data")
    assert loaded.returncode == 0, loaded.stderr
    # then Acme's approver has the 11,100 EUR order in its approvals, its budgets are part spent and part reserved
    approver = await api("approver@acme.example", DEMO_PASSWORD)
    waiting = (await approver.get("/api/v1/approvals")).json()
    assert [item["net"] for item in waiting] == [{"EUR": "11100.0000"}]
    budgets = (await approver.get("/api/v1/budgets")).json()
    wards = next(b for b in budgets if b["cost_center"] == "WARDS")
    # 230 EUR of Acme's own orders, and 1,150 EUR of gloves Globex's sales user ordered for Acme's buyer (#14)
    assert wards["spent"] == "1380.0000" and wards["reserved"] == "11100.0000" and wards["hard"]
    rules = (await approver.get("/api/v1/approval-rules")).json()
    assert [(r["level"], r["min_total"], r["approver_role"]) for r in rules] == [
        (1, "10000.0000", "approver"), (2, "50000.0000", "buyer_admin")]
    # and Acme's payables hold an invoice in every state, its credit limit a little above its exposure (#14)
    admin = await api("admin@acme.example", DEMO_PASSWORD)
    invoices = (await admin.get("/api/v1/invoices")).json()
    invoices = invoices["items"] if isinstance(invoices, dict) else invoices
    assert {invoice["status"] for invoice in invoices} >= {"issued", "paid", "overdue", "cancelled"}
    acme = (await admin.get("/api/v1/me")).json()["company"]["id"]
    credit = (await admin.get(f"/api/v1/companies/{acme}/credit")).json()
    assert credit["has_limit"] and 0 < Decimal(credit["available"]) <= 2000 and credit["overdue_invoices"]
    # and the pages show them: the approver's inbox its order, the admin its controls to change
    approvals = await (await browser("approver@acme.example", DEMO_PASSWORD)).get("/approvals")
    assert "ACME-2027-0101" in approvals.text and "/approve" in approvals.text
    spending = await (await browser("admin@acme.example", DEMO_PASSWORD)).get("/spending")
    assert spending.text.count("/spending/rules/") >= 4 and "/spending/budgets/new" in spending.text
