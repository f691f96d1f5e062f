"""The vendor's RFQ page shows what the buyer gave: its company's name, its files (downloaded with the page's session,
under the API's access rule) and the questions and answers, with a form to ask one while bidding is open."""

from __future__ import annotations

from app.notifications.tables import OutboxEmail
from app.rfq.states import RfqStatus
from app.rfq.tables import RfqClarification
from tests.support.fixtures import csrf_token
from tests.support.offers import set_status
from tests.support.pages import error_beside, form_fields

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_the_vendor_page_names_the_buyer_and_serves_its_files_to_invited_vendors_only(bidding, api, browser):
    world = bidding.world
    # given the buyer attached a specification to its published RFQ
    attached = await (await api(world.buyer_admin)).post(
        f"/api/v1/rfqs/{bidding.rfq_id}/attachments", files={"file": ("spec.pdf", PDF, "application/pdf")})
    assert attached.status_code == 201, attached.text
    link = f"/rfqs/{bidding.rfq_id}/attachments/{attached.json()['id']}"
    # when an invited vendor opens the RFQ's page
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    # then it names the buyer company and links to the file, which downloads with the page's session
    assert page.status_code == 200, page.text
    assert world.buyer.name in page.text
    assert f'href="{link}"' in page.text and "spec.pdf" in page.text
    download = await seller.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    # and a vendor the RFQ is not meant for gets 404 for the file, as from the API
    outsider = await browser(bidding.outsider_seller)
    assert (await outsider.get(link)).status_code == 404
    assert (await (await api(bidding.outsider_seller)).get(f"/api/v1{link}")).status_code == 404


async def test_a_vendor_asks_from_its_page_and_reads_the_buyers_answer_there(bidding, api, browser):
    world = bidding.world
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    # when vendor A asks a question through the page's form
    asked = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/questions",
                              data={"_csrf_token": csrf_token(page.text), "question": "Are sizes S accepted?"})
    # then it is stored as A's question, the buyer is told with a link to its RFQ page, and the page shows it
    assert asked.status_code == 303, asked.text
    question = await RfqClarification.select().first()
    assert (question["vendor"], question["question"]) == (bidding.vendor_a, "Are sizes S accepted?")
    to_buyer = await OutboxEmail.select(OutboxEmail.body_text).where(
        OutboxEmail.subject.like("New question%")).first()
    assert to_buyer["body_text"].rstrip().endswith(f"/rfqs/{bidding.rfq_id}")
    page = (await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert "You asked: Are sizes S accepted?" in page and "Not answered yet." in page
    # and vendor B does not see A's private question
    page_b = (await (await browser(bidding.seller_b)).get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert "Are sizes S accepted?" not in page_b
    # when the buyer answers A privately
    answered = await (await api(world.buyer_admin)).post(
        f"/api/v1/rfqs/{bidding.rfq_id}/clarifications/{question['id']}/answer", json={"answer": "Yes, size S too."})
    assert answered.status_code == 200, answered.text
    # then A reads the answer on its page
    page = (await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")).text
    assert "The buyer answered: Yes, size S too." in page


async def test_a_blank_or_late_question_is_refused_on_the_page_with_the_reason(bidding, browser):
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    # when the vendor sends a blank question
    blank = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/questions",
                              data={"_csrf_token": csrf_token(page.text), "question": "   "})
    # then the page comes back with the reason and nothing is stored
    assert blank.status_code == 400
    assert error_beside(blank.text, "question") == "Question: write what you want to ask the buyer."
    # and one past the bound is said beside it, kept whole
    long = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/questions",
                             data={"_csrf_token": csrf_token(page.text), "question": "q" * 4001})
    assert long.status_code == 400
    assert error_beside(long.text, "question") == "Question: must be at most 4,000 characters"
    assert form_fields(long.text, f"/vendor/rfqs/{bidding.rfq_id}/questions")["question"] == "q" * 4001
    assert await RfqClarification.count() == 0
    # when bidding has closed, the page offers no form and a late question is refused with why
    await set_status(bidding.rfq_id, RfqStatus.CLOSED)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    assert f'action="/vendor/rfqs/{bidding.rfq_id}/questions"' not in page.text
    late = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/questions",
                             data={"_csrf_token": csrf_token(page.text), "question": "Still time?"})
    assert late.status_code == 409 and "while bidding is open" in late.text
    assert "while bidding is open" not in error_beside(late.text, "question")  # the RFQ's state: said at the top
    assert "Still time?" in late.text  # what the vendor typed is kept


async def test_the_offer_and_decline_forms_say_each_error_beside_its_field_and_keep_it(bidding, browser):
    seller = await browser(bidding.seller_a)
    page = await seller.get(f"/vendor/rfqs/{bidding.rfq_id}")
    offer_action = f"/vendor/rfqs/{bidding.rfq_id}/offer"
    fields = form_fields(page.text, offer_action)
    price = next(key for key in fields if key.startswith("price_"))
    # notes past their bound and a lead time that is no number, at once; the price typed stays
    wrong = await seller.post(offer_action, data={**fields, price: "12.50", "notes": "n" * 5001,
                                                  "lead_time_days": "soon"})
    assert wrong.status_code == 400
    assert error_beside(wrong.text, "notes") == "Notes: must be at most 5,000 characters (this one has 5,001)."
    assert error_beside(wrong.text, "lead_time_days") == "The lead time is a whole number of days."
    kept = form_fields(wrong.text, offer_action)
    assert (kept[price], kept["notes"], kept["lead_time_days"]) == ("12.50", "n" * 5001, "soon")
    # a decline reason past its bound is refused beside it, not cut to its limit unseen
    declined = await seller.post(f"/vendor/rfqs/{bidding.rfq_id}/decline",
                                 data={"_csrf_token": csrf_token(page.text), "reason": "r" * 2001})
    assert declined.status_code == 400
    assert error_beside(declined.text, "decline_reason") == "Reason: must be at most 2,000 characters"
    assert form_fields(declined.text, f"/vendor/rfqs/{bidding.rfq_id}/decline")["reason"] == "r" * 2001
