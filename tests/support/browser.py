"""Browser steps shared by the Chromium stories: logging in as a demo user, a vendor answering an RFQ."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from app.demo import DEMO_PASSWORD

DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# A story parametrized with this runs once on a laptop's screen and once on a phone's.
BOTH_WIDTHS = pytest.mark.parametrize(
    "viewport", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")])


async def log_in(chromium: Browser, live_server: str, email: str, password: str = DEMO_PASSWORD,
                 viewport: ViewportSize | None = None) -> Page:
    """A new browser context at `viewport` (Playwright's default without one), signed in as `email` through the
    login form, on its dashboard."""
    context = await chromium.new_context(base_url=live_server, viewport=viewport)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    return page


async def resize(page: Page, size: dict[str, int]) -> None:
    """The page at `size` once it has handled the resize: the menu (static/app.js) folds or opens a frame later, so
    what is measured at once would mix both layouts."""
    await page.set_viewport_size(size)
    await page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


async def follow_menu_link(page: Page, name: str) -> None:
    """Click the header's link `name`; on a phone the navigation is folded into the "Menu", opened first."""
    menu = page.locator("header.top details.menu")
    if not await menu.evaluate("menu => menu.open"):
        await menu.locator("summary").click()
    await menu.get_by_role("link", name=name, exact=True).click()


def on_server(link: str, live_server: str) -> str:
    """An e-mail's absolute link (made from MARKET_BASE_URL) pointed at the live server instead."""
    parts = urlsplit(link)
    return live_server + parts.path + (f"?{parts.query}" if parts.query else "")


async def answer(chromium: Browser, live_server: str, email: str, title: str, prices: list[str],
                 viewport: ViewportSize | None = None) -> None:
    vendor = await log_in(chromium, live_server, email, viewport=viewport)
    await follow_menu_link(vendor, "RFQ inbox")
    await vendor.get_by_role("link", name=title).click()
    for line, price in enumerate(prices, start=1):
        await vendor.get_by_label(f"Unit price of line {line}").fill(price)
    await vendor.get_by_label("Lead time (days)").fill("5")
    await vendor.get_by_role("button", name="Submit offer").click()
    await expect(vendor.get_by_role("status")).to_contain_text("offer")
    await vendor.context.close()


# axe-core's verdict on the page as it stands: the serious and critical violations, one line per element.
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
        .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}) at ${n.target.join(" ")}: ${v.help}`));
}"""


async def axe_violations(page: Page, axe_source: str) -> list[str]:
    """The page's serious and critical accessibility violations by axe-core (injected by the test, not the app: here,
    unless the context's init script already put it in every page)."""
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.add_script_tag(content=axe_source)
    path = page.url.split("/", 3)[-1]
    return [f"/{path}: {line}" for line in await page.evaluate(AXE_RUN)]


async def pick_product(page: Page, typed: str, name: str) -> None:
    """On the RFQ form: type into the product picker, wait for the results as they come (htmx), add `name`."""
    await page.get_by_label("Add a catalog product: type its name, SKU or GTIN").press_sequentially(typed)
    await page.get_by_role("button", name=f"Add {name}", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(f"Added a line for {name}")


async def invite_vendor(page: Page, name: str) -> None:
    """On the RFQ form: find the vendor by typing its name, invite it; it is then listed with a Remove button."""
    await page.get_by_label("Find a vendor by name").press_sequentially(name)
    await page.get_by_role("button", name=f"Invite {name}", exact=True).click()
    await expect(page.get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible()
