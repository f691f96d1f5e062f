"""The spending audit is read in the back office and nobody edits or deletes it there."""

from __future__ import annotations

from app.spending.tables import SpendingAudit
from tests.integration.curation.test_back_office_guards import refused
from tests.support.curation import back_office


async def test_the_back_office_reads_the_spending_audit_and_cannot_change_it(world, api, browser):
    # given a rule written by the buyer's admin, which the audit records with who and after
    admin = await api(world.buyer_admin)
    made = await admin.post("/api/v1/approval-rules", json={"name": "All", "approver_role": "approver"})
    assert made.status_code == 201
    await admin.patch(f"/api/v1/approval-rules/{made.json()['id']}", json={"name": "Everything"})
    entries = await SpendingAudit.select().order_by(SpendingAudit.id).output(load_json=True)
    assert [e["kind"] for e in entries] == ["rule.created", "rule.changed"]
    assert entries[1]["before"]["name"] == "All" and entries[1]["after"]["name"] == "Everything"
    stored = await SpendingAudit.select()
    # when an operator tries to edit, delete or add an entry in the back office
    session = await back_office(browser, world.operator)
    url = f"/admin/api/tables/spending_audit/{entries[0]['id']}/"
    attempts = [await session.delete(url), await session.patch(url, json={"kind": "x"}),
                await session.post("/admin/api/tables/spending_audit/", json={"kind": "x"})]
    # then each is refused, the audit is as it was, and it can be read
    for response in attempts:
        assert 400 <= response.status_code < 500 and "read-only" in refused(response), response.text
    assert await SpendingAudit.select() == stored
    assert (await session.get("/admin/api/tables/spending_audit/")).status_code == 200
