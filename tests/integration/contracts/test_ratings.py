"""Buyers rate the vendors of their contracts: one rating per buyer company and contract, by those who decide."""

import asyncio
import sqlite3
from datetime import timedelta

import asyncpg
import pytest

from app import db
from app.contracts.ratings import vendor_ratings
from app.contracts.tables import Contract, ContractRating
from tests.support.fixtures import csrf_token
from tests.support.pages import main_of

INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)


async def _rate(api, email: str, contract_id: int, body: dict):
    return await (await api(email)).post(f"/api/v1/contracts/{contract_id}/rating", json=body)


async def test_rating_again_replaces_the_companys_one_rating(awarded, api):
    world = awarded.world
    # given the approver's rating of the contract's vendor
    first = await _rate(api, world.approver, awarded.contract_id, {"score": 2, "comment": "Late twice"})
    assert first.status_code == 200, first.text
    assert first.json()["score"] == 2 and first.json()["replaced"] is False
    # when the buyer admin of the same company rates it again
    second = await _rate(api, world.buyer_admin, awarded.contract_id, {"score": 4, "comment": "  Better since  "})
    # then the company still has one rating, the latest
    assert second.status_code == 200, second.text
    assert second.json()["replaced"] is True and second.json()["rated_by"] == world.buyer_admin
    rows = await ContractRating.select().where(ContractRating.contract == awarded.contract_id)
    assert [(row["score"], row["comment"], row["buyer"], row["vendor"]) for row in rows] == [
        (4, "Better since", world.buyer.id, world.vendor.id)]
    assert await vendor_ratings([world.vendor.id]) == {world.vendor.id: (4, 1)}


async def test_only_the_deciders_of_the_buyer_company_rate_and_others_get_its_404(awarded, api):
    world = awarded.world
    body = {"score": 5}
    # purchasers of the buyer see the contract but do not speak for the company; the vendor may not rate itself
    assert (await _rate(api, world.purchaser, awarded.contract_id, body)).status_code == 403
    assert (await _rate(api, world.vendor_admin, awarded.contract_id, body)).status_code == 403
    assert (await _rate(api, world.operator, awarded.contract_id, body)).status_code == 403
    # another buyer and another vendor do not learn the contract exists
    other = await _rate(api, world.other_buyer_admin, awarded.contract_id, body)
    assert other.status_code == 404 and other.json() == (await _rate(api, world.buyer_admin, 999_999, body)).json()
    assert (await _rate(api, awarded.seller_b, awarded.contract_id, body)).status_code == 404
    assert await ContractRating.count() == 0


async def test_a_score_outside_one_to_five_or_a_long_comment_is_refused(awarded, api):
    for body in ({"score": 0}, {"score": 6}, {"score": 4.5}, {}, {"score": 3, "comment": "x" * 2001},
                 {"score": 3, "extra": 1}):
        response = await _rate(api, awarded.world.approver, awarded.contract_id, body)
        assert response.status_code == 400, (body, response.text)
    assert await ContractRating.count() == 0


async def test_a_contract_that_has_not_started_cannot_be_rated(awarded, api):
    # given a contract whose start was moved a week ahead
    start = await db.db_now() + timedelta(days=7)
    await Contract.update({Contract.valid_from: start}).where(Contract.id == awarded.contract_id)
    response = await _rate(api, awarded.world.approver, awarded.contract_id, {"score": 5})
    assert response.status_code == 409 and "not started" in response.json()["detail"]


async def test_an_ended_contract_can_still_be_rated(awarded, api):
    await Contract.update({Contract.terminated_at: await db.db_now()}).where(Contract.id == awarded.contract_id)
    assert (await _rate(api, awarded.world.approver, awarded.contract_id, {"score": 1})).status_code == 200


async def test_the_contract_page_shows_the_rating_and_its_form_to_the_buyer_not_to_the_vendor(awarded, browser):
    world = awarded.world
    buyer = await browser(world.approver)
    page = await buyer.get(f"/contracts/{awarded.contract_id}")
    assert "Not rated yet" in page.text and f'action="/contracts/{awarded.contract_id}/rating"' in page.text
    # when the approver picks no score
    refused = await buyer.post(f"/contracts/{awarded.contract_id}/rating",
                               data={"comment": "Fine", "_csrf_token": csrf_token(page.text)})
    # then it is said beside the score, the comment kept
    assert refused.status_code == 400 and 'id="rating_score-error"' in refused.text
    assert ">Fine</textarea>" in refused.text
    # when the approver rates 4 with a comment
    done = await buyer.post(f"/contracts/{awarded.contract_id}/rating",
                            data={"score": "4", "comment": "Reliable", "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    shown = main_of((await buyer.get(f"/contracts/{awarded.contract_id}")).text)
    assert "4 / 5" in shown and "Reliable" in shown and "Replace rating" in shown
    # the vendor's page of the same contract says nothing of it; a purchaser sees it but gets no form
    vendor = main_of((await (await browser(world.vendor_admin)).get(f"/contracts/{awarded.contract_id}")).text)
    assert "Reliable" not in vendor and "rating" not in vendor.lower()
    purchaser = (await (await browser(world.purchaser)).get(f"/contracts/{awarded.contract_id}")).text
    assert "Reliable" in purchaser and f'action="/contracts/{awarded.contract_id}/rating"' not in purchaser


async def test_deciders_rating_at_once_leave_one_rating(awarded, api):
    world = awarded.world
    clients = [await api(world.approver), await api(world.buyer_admin)] * 5
    # when ten ratings of the same contract race
    responses = await asyncio.gather(*(
        client.post(f"/api/v1/contracts/{awarded.contract_id}/rating", json={"score": 1 + n % 5})
        for n, client in enumerate(clients)))
    # then every one is answered, and the company has one rating: one of theirs
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    rows = await ContractRating.select(ContractRating.score).where(ContractRating.contract == awarded.contract_id)
    assert len(rows) == 1 and rows[0]["score"] in {1, 2, 3, 4, 5}


async def test_the_database_refuses_a_score_outside_one_to_five_from_any_writer(awarded):
    # given a writer that skips the API (the back office, a script)
    now = await db.db_now()
    for score in (0, 6):
        row = ContractRating(contract=awarded.contract_id, buyer=awarded.world.buyer.id,
                             vendor=awarded.world.vendor.id, score=score, created_at=now, updated_at=now)
        # then the database refuses it
        with pytest.raises(INTEGRITY_ERRORS, match="contract_rating_score_1_to_5"):
            await ContractRating.insert(row)
    assert await ContractRating.count() == 0
