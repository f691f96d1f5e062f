"""Offers in another currency than their RFQ's: the vendor chooses it (and its payment terms), the comparison
converts at the rate in force on the close and says which, an offer without a rate is shown apart and cannot be
awarded, the award and its contract keep the offer's own currency, and a reverse auction takes the RFQ's only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.clock import utcnow
from app.contracts.tables import Contract
from app.exchange_rates.conversion import rate_to_stored
from app.exchange_rates.tables import ExchangeRate
from app.offers.tables import Award
from app.rfq.states import BiddingMode, RfqStatus
from app.rfq.tables import Rfq
from tests.support.fixtures import make_company, make_user
from tests.support.offers import make_rfq, offer_body, set_status

D = Decimal


async def _rate(base: str, quote: str, rate: str, day: date) -> None:
    await ExchangeRate(base=base, quote=quote, rate=rate_to_stored(D(rate)), valid_on=day, source="test",
                       created_at=utcnow()).save()


async def _two_offers(world, api):  # type: ignore[no-untyped-def]
    """A in EUR (the RFQ's), B in USD with 60-day terms; closed on 2026-11-30."""
    vendor_b = await make_company("vendor", name="Dollar Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id, vendor_b.id])
    a = await (await api(world.vendor_admin)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                   json=offer_body(lines, "0.0900", "0.5000", lead=5))
    b = await (await api(seller_b)).post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(
        lines, "0.0950", "0.5000", lead=12, currency="usd", payment_terms_days=60))
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    assert (b.json()["currency"], b.json()["revisions"][0]["payment_terms_days"]) == ("USD", 60)
    assert (a.json()["currency"], a.json()["revisions"][0]["payment_terms_days"]) == ("EUR", 30)  # the RFQ's
    await Rfq.update({Rfq.status: RfqStatus.CLOSED.value,
                      Rfq.closed_at: datetime(2026, 11, 30, 18, tzinfo=UTC)}).where(Rfq.id == rfq_id)
    return rfq_id, lines, a.json()["id"], b.json()["id"]


async def test_the_comparison_converts_at_the_rate_in_force_on_the_close(world, api):
    rfq_id, _, offer_a, offer_b = await _two_offers(world, api)
    await _rate("USD", "EUR", "0.9000", date(2026, 11, 1))
    await _rate("USD", "EUR", "0.9213", date(2026, 11, 30))
    await _rate("USD", "EUR", "0.5000", date(2026, 12, 1))  # after the close: not used
    response = await (await api(world.purchaser)).get(f"/api/v1/rfqs/{rfq_id}/comparison")
    assert response.status_code == 200, response.text
    body = response.json()
    columns = {v["offer_id"]: v for v in body["vendors"]}
    assert columns[offer_b]["rate"] == "1 USD = 0.9213 EUR, 2026-11-30"
    assert (columns[offer_b]["currency"], columns[offer_b]["payment_terms_days"]) == ("USD", 60)
    assert columns[offer_a]["rate"] is None
    gloves = body["rows"][0]["cells"]
    cell_b = next(c for c in gloves if c and c["offer_id"] == offer_b)
    assert (D(cell_b["unit_price"]), D(cell_b["own_unit_price"])) == (D("0.0875"), D("0.0950"))  # 0.087524 rounded
    assert cell_b["best"] is True  # cheaper than A's 0.0900 once converted
    assert body["not_compared"] == []


async def test_without_a_rate_the_offer_is_shown_apart_and_cannot_be_awarded(world, api):
    rfq_id, lines, offer_a, offer_b = await _two_offers(world, api)
    await _rate("USD", "EUR", "0.9213", date(2026, 12, 1))  # only after the close
    buyer = await api(world.buyer_admin)
    body = (await buyer.get(f"/api/v1/rfqs/{rfq_id}/comparison")).json()
    assert [v["offer_id"] for v in body["vendors"]] == [offer_a]
    assert body["not_compared"][0]["offer_id"] == offer_b
    assert "no USD to EUR exchange rate dated on or before 2026-11-30" in body["not_compared"][0]["reason"]
    refused = await buyer.post(f"/api/v1/rfqs/{rfq_id}/award",
                               json={"awards": [{"rfq_line_id": lines[0], "offer_id": offer_b}]})
    assert refused.status_code == 409
    assert "no USD to EUR exchange rate" in refused.json()["detail"]
    assert await Award.count() == 0


async def test_the_award_and_its_contract_keep_the_offers_own_currency(world, api):
    rfq_id, lines, offer_a, offer_b = await _two_offers(world, api)
    await _rate("USD", "EUR", "0.9213", date(2026, 11, 30))
    buyer = await api(world.buyer_admin)
    split = {"awards": [{"rfq_line_id": lines[0], "offer_id": offer_b}, {"rfq_line_id": lines[1], "offer_id": offer_a}]}
    # A's 0.50 EUR masks are dearer than B's 0.50 USD (0.4607 EUR): compared converted, they need a justification
    unjustified = await buyer.post(f"/api/v1/rfqs/{rfq_id}/award", json=split)
    assert unjustified.status_code == 400 and "2" in unjustified.json()["detail"], unjustified.text
    response = await buyer.post(f"/api/v1/rfqs/{rfq_id}/award", json={**split, "justification": "Stock on site"})
    assert response.status_code == 200, response.text
    awarded = {a["offer_id"]: (a["currency"], D(a["unit_price"])) for a in response.json()["awards"]}
    assert awarded == {offer_b: ("USD", D("0.0950")), offer_a: ("EUR", D("0.5000"))}
    currencies = sorted(row["currency"] for row in await Contract.select(Contract.currency))
    assert currencies == ["EUR", "USD"]


async def test_a_wrong_currency_and_an_auction_in_another_currency_are_refused(world, api):
    rfq_id, lines = await make_rfq(world.buyer.id, [world.vendor.id])
    seller = await api(world.vendor_admin)
    wrong = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "1", currency="EURO"))
    assert wrong.status_code == 400
    assert "ISO 4217" in wrong.json()["detail"]
    auction_id, auction_lines = await make_rfq(world.buyer.id, [world.vendor.id])
    await Rfq.update({Rfq.bidding_mode: BiddingMode.AUCTION.value}).where(Rfq.id == auction_id)
    refused = await seller.post(f"/api/v1/rfqs/{auction_id}/offers",
                                json=offer_body(auction_lines, "1", "1", "1", currency="USD"))
    assert refused.status_code == 400
    assert "reverse auction" in refused.json()["detail"]
    await set_status(rfq_id, RfqStatus.PUBLISHED)
