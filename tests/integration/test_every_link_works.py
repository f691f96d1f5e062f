"""Every page each role reaches from its dashboard, and every link and GET form on it, answers without an error.

The demo data gives every role something in each list (RFQs open, closed and awarded, offers, contracts, orders in
every state, listings to curate). Each role's walk starts from its dashboard and follows same-origin links breadth
first; an export that answered 401 to the page's own session, or a link to a page that does not exist, fails it.
"""

from __future__ import annotations

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


@pytest.fixture
async def demo() -> None:
    await load_demo_data()


async def test_every_link_each_role_can_follow_answers(demo, browser):
    broken, counts, downloads = [], {}, {}
    started = time.monotonic()
    for role, email in ROLES.items():
        # given the role signed in
        client = await browser(email, DEMO_PASSWORD)
        # when it follows every link from its dashboard
        found = await crawl(client, "/dashboard")
        counts[role], downloads[role] = len(found.fetched), len(found.downloads)
        broken += [f"{role}: {line}" for line in found.broken]
        await client.aclose()
    # then none answers an error
    assert not broken, "\n".join(broken)
    # and each walk went past the dashboard and the navigation into the detail pages
    assert all(count > 15 for count in counts.values()), counts
    # and every role downloaded a document or an export, each of its media type
    assert all(downloads.values()), downloads
    print(f"crawled {counts} pages, {downloads} downloads, in {time.monotonic() - started:.1f} s")
