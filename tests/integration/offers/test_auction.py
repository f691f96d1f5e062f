"""The reverse auction: bids beat their own previous one, each vendor sees only its own rank (and the best price
if shown) in the snapshot and the stream, anti-sniping extends the deadline within its cap, even under racing
bids, and the closing job never closes early after an extension."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app import db
from app.clock import as_utc, format_moment
from app.errors import Conflict
from app.money import to_minor
from app.notifications.tables import OutboxEmail
from app.offers import live, services
from app.offers.schemas import OfferIn, OfferLineIn
from app.rfq import deadlines
from app.rfq.states import BiddingMode, RfqStatus
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.fixtures import make_company, make_user
from tests.support.offers import make_rfq, offer_body, principal, set_status

# Ten widgets and five gadgets: a bid's total is 10 * first price + 5 * second price.
LINES = [("Widget", 10, None), ("Gadget", 5, None)]


async def make_auction(bidding, *, minutes_left: float = 60, decrement: str = "1.00", show_best_price: bool = False,
                       anti_snipe: int = 0, cap: int = 0, extended: int = 0) -> tuple[int, list[int]]:
    """An auction RFQ of the bidding world's buyer, inviting vendors A and B."""
    deadline = await db.db_now() + timedelta(minutes=minutes_left)
    rfq_id, lines = await make_rfq(bidding.world.buyer.id, [bidding.vendor_a, bidding.vendor_b], deadline=deadline,
                                   lines=LINES)
    await Rfq.update({
        Rfq.bidding_mode: BiddingMode.AUCTION.value, Rfq.min_decrement: to_minor(Decimal(decrement)),
        Rfq.show_best_price: show_best_price, Rfq.anti_snipe_minutes: anti_snipe, Rfq.max_extension_minutes: cap,
        Rfq.extended_minutes: extended,
    }).where(Rfq.id == rfq_id)
    return rfq_id, lines


async def rfq_row(rfq_id: int) -> dict:
    return await Rfq.select(Rfq.deadline, Rfq.extended_minutes, Rfq.status, Rfq.close_scheduled_for).where(
        Rfq.id == rfq_id
    ).first()


def bid_in(lines: list[int], *prices: str) -> OfferIn:
    return OfferIn(lines=[OfferLineIn(rfq_line_id=line, unit_price=price) for line, price in zip(lines, prices,
                                                                                                  strict=True)])


# --- bids -----------------------------------------------------------------------------------------


async def test_a_revision_must_beat_the_previous_bid_by_the_minimum_decrement(bidding, api):
    # given an auction with a decrement of 1.00 and A's first bid totalling 10*10 + 5*20 = 200.00
    rfq_id, lines = await make_auction(bidding)
    seller = await api(bidding.seller_a)
    first = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "10", "20"))
    assert first.status_code == 201, first.text
    offer_id = first.json()["id"]
    # when A revises to 199.50 (only 0.50 lower)
    too_little = await seller.put(f"/api/v1/offers/{offer_id}", json=offer_body(lines, "10", "19.90"))
    # then it is refused, saying the most it may bid
    assert too_little.status_code == 409
    assert "at most 199.00 EUR" in too_little.json()["detail"]
    # and a revision exactly 1.00 lower (199.00) is taken
    exact = await seller.put(f"/api/v1/offers/{offer_id}", json=offer_body(lines, "10", "19.80"))
    assert exact.status_code == 200, exact.text
    assert exact.json()["revision_count"] == 2


async def test_an_auction_bid_prices_every_line_in_full(bidding, api):
    rfq_id, lines = await make_auction(bidding)
    seller = await api(bidding.seller_a)
    partial = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines[:1], "10"))
    assert partial.status_code == 400 and "every line" in partial.json()["detail"]
    short = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json={
        "lines": [{"rfq_line_id": lines[0], "unit_price": "10", "quantity": 9},
                  {"rfq_line_id": lines[1], "unit_price": "20"}],
    })
    assert short.status_code == 400 and "full quantity" in short.json()["detail"]


async def test_withdrawing_and_bidding_again_must_still_beat_the_last_bid(bidding, api):
    rfq_id, lines = await make_auction(bidding)
    seller = await api(bidding.seller_a)
    offer_id = (await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "10", "20"))).json()["id"]
    assert (await seller.post(f"/api/v1/offers/{offer_id}/withdraw")).status_code == 200
    higher = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "12", "20"))
    assert higher.status_code == 409 and "at most 199.00 EUR" in higher.json()["detail"]
    lower = await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "9", "20"))
    assert lower.status_code == 201, lower.text


async def test_a_sealed_rfq_keeps_partial_offers_and_free_revisions(bidding, api):
    seller = await api(bidding.seller_a)
    offer = await seller.post(f"/api/v1/rfqs/{bidding.rfq_id}/offers", json=offer_body(bidding.lines[:1], "1"))
    assert offer.status_code == 201
    higher = await seller.put(f"/api/v1/offers/{offer.json()['id']}", json=offer_body(bidding.lines[:1], "2"))
    assert higher.status_code == 200
    assert (await seller.get(f"/api/v1/rfqs/{bidding.rfq_id}/auction")).status_code == 404


# --- ranks and what nobody else may see -------------------------------------------------------------


@pytest.fixture
async def three_bidders(bidding, api):
    """An auction where A bids 200, B 150 and C 180 (C invited too); the best price is not shown."""
    rfq_id, lines = await make_auction(bidding)
    vendor_c = await make_company("vendor", name="Gamma Goods")
    seller_c = await make_user(vendor_c.id, "vendor_admin")
    await RfqInvitation(rfq=rfq_id, vendor=vendor_c.id, invited_at=await db.db_now()).save()
    clients = {"a": await api(bidding.seller_a), "b": await api(bidding.seller_b), "c": await api(seller_c)}
    for who, prices in (("a", ("10", "20")), ("b", ("7.769", "14.46")), ("c", ("8", "20"))):
        response = await clients[who].post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, *prices))
        assert response.status_code == 201, response.text
    return rfq_id, lines, clients


async def test_each_vendor_sees_its_own_rank_and_nothing_of_the_others(three_bidders, bidding):
    rfq_id, _, clients = three_bidders
    expected = {"a": (3, "200.00"), "b": (1, "149.99"), "c": (2, "180.00")}
    for who, (rank, total) in expected.items():
        # when each vendor asks for the auction
        response = await clients[who].get(f"/api/v1/rfqs/{rfq_id}/auction")
        # then it sees its own rank and total, the number of bidders, and nobody else's name or price
        assert response.status_code == 200, response.text
        view = response.json()
        assert (view["view"], view["your_rank"], Decimal(view["your_total"]), view["bidders"]) == (
            "vendor", rank, Decimal(total), 3)
        assert Decimal(view["your_next_max_total"]) == Decimal(total) - 1
        assert view["best_price"] is None
        others = [t for w, (_, t) in expected.items() if w != who]
        for secret in [*others, "149.99", "Beta Supplies", "Gamma Goods"]:
            if secret != total:
                assert secret not in response.text, (who, secret)
        assert "vendor_id" not in response.text and "standings" not in response.text


async def test_the_best_price_is_shown_only_when_the_buyer_allows_it_and_never_who_holds_it(three_bidders):
    rfq_id, _, clients = three_bidders
    await Rfq.update({Rfq.show_best_price: True}).where(Rfq.id == rfq_id)
    view = (await clients["a"].get(f"/api/v1/rfqs/{rfq_id}/auction")).json()
    assert Decimal(view["best_price"]) == Decimal("149.99")
    assert "Beta" not in json.dumps(view)


async def test_the_buyer_sees_counts_while_open_and_named_standings_after_the_close(three_bidders, api, world):
    rfq_id, _, _ = three_bidders
    buyer = await api(world.buyer_admin)
    # while bidding is open: counts only
    open_view = await buyer.get(f"/api/v1/rfqs/{rfq_id}/auction")
    assert open_view.status_code == 200
    body = open_view.json()
    assert (body["view"], body["bidders"], body["standings"], body["best_price"]) == ("buyer", 3, None, None)
    for secret in ("200", "149.99", "180", "Beta Supplies", "Gamma Goods"):
        assert secret not in without_times(open_view.text)
    # after the close: every bidder by name, best first
    await set_status(rfq_id, RfqStatus.CLOSED)
    closed = (await buyer.get(f"/api/v1/rfqs/{rfq_id}/auction")).json()
    assert [(s["rank"], s["vendor_name"], Decimal(s["total"])) for s in closed["standings"]] == [
        (1, "Beta Supplies", Decimal("149.99")), (2, "Gamma Goods", Decimal("180")),
        (3, world.vendor.name, Decimal("200")),
    ]


async def test_who_may_watch_an_auction(three_bidders, bidding, api, world):
    rfq_id, _, _ = three_bidders
    for email in (bidding.outsider_seller, world.other_buyer_admin):
        client = await api(email)
        for path in ("auction", "auction/stream"):
            assert (await client.get(f"/api/v1/rfqs/{rfq_id}/{path}")).status_code == 404, (email, path)
    operator_view = (await (await api(world.operator)).get(f"/api/v1/rfqs/{rfq_id}/auction")).json()
    assert operator_view["view"] == "buyer" and operator_view["standings"] is None


# --- the stream -------------------------------------------------------------------------------------


def without_times(text: str) -> str:
    """The text with its timestamps taken out: a deadline or receipt time may contain "180" or "200" by chance."""
    return re.sub(r"\d{4}-\d{2}-\d{2}[T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?", "<time>", text)


def parse_events(text: str) -> list[dict]:
    """The `auction` events' data of an event stream."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = [line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":")]
        if ["event", "auction"] in [list(f) for f in fields]:
            events.append(json.loads("".join(value for name, value in fields if name == "data")))
    return events


async def test_the_stream_sends_the_vendor_its_own_view_at_once_and_when_it_changes(three_bidders, bidding):
    # given vendor A watching the stream
    rfq_id, lines, _ = three_bidders
    watcher = await live.viewer(await principal(bidding.seller_a), rfq_id)
    stream = live.events(watcher, poll_seconds=0.05, lifetime_seconds=10)
    first = await anext(stream)
    # then the first event is A's own view
    assert first.event == "auction"
    view = json.loads(first.data)
    assert (view["your_rank"], view["bidders"]) == (3, 3)
    # when A undercuts everyone
    offer_id = (await services.rfq_for_seller(await principal(bidding.seller_a), rfq_id)).offer.id
    await services.revise_offer(await principal(bidding.seller_a), offer_id, bid_in(lines, "7", "14"))
    # then the next event says A is first, still without anyone else's price or name
    second = await asyncio.wait_for(anext(stream), timeout=5)
    assert json.loads(second.data)["your_rank"] == 1
    for secret in ("149.99", "180", "Beta", "Gamma"):
        assert secret not in without_times(second.data)
    # and when the RFQ closes, a last event says so and the stream ends
    await set_status(rfq_id, RfqStatus.CLOSED)
    last = await asyncio.wait_for(anext(stream), timeout=5)
    assert json.loads(last.data)["status"] == "closed"
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), timeout=5)


async def test_the_stream_over_http_for_the_api_and_the_vendor_page(three_bidders, bidding, browser, api, world,
                                                                   monkeypatch):
    rfq_id, _, clients = three_bidders
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.3)  # the test client reads a stream once it has ended
    page_client = await browser(bidding.seller_b)
    for client, path, rank in ((clients["a"], f"/api/v1/rfqs/{rfq_id}/auction/stream", 3),
                               (page_client, f"/vendor/rfqs/{rfq_id}/auction/stream", 1)):
        response = await client.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_events(response.text)
        assert len(events) == 1  # nothing changed: one event, no repeats
        assert events[0]["your_rank"] == rank
        assert "Gamma Goods" not in response.text and "Beta Supplies" not in response.text
        assert "180" not in without_times(response.text)  # C's total
        # only the page's stream writes the amounts and deadline for its reader (English, UTC here); the API's is data
        if path.startswith("/vendor/"):
            assert events[0]["shown"]["your_total"] == "149.99 EUR"
            assert events[0]["shown"]["deadline"].endswith(" UTC")
        else:
            assert "shown" not in events[0]
    # the buyer's stream before the close carries counts, no price and no name
    buyer_stream = await (await api(world.buyer_admin)).get(f"/api/v1/rfqs/{rfq_id}/auction/stream")
    [buyer_view] = parse_events(buyer_stream.text)
    assert (buyer_view["view"], buyer_view["bidders"], buyer_view["standings"]) == ("buyer", 3, None)
    for secret in ("149.99", "180", "200.0", "Gamma Goods", "Beta Supplies"):
        assert secret not in without_times(buyer_stream.text)
    # the API stream needs a bearer token: the page's session cookie does not open it
    assert (await page_client.get(f"/api/v1/rfqs/{rfq_id}/auction/stream")).status_code == 401


async def test_the_vendor_page_shows_the_live_panel_only_in_auction_mode(three_bidders, bidding, browser):
    rfq_id, _, _ = three_bidders
    vendor_page = await browser(bidding.seller_a)
    auction_page = await vendor_page.get(f"/vendor/rfqs/{rfq_id}")
    assert auction_page.status_code == 200
    assert f'data-stream="/vendor/rfqs/{rfq_id}/auction/stream"' in auction_page.text
    assert "149.99" not in auction_page.text and "Beta Supplies" not in auction_page.text
    sealed_page = await vendor_page.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert sealed_page.status_code == 200 and "auction/stream" not in sealed_page.text


# --- anti-sniping -----------------------------------------------------------------------------------


async def test_a_bid_in_the_last_minutes_extends_the_deadline_and_every_vendor_is_told(bidding, api):
    # given an auction closing in two minutes, anti-sniping 5 minutes, capped at 12
    rfq_id, lines = await make_auction(bidding, minutes_left=2, anti_snipe=5, cap=12)
    before = await rfq_row(rfq_id)
    # when A bids
    response = await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                       json=offer_body(lines, "10", "20"))
    assert response.status_code == 201, response.text
    # then the deadline moved 5 minutes, the closing message follows it, and both vendors were told
    after = await rfq_row(rfq_id)
    assert as_utc(after["deadline"]) == as_utc(before["deadline"]) + timedelta(minutes=5)
    assert after["extended_minutes"] == 5
    assert as_utc(after["close_scheduled_for"]) == as_utc(after["deadline"])
    for address in (bidding.seller_a, bidding.seller_b):
        mails = await OutboxEmail.select(OutboxEmail.subject, OutboxEmail.body_text).where(
            (OutboxEmail.to_address == address) & OutboxEmail.subject.like("Deadline extended%")
        )
        assert len(mails) == 1, address
        assert format_moment(after["deadline"]) in mails[0]["body_text"]
        body = mails[0]["body_text"]
        assert "200" not in without_times(body) and bidding.world.vendor.name not in body
    # and B sees the new deadline in its view
    view = (await (await api(bidding.seller_b)).get(f"/api/v1/rfqs/{rfq_id}/auction")).json()
    assert view["extended_minutes"] == 5


async def test_the_cap_cuts_the_last_extension_and_then_stops_them(bidding, api):
    # given 10 of a 12-minute cap already used, and three minutes left
    rfq_id, lines = await make_auction(bidding, minutes_left=3, anti_snipe=5, cap=12, extended=10)
    start = as_utc((await rfq_row(rfq_id))["deadline"])
    seller = await api(bidding.seller_a)
    # when A bids, then bids again (still inside the last 5 minutes)
    offer_id = (await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "10", "20"))).json()["id"]
    first = await rfq_row(rfq_id)
    assert (await seller.put(f"/api/v1/offers/{offer_id}", json=offer_body(lines, "9", "20"))).status_code == 200
    second = await rfq_row(rfq_id)
    # then the first extension is cut to the 2 minutes left of the cap, the second adds nothing
    assert (first["extended_minutes"], as_utc(first["deadline"])) == (12, start + timedelta(minutes=2))
    assert (second["extended_minutes"], as_utc(second["deadline"])) == (12, start + timedelta(minutes=2))


async def test_a_bid_outside_the_window_extends_nothing(bidding, api):
    rfq_id, lines = await make_auction(bidding, minutes_left=30, anti_snipe=5, cap=12)
    before = await rfq_row(rfq_id)
    await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "10", "20"))
    after = await rfq_row(rfq_id)
    assert (after["deadline"], after["extended_minutes"]) == (before["deadline"], 0)


async def vendors_invited(rfq_id: int, count: int) -> list:
    sellers = []
    for _ in range(count):
        company = await make_company("vendor")
        await RfqInvitation(rfq=rfq_id, vendor=company.id, invited_at=await db.db_now()).save()
        sellers.append(await principal(await make_user(company.id, "vendor_sales")))
    return sellers


async def seconds_left(rfq_id: int, seconds: int) -> None:
    await Rfq.update({Rfq.deadline: await db.db_now() + timedelta(seconds=seconds)}).where(Rfq.id == rfq_id)


async def test_racing_bids_in_the_last_minute_extend_the_deadline_once(bidding):
    # given twenty invited vendors, thirty seconds left, anti-sniping 1 minute capped at 2
    rfq_id, lines = await make_auction(bidding, anti_snipe=1, cap=2, decrement="0.01")
    sellers = await vendors_invited(rfq_id, 20)
    await seconds_left(rfq_id, 30)
    start = as_utc((await rfq_row(rfq_id))["deadline"])

    async def bid_twice(index: int, seller) -> None:  # type: ignore[no-untyped-def]
        offer = await services.submit_offer(seller, rfq_id, bid_in(lines, f"{10 + index}", "20"))
        await services.revise_offer(seller, offer.id, bid_in(lines, f"{9 + index}", "20"))

    # when they all bid and revise at once
    results = await asyncio.gather(*[bid_twice(i, s) for i, s in enumerate(sellers)], return_exceptions=True)
    # then every bid was taken, and the deadline moved once by one minute: no bid judged a stale deadline
    assert [r for r in results if r is not None] == []
    row = await rfq_row(rfq_id)
    assert row["extended_minutes"] == 1
    assert as_utc(row["deadline"]) == start + timedelta(minutes=1)


async def test_rounds_of_racing_bids_in_the_window_stop_at_the_cap(bidding):
    # given anti-sniping of 1 minute capped at 3
    rfq_id, lines = await make_auction(bidding, anti_snipe=1, cap=3, decrement="0.01")
    sellers = await vendors_invited(rfq_id, 20)
    extended = []
    for round_number in range(4):
        # when, four times, the deadline is 30 s away and five vendors bid at once
        await seconds_left(rfq_id, 30)
        batch = sellers[round_number * 5:(round_number + 1) * 5]
        results = await asyncio.gather(
            *[services.submit_offer(s, rfq_id, bid_in(lines, f"{10 + i}", "20")) for i, s in enumerate(batch)],
            return_exceptions=True,
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        extended.append((await rfq_row(rfq_id))["extended_minutes"])
    # then each of the first three rounds extended once, the fourth found the cap used up
    assert extended == [1, 2, 3, 3]


async def test_the_close_job_after_an_extension_does_not_close_early(bidding, api):
    # given an auction two seconds from its deadline, anti-sniping 1 minute
    rfq_id, lines = await make_auction(bidding, minutes_left=3 / 60, anti_snipe=1, cap=5)
    original = as_utc((await rfq_row(rfq_id))["deadline"])
    # when A bids, and the message scheduled for the original deadline arrives after it
    response = await (await api(bidding.seller_a)).post(f"/api/v1/rfqs/{rfq_id}/offers",
                                                       json=offer_body(lines, "10", "20"))
    assert response.status_code == 201, response.text
    await asyncio.sleep(max(0.0, (original - await db.db_now()).total_seconds()) + 0.2)
    assert await db.db_now() > original
    closed = await deadlines.close_if_due(rfq_id)
    # then nothing closed: the job reads the moved deadline, and bidding stays open
    assert closed is False
    assert (await rfq_row(rfq_id))["status"] == "published"
    seller_b = await api(bidding.seller_b)
    assert (await seller_b.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "9", "20"))).status_code == 201


async def test_a_refused_bid_extends_nothing(bidding, api):
    rfq_id, lines = await make_auction(bidding, minutes_left=2, anti_snipe=5, cap=12)
    seller = await api(bidding.seller_a)
    offer_id = (await seller.post(f"/api/v1/rfqs/{rfq_id}/offers", json=offer_body(lines, "10", "20"))).json()["id"]
    after_first = await rfq_row(rfq_id)
    await Rfq.update({Rfq.deadline: await db.db_now() + timedelta(minutes=2)}).where(Rfq.id == rfq_id)
    moved_back = await rfq_row(rfq_id)
    # a revision that does not beat the last bid is refused and the deadline does not move
    with pytest.raises(Conflict):
        await services.revise_offer(await principal(bidding.seller_a), offer_id, bid_in(lines, "10", "20"))
    assert (await rfq_row(rfq_id))["deadline"] == moved_back["deadline"]
    assert (await rfq_row(rfq_id))["extended_minutes"] == after_first["extended_minutes"] == 5
