"""The vendor's RFQ inbox and history: closed RFQs that wait for the vendor (a counter-proposal, contract lines to
link, an amendment) above the open ones, past RFQs with the vendor's own outcome, the dashboard's figures linking
to both; and a vendor never learns of a competitor's offer or win, nor of an RFQ not meant for it."""

from __future__ import annotations

import csv
import io
import re

from app import db
from app.contracts import vendor_rfqs
from app.offers.rules import Outcome
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation
from tests.support.contracts import an_rfq, offer
from tests.support.fixtures import make_company, make_user
from tests.support.offers import principal, set_status


def waiting_section(html: str) -> str:
    return html.split('<section id="waiting">', 1)[1].split("</section>", 1)[0]


async def test_a_counter_proposal_waits_in_the_vendors_inbox_until_answered(world, api, browser):
    # given an RFQ both vendors offered on, closed, and the buyer's counter-proposal on A's offer only
    vendor_b = await make_company("vendor", name="Beta Supplies")
    seller_b = await make_user(vendor_b.id, "vendor_sales")
    rfq_id, lines = await an_rfq(world.buyer.id, [world.vendor.id, vendor_b.id], [("Hand gel", 40, None)])
    offer_a = await offer(api, world.vendor_admin, rfq_id, {lines[0]: "3.00"})
    await offer(api, seller_b, rfq_id, {lines[0]: "2.90"})
    await set_status(rfq_id, RfqStatus.CLOSED)
    proposal = await (await api(world.buyer_admin)).post(f"/api/v1/offers/{offer_a}/counter-proposals", json={
        "message": "2.50?", "lines": [{"rfq_line_id": lines[0], "unit_price": "2.50"}]})
    assert proposal.status_code == 201, proposal.text
    # when vendor A opens its RFQ inbox
    seller_a = await browser(world.vendor_admin)
    inbox = await seller_a.get("/vendor/rfqs")
    # then the closed RFQ waits there, with the buyer's name and a link to the page where A answers
    assert inbox.status_code == 200, inbox.text
    waiting = waiting_section(inbox.text)
    assert f'href="/vendor/rfqs/{rfq_id}"' in waiting and "A counter-proposal to accept or answer" in waiting
    assert world.buyer.name in waiting
    # and its dashboard counts it, linking to that list
    dashboard = (await seller_a.get("/dashboard")).text
    assert re.search(r'href="/vendor/rfqs#waiting">\s*1\s*<', dashboard), dashboard
    # and vendor B, with no counter-proposal, has nothing waiting and hears nothing of A's
    inbox_b = (await (await browser(seller_b)).get("/vendor/rfqs")).text
    assert "Nothing waits for you" in waiting_section(inbox_b) and "counter-proposal" not in inbox_b
    # when A accepts, nothing waits any more
    accepted = await (await api(world.vendor_admin)).post(
        f"/api/v1/counter-proposals/{proposal.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert await vendor_rfqs.waiting_for(await principal(world.vendor_admin)) == []


async def test_contract_lines_to_link_and_a_buyers_amendment_wait_for_the_winner_only(awarded, api, browser):
    world = awarded.world
    # given the award made A's contract with a free-text line to link (the `awarded` fixture)
    seller_a = await browser(world.vendor_admin)
    waiting = waiting_section((await seller_a.get("/vendor/rfqs")).text)
    assert f"1 line of contract {awarded.number} to link to your listings" in waiting
    assert f'href="/contracts/{awarded.contract_id}"' in waiting
    # when the buyer proposes an amendment
    proposed = await (await api(world.approver)).post(f"/api/v1/contracts/{awarded.contract_id}/amendments",
                                                      json={"note": "Shorter", "valid_to": (
                                                          await db.db_now()).replace(year=2099).isoformat()})
    assert proposed.status_code == 201, proposed.text
    # then it waits for A too
    waiting = waiting_section((await seller_a.get("/vendor/rfqs")).text)
    assert f"Version 2 of contract {awarded.number} to accept or reject" in waiting
    # and vendor B, invited but not a party, sees neither the contract nor the amendment
    inbox_b = (await (await browser(awarded.seller_b)).get("/vendor/rfqs")).text
    assert awarded.number not in inbox_b and "Nothing waits for you" in waiting_section(inbox_b)


async def test_the_history_shows_each_vendor_its_own_outcome_and_nothing_of_its_competitors(awarded, api, browser):
    world = awarded.world
    # given (besides the awarded fixture's RFQ: A won both lines, B never answered) an RFQ where A and B offered,
    # C declined and everything went to A; one closed where only A offered; an RFQ an outsider was not invited to
    vendor_c = await make_company("vendor", name="Gamma Goods")
    seller_c = await make_user(vendor_c.id, "vendor_admin")
    outsider = await make_user((await make_company("vendor", name="Outsider Ltd")).id, "vendor_admin")
    contest, lines = await an_rfq(world.buyer.id, [world.vendor.id, awarded.vendor_b, vendor_c.id],
                                  [("Masks", 500, None), ("Aprons", 100, None)])
    offer_a = await offer(api, world.vendor_admin, contest, {lines[0]: "0.50", lines[1]: "1.00"})
    await offer(api, awarded.seller_b, contest, {lines[0]: "0.55"})
    declined = await (await api(seller_c)).post(f"/api/v1/rfqs/{contest}/decline", json={"reason": "No stock"})
    assert declined.status_code == 200, declined.text
    await set_status(contest, RfqStatus.CLOSED)
    award = await (await api(world.buyer_admin)).post(f"/api/v1/rfqs/{contest}/award", json={
        "awards": [{"rfq_line_id": line, "offer_id": offer_a} for line in lines]})
    assert award.status_code == 200, award.text
    pending, pending_lines = await an_rfq(world.buyer.id, [world.vendor.id, awarded.vendor_b], [("Gowns", 10, None)])
    await offer(api, world.vendor_admin, pending, {pending_lines[0]: "9.00"})
    await set_status(pending, RfqStatus.CLOSED)
    open_rfq, _ = await an_rfq(world.buyer.id, [world.vendor.id], [("Caps", 10, None)])
    # when each vendor's history is read, whole and by outcome
    expected = {
        world.vendor_admin: {awarded.rfq_id: Outcome.WON, contest: Outcome.WON, pending: Outcome.PENDING},
        awarded.seller_b: {awarded.rfq_id: Outcome.NO_ANSWER, contest: Outcome.LOST, pending: Outcome.NO_ANSWER},
        seller_c: {contest: Outcome.DECLINED},
        outsider: {},
    }
    for email, outcomes in expected.items():
        caller = await principal(email)
        everything = await vendor_rfqs.history(caller)
        # then each lists exactly the past RFQs meant for it (never the open one), with its own outcome
        assert {item.rfq_id: Outcome(item.outcome) for item in everything.items} == outcomes, email
        # and the list filtered in SQL by an outcome holds exactly the rows showing it (one rule, two forms)
        for outcome in Outcome:
            filtered = await vendor_rfqs.history(caller, outcome=outcome.value)
            assert {item.rfq_id for item in filtered.items} == {
                rfq_id for rfq_id, ended in outcomes.items() if ended is outcome}, (email, outcome)
        assert open_rfq not in {item.rfq_id for item in everything.items}
    # and A sees how many lines it won; B sees only that it lost, never who won or at what price
    history_a = await vendor_rfqs.history(await principal(world.vendor_admin))
    won = {item.rfq_id: item.lines_won for item in history_a.items}
    assert won[contest] == 2
    page_b = (await (await browser(awarded.seller_b)).get("/vendor/rfqs/history")).text
    assert 'data-outcome="lost"' in page_b and world.vendor.name not in page_b and "0.50" not in page_b
    # and the outsider's history is empty and the RFQs are 404 to it
    outsider_browser = await browser(outsider)
    assert "No past requests for quotation" in (await outsider_browser.get("/vendor/rfqs/history")).text
    assert (await outsider_browser.get(f"/vendor/rfqs/{contest}")).status_code == 404
    # and A's dashboard counts link to the history by outcome
    dashboard = (await (await browser(world.vendor_admin)).get("/dashboard")).text
    assert re.search(r'href="/vendor/rfqs/history\?outcome=won">\s*2\s*<', dashboard), dashboard
    assert re.search(r'href="/vendor/rfqs/history\?outcome=pending">\s*1\s*<', dashboard), dashboard
    assert re.search(r'href="/vendor/rfqs#open">\s*1\s*<', dashboard), dashboard
    # and an unknown outcome is a 400 naming the choices
    bad = await (await browser(world.vendor_admin)).get("/vendor/rfqs/history?outcome=maybe")
    assert bad.status_code == 400 and "won" in bad.text


async def test_a_cancelled_rfq_shows_as_cancelled_and_a_cancelled_draft_not_at_all(world, api):
    # given a published RFQ cancelled later, and a draft cancelled before it ever reached the vendor
    published, _ = await an_rfq(world.buyer.id, [world.vendor.id], [("Caps", 10, None)])
    draft, _ = await an_rfq(world.buyer.id, [world.vendor.id], [("Caps", 10, None)])
    await Rfq.update({Rfq.published_at: None}).where(Rfq.id == draft)
    for rfq_id in (published, draft):
        await set_status(rfq_id, RfqStatus.CANCELLED)
    # when the vendor reads its history
    history = await vendor_rfqs.history(await principal(world.vendor_admin))
    # then only the published one is there, cancelled
    assert [(item.rfq_id, item.outcome) for item in history.items] == [(published, "cancelled")]
    assert await RfqInvitation.count() == 2


async def test_the_open_rfqs_and_the_history_are_grids_filtered_by_the_vendors_own_answer(world, api, browser):
    # given three open RFQs meant for the vendor: one it offered on, one it declined, one not answered yet
    offered, offered_lines = await an_rfq(world.buyer.id, [world.vendor.id], [("Gloves", 10, None)])
    declined, _ = await an_rfq(world.buyer.id, [world.vendor.id], [("Masks", 10, None)])
    waiting, _ = await an_rfq(world.buyer.id, [world.vendor.id], [("Gowns", 10, None)])
    for rfq_id, title in ((offered, "Gloves 2027"), (declined, "Masks 2027"), (waiting, "=Gowns 2027")):
        await Rfq.update({Rfq.title: title}).where(Rfq.id == rfq_id)
    await offer(api, world.vendor_admin, offered, {offered_lines[0]: "3.00"})
    await RfqInvitation.update({RfqInvitation.declined_at: await db.db_now()}).where(
        (RfqInvitation.rfq == declined) & (RfqInvitation.vendor == world.vendor.id))
    seller = await browser(world.vendor_admin)

    async def listed(query: str) -> list[int]:
        html = (await seller.get(f"/vendor/rfqs?{query}")).text.split('<section id="open">', 1)[1]
        return [int(n) for n in re.findall(r'<td><a href="/vendor/rfqs/(\d+)">', html)]

    # then each answer filter holds exactly the RFQs that show that answer
    assert await listed("answer=offered") == [offered]
    assert await listed("answer=declined") == [declined]
    assert await listed("answer=none") == [waiting]
    assert await listed("sort=-title&q=2027") == [declined, offered, waiting]
    # and the export of the open RFQs keeps a title that looks like a formula as text
    exported = (await seller.get("/vendor/rfqs/export.csv?answer=none")).content.decode("utf-8-sig").splitlines()
    assert exported[0].startswith("RFQ,Currency") and exported[1].startswith("'=Gowns 2027,EUR")
    # and once closed, the history is searched and exported the same way
    for rfq_id in (offered, declined, waiting):
        await set_status(rfq_id, RfqStatus.CLOSED)
    history = (await seller.get("/vendor/rfqs/history?outcome=declined")).text
    assert f'href="/vendor/rfqs/{declined}"' in history and f'href="/vendor/rfqs/{offered}"' not in history
    text = (await seller.get("/vendor/rfqs/history/export.csv?sort=title")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [
        ("'=Gowns 2027", "no answer", "0"), ("Gloves 2027", "offer in, award pending", "0"),
        ("Masks 2027", "declined", "0")]
