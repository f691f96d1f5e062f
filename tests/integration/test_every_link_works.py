"""Every page each role reaches from its dashboard, and every link and GET form on it, answers without an error.

The demo data gives every role something in each list (RFQs open, closed and awarded, offers, contracts, orders in
every state, listings to curate). Each role's walk starts from its dashboard and follows same-origin links breadth
first; an export that answered 401 to the page's own session, or a link to a page that does not exist, fails it.
"""

from __future__ import annotations

import re
import time

import pytest

from app.demo import DEMO_PASSWORD, load_demo_data
from tests.support.crawl import crawl

# One login per role of the demo data.
ROLES = {
    "purchaser": "buyer@acme.example",
    "buyer_admin": "admin@acme.example",
    "approver": "approver@acme.example",
    "vendor_admin": "sales@globex.example",
    "operator": "operator@market.example",
}

# A buyer admin's own pages (#14): the others get the 404 of a missing page (tests/integration/spending/
# test_control_pages.py), so no page of theirs may link to them.
ADMIN_ONLY = (r"/spending/rules/new", r"/spending/rules/\d+/edit", r"/spending/budgets/new",
              r"/spending/budgets/\d+/edit", r"/team/\d+/spending-limits")


@pytest.fixture
async def demo() -> None:
    await load_demo_data()


async def test_every_link_each_role_can_follow_answers(demo, browser):
    broken, counts, downloads, fetched = [], {}, {}, {}
    started = time.monotonic()
    for role, email in ROLES.items():
        # given the role signed in
        client = await browser(email, DEMO_PASSWORD)
        # when it follows every link from its dashboard
        found = await crawl(client, "/dashboard")
        counts[role], downloads[role], fetched[role] = len(found.fetched), len(found.downloads), found.fetched
        broken += [f"{role}: {line}" for line in found.broken]
        await client.aclose()
    # then none answers an error
    assert not broken, "\n".join(broken)
    # and each walk went past the dashboard and the navigation into the detail pages
    assert all(count > 15 for count in counts.values()), counts
    # and every role downloaded a document or an export, each of its media type
    assert all(downloads.values()), downloads
    # and the buyer admin reached the forms that write its spending controls (#14), which no other role links to
    for pattern in ADMIN_ONLY:
        assert any(re.fullmatch(pattern, url) for url in fetched["buyer_admin"]), pattern
        assert not any(re.fullmatch(pattern, url) for role in ROLES if role != "buyer_admin" for url in fetched[role])
    print(f"crawled {counts} pages, {downloads} downloads, in {time.monotonic() - started:.1f} s")
