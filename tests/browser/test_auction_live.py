"""The vendor's live auction panel in Chromium: its rank and the deadline follow the bids as they happen
(server-sent events), with no competitor's name or price on the page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.async_api import expect

from app import db
from app.money import to_minor
from app.offers import services
from app.offers.schemas import OfferIn, OfferLineIn
from app.rfq.states import BiddingMode
from app.rfq.tables import Rfq
from tests.support.browser import log_in
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import make_rfq, principal

pytestmark = pytest.mark.browser




def bid(lines: list[int], *prices: str) -> OfferIn:
    return OfferIn(lines=[OfferLineIn(rfq_line_id=line, unit_price=price) for line, price in zip(lines, prices,
                                                                                                  strict=True)])


async def test_the_vendor_sees_its_rank_and_the_deadline_move_live(chromium, live_server):
    # given an auction (anti-sniping 5 minutes) where vendor A bid 100.00, watched by A in the browser
    buyer = await make_company("buyer")
    vendor_a = await make_company("vendor", name="Alpha Parts")
    vendor_b = await make_company("vendor", name="Bravo Secret Supplies")
    seller_a = await make_user(vendor_a.id, "vendor_admin")
    seller_b = await make_user(vendor_b.id, "vendor_admin")
    rfq_id, lines = await make_rfq(buyer.id, [vendor_a.id, vendor_b.id], lines=[("Bolts", 10, None)],
                                   deadline=await db.db_now() + timedelta(minutes=30))
    await Rfq.update({Rfq.bidding_mode: BiddingMode.AUCTION.value, Rfq.min_decrement: to_minor(Decimal("1")),
                      Rfq.anti_snipe_minutes: 5, Rfq.max_extension_minutes: 30}).where(Rfq.id == rfq_id)
    await services.submit_offer(await principal(seller_a), rfq_id, bid(lines, "10"))
    page = await log_in(chromium, live_server, seller_a, PASSWORD)
    await page.goto(f"/vendor/rfqs/{rfq_id}")
    panel = page.locator("#auction")
    await expect(panel.locator('[data-field="rank"]')).to_have_text("1 of 1")
    await expect(panel.locator('[data-field="state"]')).to_have_text("Live.")
    # when B undercuts A, in the last minutes before the deadline
    await Rfq.update({Rfq.deadline: await db.db_now() + timedelta(minutes=2)}).where(Rfq.id == rfq_id)
    await services.submit_offer(await principal(seller_b), rfq_id, bid(lines, "9.5"))
    # then A's panel shows it is second and the deadline was extended, without B's name or price
    await expect(panel.locator('[data-field="rank"]')).to_have_text("2 of 2")
    await expect(panel.locator('[data-field="deadline"]')).to_contain_text("extended by 5 min")
    content = await page.content()
    assert "Bravo Secret Supplies" not in content and "95.00" not in content
    await page.context.close()
