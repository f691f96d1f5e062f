"""The billing audit (who changed a credit limit or payment terms, when, before and after) is read in the back
office and cannot be edited or erased there; limits, terms and invoices change only through the API that audits and
checks them."""

from app.billing.tables import BillingAudit, CreditLimit
from tests.support.curation import back_office


async def test_the_back_office_reads_the_billing_audit_and_cannot_edit_it(world, api, browser):
    # given an audited credit-limit change
    operator = await api(world.operator)
    response = await operator.put(f"/api/v1/companies/{world.buyer.id}/credit",
                                  json={"currency": "EUR", "limit": "5000.00"})
    assert response.status_code == 200, response.text
    [entry] = await BillingAudit.select()
    assert entry["kind"] == "credit_limit" and entry["before"] == "" and "5,000.00" in entry["after"]
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/billing_audit/{entry['id']}/"
    # when an operator deletes it or edits it, or edits the limit behind the API's back
    attempts = [
        await session.delete(url),
        await session.patch(url, json={"after": "{}"}),
        await session.patch(f"/admin/api/tables/credit_limit/{(await CreditLimit.select().first())['id']}/",
                            json={"amount": 1}),
    ]
    # then each is refused, and nothing changed
    for response in attempts:
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert "read-only" in response.json()["detail"]
    assert await BillingAudit.select() == [entry]
    assert (await CreditLimit.select(CreditLimit.amount).first())["amount"] == 5000_0000
    # and the audit can be read there
    listed = await session.get("/admin/api/tables/billing_audit/")
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["rows"]] == [entry["id"]]
