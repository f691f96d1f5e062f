"""The sourcing story in Chromium: after the close, a buyer builds two award scenarios from the comparison page (the
cheapest per line, and the lowest total from one vendor), compares them side by side, awards the second through the
award's own confirmation page, and the savings page shows the award in its tables and charts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.async_api import Page, expect

from app.demo import load_demo_data
from app.demo.rfqs import DemoLine, DemoRfq, ensure_demo_rfq
from app.offers.tables import Award
from tests.support.browser import BOTH_WIDTHS, follow_menu_link, log_in

pytestmark = pytest.mark.browser

GLOBEX, UMBRELLA, INITECH = "Globex Medical Supplies", "Umbrella Lab Equipment", "Initech Office"
# Cheapest per line: gauze from Globex (250.00), masks from Umbrella (1,040.00), sanitizer from Initech (1,185.00),
# 2,475.00 in all; from one vendor: Umbrella's 2,610.00 (Globex 2,640.00, Initech 2,655.00). Targets: 2,850.00.
STORY = DemoRfq(
    title="Theatre consumables 2027 (scenario story)",
    author="buyer@acme.example",
    vendors=(GLOBEX, UMBRELLA, INITECH),
    lines=(
        DemoLine(None, "Sterile gauze swabs 10 x 10 cm", 1000, "pack", "0.30"),
        DemoLine(None, "Surgical masks, box of 50", 200, "box", "6.00"),
        DemoLine(None, "Hand sanitizer 500 ml", 300, "bottle", "4.50"),
    ),
    bids={
        GLOBEX: ("sales@globex.example", (("0.25", "5.80", "4.10"),)),
        UMBRELLA: ("sales@umbrella.example", (("0.28", "5.20", "4.30"),)),
        INITECH: ("sales@initech.example", (("0.29", "5.90", "3.95"),)),
    },
    close=True,
)


def amount(text: str) -> Decimal:
    """The one amount in a cell such as "€2,610.00" or "2.610,00 €" (the money formatter's, any locale), exactly."""
    digits = re.sub(r"[^\d.,-]", "", text)
    whole, _, cents = digits.rpartition("," if re.search(r",\d{2}$", digits) else ".")
    return Decimal(re.sub(r"[.,]", "", whole) + "." + cents)


async def row_cells(page: Page, caption: str, first: str) -> list[str]:
    """The cells of the row that starts with `first` in the table captioned `caption` (empty when there is none)."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    row = table.locator("tbody tr", has=page.locator("th, td", has_text=re.compile(f"^{re.escape(first)}$")))
    if not await row.count():
        return []
    return [cell.strip() for cell in await row.first.locator("th, td").all_inner_texts()]


async def umbrella_awarded(page: Page) -> Decimal:
    """Umbrella's awarded value in EUR on the savings page's "by vendor" table (0 when it has no row yet)."""
    await page.goto("/analytics/savings")
    rows = page.locator("table", has=page.locator("caption", has_text="Savings by vendor")).locator("tbody tr")
    for index in range(await rows.count()):
        cells = [c.strip() for c in await rows.nth(index).locator("td").all_inner_texts()]
        if cells[:2] == [UMBRELLA, "EUR"]:
            return amount(cells[3])  # Vendor, Currency, Lines, Awarded value, …
    return Decimal(0)


@BOTH_WIDTHS
async def test_a_buyer_compares_two_scenarios_and_awards_the_second(chromium, live_server, viewport):
    # given the demo (with Acme's sourcing history) and Acme's closed RFQ that three vendors answered
    await load_demo_data()
    rfq_id = await ensure_demo_rfq(STORY)
    buyer = await log_in(chromium, live_server, "admin@acme.example", viewport=viewport)
    before = await umbrella_awarded(buyer)

    # when the buyer opens the comparison and follows it to the award scenarios
    await follow_menu_link(buyer, "RFQs")
    await buyer.goto(f"/rfqs/{rfq_id}/comparison")
    await buyer.get_by_role("link", name="Award scenarios").click()
    await expect(buyer.get_by_role("heading", level=1)).to_contain_text(STORY.title)

    # and builds a first scenario from the cheapest offer per line, then a second from one vendor only
    for name, preset in (("Cheapest per line", "Lowest price per line (cherry-pick)"),
                         ("One vendor", "Lowest total from one vendor")):
        await buyer.get_by_label("Name", exact=True).fill(name)
        await buyer.get_by_label("Start from").select_option(label=preset)
        await buyer.get_by_role("button", name="Solve and save").click()
        await expect(buyer.get_by_role("status")).to_contain_text(f"Scenario “{name}” is solved: proven optimal")

    # then the two stand side by side: totals, the savings against the one-vendor plan, what the constraint costs
    caption = "Side by side"
    side = buyer.locator("table", has=buyer.locator("caption", has_text=caption))
    await expect(side.locator("thead th")).to_have_text(["Figure", "Cheapest per line", "One vendor"])
    assert [amount(c) for c in (await row_cells(buyer, caption, "Total"))[1:]] == [Decimal("2475.00"),
                                                                                 Decimal("2610.00")]
    assert (await row_cells(buyer, caption, "Vendors used"))[1:] == ["3", "1"]
    savings = await row_cells(buyer, caption, "Savings vs the lowest total from one vendor")
    assert [amount(c) for c in savings[1:]] == [Decimal("135.00"), Decimal("0.00")]
    cost = await row_cells(buyer, caption, "Cost of the constraints (vs the unconstrained optimum)")
    assert [amount(c) for c in cost[1:]] == [Decimal("0.00"), Decimal("135.00")]
    target = await row_cells(buyer, caption, "Savings vs target prices")
    assert [amount(c) for c in target[1:]] == [Decimal("375.00"), Decimal("240.00")]
    assert UMBRELLA in (await row_cells(buyer, caption, "Lines per vendor"))[2]

    # when the buyer awards the second: the award's own confirmation page, pre-filled with its plan
    await buyer.get_by_role("button", name="Award this scenario… (“One vendor”)").click()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text(f"Award “{STORY.title}”?")
    plan = buyer.locator("table", has=buyer.locator("caption", has_text="What will be awarded"))
    await expect(plan.locator("tbody tr")).to_have_count(3)
    for index in range(3):
        await expect(plan.locator("tbody tr").nth(index).locator("td").nth(2)).to_have_text(UMBRELLA)
    await expect(plan.locator("tfoot")).to_contain_text(re.compile(r"2[.,]610[.,]00"))
    # lines 1 and 3 are not the cheapest offer: the award asks why
    await buyer.get_by_label(re.compile("Why lines 1, 3 go to an offer that is not the cheapest")).fill(
        "One vendor for the whole theatre: one delivery, one contract.")
    await buyer.get_by_role("button", name="Yes, award").click()

    # then the RFQ is awarded, every line to Umbrella
    await expect(buyer.get_by_role("status")).to_contain_text("awarded")
    awards = await Award.select(Award.vendor.name, Award.rfq_line.position).where(Award.rfq == rfq_id).order_by(
        Award.rfq_line.position)
    assert [(a["rfq_line.position"], a["vendor.name"]) for a in awards] == [(1, UMBRELLA), (2, UMBRELLA),
                                                                             (3, UMBRELLA)]

    # and the savings page counts it: Umbrella's awarded value grew by the scenario's total, beside the charts
    assert await umbrella_awarded(buyer) - before == Decimal("2610.00")
    await expect(buyer.get_by_role("heading", name="Savings", level=1)).to_be_visible()
    for chart in ("Savings by month", "Savings by category"):
        figure = buyer.locator("figure.chart", has=buyer.locator("figcaption", has_text=chart))
        await expect(figure.locator("svg")).to_have_count(1)
    month = await buyer.locator("table", has=buyer.locator("caption", has_text="Savings by month")).inner_text()
    assert "EUR" in month
