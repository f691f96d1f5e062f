"""The savings pages: charts drawn as SVG beside their tables, for the buyer's own figures; vendors get 404 and
buyers get no operator page."""

from __future__ import annotations

import re

from tests.integration.analytics.test_savings_api import negotiated_award


async def test_the_buyer_sees_its_savings_as_charts_and_tables(world, api, browser):
    # given an awarded RFQ
    rfq_id, _ = await negotiated_award(world, api)
    client = await browser(world.buyer_admin)
    # when the buyer opens its savings page
    page = await client.get("/analytics/savings")
    # then each chart is inline SVG without any script, beside its table
    assert page.status_code == 200, page.text
    # (by month, by category, by cost center, one vendor's competitiveness)
    charts = re.findall(r"<svg.*?</svg>", page.text, re.S)
    assert len(charts) == 4 and not any("<script" in chart for chart in charts)
    assert "Savings by month" in page.text and "Beta Supplies" in page.text
    # and the RFQ's own page draws its offer spread
    spread = await client.get(f"/rfqs/{rfq_id}/analytics")
    assert spread.status_code == 200 and "<svg" in spread.text and "Nitrile gloves M" in spread.text
    # and the downloads are there
    xlsx = await client.get("/analytics/savings/export.xlsx?table=month")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxml")
    assert (await client.get("/analytics/savings/export.csv?table=nothing")).status_code == 404


async def test_others_see_nothing_of_it(world, api, browser):
    rfq_id, _ = await negotiated_award(world, api)
    other = await browser(world.other_buyer_admin)
    page = await other.get("/analytics/savings")
    assert page.status_code == 200 and "Beta Supplies" not in page.text and "<svg" not in page.text
    assert (await other.get(f"/rfqs/{rfq_id}/analytics")).status_code == 404
    vendor = await browser(world.vendor_admin)
    assert (await vendor.get("/analytics/savings")).status_code == 404
    assert (await vendor.get(f"/rfqs/{rfq_id}/analytics")).status_code == 404
    assert (await other.get("/operator/analytics")).status_code == 403


async def test_the_operator_sees_the_marketplace(world, api, browser):
    await negotiated_award(world, api)
    page = await (await browser(world.operator)).get("/operator/analytics")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text and "Response rate" in page.text
    activity = await (await browser(world.operator)).get("/operator/analytics/export.csv?table=activity")
    assert activity.status_code == 200 and b"RFQs awarded" in activity.content
