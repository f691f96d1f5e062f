"""Terminating a contract from its page is confirmed on a summary first; a one-click post is refused."""

from app.contracts.tables import Contract
from tests.support.fixtures import csrf_token
from tests.support.pages import error_beside, form_fields, main_of


async def test_terminating_is_confirmed_on_a_summary_before_it_is_done(awarded, browser):
    buyer = await browser(awarded.world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    # given the contract page, whose terminate form only leads to a confirmation
    assert f'action="/contracts/{awarded.contract_id}/terminate/confirm"' in page.text
    # when the buyer gives a reason and presses "Terminate contract…"
    summary = await buyer.post(f"/contracts/{awarded.contract_id}/terminate/confirm",
                               data={"reason": "Moving supplier", "_csrf_token": csrf_token(page.text)})
    # then the contract still runs, and the page says what ending it does, with the reason typed kept
    assert summary.status_code == 200, summary.text
    assert (await Contract.select(Contract.terminated_at).first())["terminated_at"] is None
    text = main_of(summary.text)
    assert f"Terminate contract {awarded.number}?" in text and "Its prices stop at once for its 2 lines" in text
    assert "Nitrile gloves M at 8.00 EUR" in text and ">Moving supplier</textarea>" in text
    # when its "Yes, terminate" form is sent
    done = await buyer.post(f"/contracts/{awarded.contract_id}/terminate", data={
        "reason": "Moving supplier", "confirmed": "yes", "_csrf_token": csrf_token(summary.text)})
    # then the contract is terminated
    assert done.status_code == 303
    assert (await Contract.select(Contract.termination_reason).first())["termination_reason"] == "Moving supplier"


async def test_a_one_click_terminate_post_without_the_confirmation_is_refused(awarded, browser):
    buyer = await browser(awarded.world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    # when a forged form posts the termination straight away
    forged = await buyer.post(f"/contracts/{awarded.contract_id}/terminate",
                              data={"reason": "Moving supplier", "_csrf_token": csrf_token(page.text)})
    # then it is refused on the contract page with the reason, and the contract runs on
    assert forged.status_code == 400 and "Terminating was not confirmed" in forged.text
    assert (await Contract.select(Contract.terminated_at).first())["terminated_at"] is None


async def test_the_vendor_gets_no_termination_summary(awarded, browser):
    vendor = await browser(awarded.world.vendor_admin)
    page = await vendor.get(f"/contracts/{awarded.contract_id}")
    # when the vendor asks for the buyer's confirmation page
    answer = await vendor.post(f"/contracts/{awarded.contract_id}/terminate/confirm",
                               data={"reason": "x", "_csrf_token": csrf_token(page.text)})
    # then it gets the contract page with why not, and no "Yes, terminate" form
    assert answer.status_code == 409 and "cannot be terminated" in answer.text and "Yes, terminate" not in answer.text


async def test_a_blank_or_too_long_reason_is_said_beside_it_and_kept_whole(awarded, browser):
    buyer = await browser(awarded.world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    for reason, said in (("  ", "Reason: say why the contract ends; the other party reads it."),
                         ("r" * 2001, "Reason: must be at most 2,000 characters")):
        # when the buyer asks to terminate with it
        refused = await buyer.post(f"/contracts/{awarded.contract_id}/terminate/confirm",
                                   data={"reason": reason, "_csrf_token": csrf_token(page.text)})
        # then the contract page says it beside the reason, which comes back whole (no longer cut at 2,000)
        assert refused.status_code == 400 and error_beside(refused.text, "reason") == said
        assert form_fields(refused.text, f"/contracts/{awarded.contract_id}/terminate/confirm")["reason"] == reason
    assert (await Contract.select(Contract.terminated_at).first())["terminated_at"] is None
