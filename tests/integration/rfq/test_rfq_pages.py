"""The buyer's RFQ pages: work without JavaScript, CSRF in every form, errors shown on the page, no price leaks."""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.offers.tables import Offer, OfferLine, OfferRevision
from app.rfq.tables import Rfq, RfqLine
from tests.support.fixtures import csrf_token, make_company
from tests.support.pages import error_beside, form_fields, main_of
from tests.support.rfq import new_form


async def created_through_the_form(client, world) -> int:
    page = await client.get("/rfqs/new")
    response = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id))
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_a_buyer_drafts_publishes_and_closes_an_rfq_through_the_pages(world, browser):
    # given
    client = await browser(world.purchaser)
    home = await client.get("/rfqs")
    assert home.status_code == 200
    assert 'href="/rfqs"' in home.text  # the nav link
    form = await client.get("/rfqs/new")
    assert form.status_code == 200
    assert world.vendor.name in (await client.get("/rfqs/vendors", params={"vendor_q": world.vendor.name})).text
    # when the buyer saves a draft
    rfq_id = await created_through_the_form(client, world)
    detail = await client.get(f"/rfqs/{rfq_id}")
    # then
    assert "Printer paper" in detail.text and "A4 paper 80g" in detail.text
    assert "saved. Publish it when it is ready." in detail.text
    assert world.vendor.name in detail.text
    # when "Publish…" is pressed, a summary asks first (publishing cannot be undone) and nothing is published yet
    assert f'<form method="get" action="/rfqs/{rfq_id}/publish">' in detail.text
    summary = main_of((await client.get(f"/rfqs/{rfq_id}/publish")).text)
    assert "Publish “Printer paper”" in summary and "Line 1:" in summary and "A4 paper 80g" in summary
    assert world.vendor.name in summary and "Bidding closes" in summary and "cannot be undone" in summary
    one_click = await client.post(f"/rfqs/{rfq_id}/publish", data={"_csrf_token": csrf_token(detail.text)})
    assert one_click.status_code == 400 and "Publishing was not confirmed" in one_click.text
    assert (await client.get(f"/rfqs/{rfq_id}")).text.count("This is a draft") == 1
    # when its "Yes" is sent, it is published
    response = await client.post(f"/rfqs/{rfq_id}/publish", data={"_csrf_token": csrf_token(detail.text),
                                                                   "confirmed": "yes"})
    assert response.status_code == 303
    detail = await client.get(f"/rfqs/{rfq_id}")
    assert "Published: the vendors have been told." in detail.text
    assert "0 of 1 vendors answered." in detail.text
    assert "/comparison" not in detail.text
    # when bidding is closed early
    response = await client.post(f"/rfqs/{rfq_id}/close",
                                 data={"_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    assert response.status_code == 303
    detail = await client.get(f"/rfqs/{rfq_id}")
    assert f'href="/rfqs/{rfq_id}/comparison"' in detail.text
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"] == "closed"


async def test_a_bad_form_is_shown_again_with_the_error_and_nothing_is_saved(world, browser):
    client = await browser(world.purchaser)
    page = await client.get("/rfqs/new")
    response = await client.post("/rfqs/new", data=new_form(csrf_token(page.text), world.vendor.id,
                                                            line1_quantity="0", title="Kept title"))
    assert response.status_code == 400
    assert "Line 1 — quantity: must be a whole number of at least 1" in response.text
    assert 'value="Kept title"' in response.text
    assert await Rfq.count() == 0


async def test_a_shorter_deadline_is_refused_on_the_page(world, browser):
    client = await browser(world.purchaser)
    rfq_id = await created_through_the_form(client, world)
    detail = await client.get(f"/rfqs/{rfq_id}")
    await client.post(f"/rfqs/{rfq_id}/publish", data={"_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    detail = await client.get(f"/rfqs/{rfq_id}")
    earlier = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = await client.post(f"/rfqs/{rfq_id}/extend",
                                 data={"_csrf_token": csrf_token(detail.text), "deadline": earlier})
    assert response.status_code == 409
    assert "never shortened" in error_beside(response.text, "deadline")
    assert form_fields(response.text, f"/rfqs/{rfq_id}/extend")["deadline"] == earlier
    # a deadline that is no date is said beside the field too, as typed
    wrong = await client.post(f"/rfqs/{rfq_id}/extend",
                              data={"_csrf_token": csrf_token(detail.text), "deadline": "next friday"})
    assert wrong.status_code == 400
    assert error_beside(wrong.text, "deadline") == (
        "The new deadline must be a date and time such as 2027-01-31T17:00")
    assert form_fields(wrong.text, f"/rfqs/{rfq_id}/extend")["deadline"] == "next friday"


async def test_cancelling_asks_once_more_with_a_summary_and_the_reason_is_checked_first(world, browser):
    client = await browser(world.purchaser)
    rfq_id = await created_through_the_form(client, world)
    detail = await client.get(f"/rfqs/{rfq_id}")
    await client.post(f"/rfqs/{rfq_id}/publish", data={"_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    detail = await client.get(f"/rfqs/{rfq_id}")
    token = csrf_token(detail.text)
    # a blank reason, then one past its limit: said beside the reason, the long one kept whole, nothing cancelled
    blank = await client.post(f"/rfqs/{rfq_id}/cancel", data={"_csrf_token": token, "reason": "  "})
    assert blank.status_code == 400
    assert error_beside(blank.text, "reason") == "Reason: say why the RFQ is cancelled; the vendors will read it."
    long = await client.post(f"/rfqs/{rfq_id}/cancel", data={"_csrf_token": token, "reason": "r" * 2001})
    assert long.status_code == 400 and error_beside(long.text, "reason") == "Reason: must be at most 2,000 characters"
    assert form_fields(long.text, f"/rfqs/{rfq_id}/cancel")["reason"] == "r" * 2001
    # a reason: the confirmation says what follows, and nothing is cancelled yet
    asked = await client.post(f"/rfqs/{rfq_id}/cancel", data={"_csrf_token": token, "reason": "Budget cut"})
    assert asked.status_code == 200 and "cannot be undone" in asked.text and "Budget cut" in asked.text
    assert "Every vendor it was published to is told" in asked.text
    assert (await Rfq.select(Rfq.status).where(Rfq.id == rfq_id).first())["status"] == "published"
    # the confirmation's own post cancels
    done = await client.post(f"/rfqs/{rfq_id}/cancel", data={
        **form_fields(asked.text, f"/rfqs/{rfq_id}/cancel"), "_csrf_token": csrf_token(asked.text)})
    assert done.status_code == 303
    assert (await Rfq.select(Rfq.status, Rfq.cancel_reason).where(Rfq.id == rfq_id).first()) == {
        "status": "cancelled", "cancel_reason": "Budget cut"}
    # asking again about a cancelled RFQ says why not, as cancelling would
    again = await client.post(f"/rfqs/{rfq_id}/cancel", data={"_csrf_token": token, "reason": "Again"})
    assert again.status_code == 409 and "cannot become cancelled" in again.text


async def test_before_the_close_the_page_shows_no_price(world, browser):
    client = await browser(world.purchaser)
    rfq_id = await created_through_the_form(client, world)
    detail = await client.get(f"/rfqs/{rfq_id}")
    await client.post(f"/rfqs/{rfq_id}/publish", data={"_csrf_token": csrf_token(detail.text), "confirmed": "yes"})
    offer = Offer(rfq=rfq_id, vendor=world.vendor.id, created_at=utcnow(), revision_count=1)
    await offer.save()
    revision = OfferRevision(offer=offer.id, number=1, received_at=utcnow())
    await revision.save()
    line = await RfqLine.select(RfqLine.id).where(RfqLine.rfq == rfq_id).first()
    await OfferLine(revision=revision.id, rfq_line=line["id"], unit_price=29_876_543, quantity=200).save()
    detail = await client.get(f"/rfqs/{rfq_id}")
    assert "1 of 1 vendors answered." in detail.text
    # Every way the price could be written (plain or grouped); "2987" alone also matched a random CSRF token.
    assert not any(form in detail.text for form in ("29876543", "29,876,543", "29.876.543", "29\u202f876\u202f543"))


async def test_another_buyer_gets_404_and_a_vendor_403(world, browser):
    client = await browser(world.purchaser)
    rfq_id = await created_through_the_form(client, world)
    other = await browser(world.other_buyer_admin)
    assert (await other.get(f"/rfqs/{rfq_id}")).status_code == 404
    page = await other.get("/rfqs")
    assert "Printer paper" not in page.text
    vendor = await browser(world.vendor_admin)
    assert (await vendor.get("/rfqs")).status_code == 403
    assert 'href="/vendor/rfqs"' in (await vendor.get("/dashboard")).text


async def test_every_form_carries_a_csrf_token(world, browser):
    await make_company("vendor")
    client = await browser(world.purchaser)
    for path in ("/rfqs/new", f"/rfqs/{await created_through_the_form(client, world)}"):
        html = (await client.get(path)).text
        assert html.count("<form") - html.count('method="get"') == html.count('name="_csrf_token"')
