"""Exchange rates over the API and the operators' page: operators add and import, buyers and operators read,
vendors hear 403; a duplicate day is 409; a file with a row to fix imports nothing; the export is formula-neutral."""

from __future__ import annotations

from decimal import Decimal

from app.exchange_rates.tables import ExchangeRate
from tests.support.fixtures import csrf_token

URL = "/api/v1/exchange-rates"
RATE = {"base": "usd", "quote": "EUR", "rate": "0.9213", "valid_on": "2026-11-30", "source": "ECB"}


async def test_an_operator_adds_a_rate_and_buyers_read_it(api, world):
    operator = await api(world.operator)
    added = await operator.post(URL, json=RATE)
    assert added.status_code == 201, added.text
    assert (added.json()["base"], Decimal(added.json()["rate"])) == ("USD", Decimal("0.9213"))
    assert added.json()["label"] == "1 USD = 0.9213 EUR, 2026-11-30"
    listed = await (await api(world.purchaser)).get(URL)
    assert listed.status_code == 200
    assert [item["label"] for item in listed.json()["items"]] == ["1 USD = 0.9213 EUR, 2026-11-30"]


async def test_only_operators_add_and_vendors_do_not_read(api, world):
    for email in (world.buyer_admin, world.purchaser, world.vendor_admin):
        assert (await (await api(email)).post(URL, json=RATE)).status_code == 403
    assert (await (await api(world.vendor_admin)).get(URL)).status_code == 403
    assert await ExchangeRate.count() == 0


async def test_a_second_rate_for_the_same_pair_and_day_is_a_conflict(api, world):
    operator = await api(world.operator)
    assert (await operator.post(URL, json=RATE)).status_code == 201
    again = await operator.post(URL, json={**RATE, "rate": "0.93"})
    assert again.status_code == 409
    assert "later day" in again.json()["detail"]


async def test_a_wrong_rate_says_each_field_to_fix(api, world):
    response = await (await api(world.operator)).post(URL, json={**RATE, "base": "EURO", "rate": "-1"})
    assert response.status_code == 400
    assert "ISO 4217" in response.json()["detail"] and "above zero" in response.json()["detail"]


async def test_a_file_with_a_row_to_fix_imports_nothing_and_a_good_one_everything(api, world):
    operator = await api(world.operator)
    bad = b"base,quote,rate,valid_on\nUSD,EUR,0.92,2026-11-30\nGBP,EUR,zero,2026-11-30\n"
    refused = await operator.post(f"{URL}/import", files={"file": ("rates.csv", bad, "text/csv")})
    assert refused.status_code == 400
    assert "Row 3" in refused.json()["detail"] and "not a decimal number" in refused.json()["detail"]
    assert await ExchangeRate.count() == 0
    good = b"base,quote,rate,valid_on,source\nUSD,EUR,0.92,2026-11-30,=cmd\nGBP,EUR,1.15,2026-11-30,\n"
    done = await operator.post(f"{URL}/import", files={"file": ("rates.csv", good, "text/csv")})
    assert done.status_code == 201, done.text
    assert done.json()["imported"] == 2
    export = await operator.get(f"{URL}/export.csv")
    assert export.status_code == 200
    assert "'=cmd" in export.text  # formula-neutral


async def test_the_operators_page_adds_a_rate_and_shows_each_fields_problem(browser, world):
    page = await browser(world.operator)
    shown = await page.get("/operator/exchange-rates")
    assert shown.status_code == 200
    token = csrf_token(shown.text)
    wrong = await page.post("/operator/exchange-rates", data={**RATE, "rate": "abc", "_csrf_token": token})
    assert wrong.status_code == 400
    assert "not a decimal number" in wrong.text
    done = await page.post("/operator/exchange-rates", data={**RATE, "_csrf_token": token})
    assert done.status_code in (200, 303)
    assert await ExchangeRate.count() == 1
    buyer = await browser(world.buyer_admin)
    assert (await buyer.get("/operator/exchange-rates")).status_code == 403
