"""Logging in through the real login form in Chromium, as a person would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from app.demo import DEMO_PASSWORD, load_demo_data

pytestmark = pytest.mark.browser

BUYER_EMAIL = "buyer@acme.example"
BUYER_COMPANY = "Acme Hospital Group"
LOGIN_ERROR = "Wrong e-mail or password, or the account is not active."


def path_is(path: str) -> re.Pattern[str]:
    """A URL whose path is exactly `path` (any host and port, an optional query string)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


async def log_in(page: Page, email: str, password: str) -> None:
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


async def test_demo_buyer_logs_in_sees_the_buyer_dashboard_and_logs_out(page: Page, tmp_path: Path) -> None:
    # given the demo data, and a visitor who opens the site
    await load_demo_data()
    await page.goto("/")
    # then they are sent to the login form
    await expect(page).to_have_url(path_is("/login"))
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # when they log in as the demo purchaser of Acme
    await log_in(page, BUYER_EMAIL, DEMO_PASSWORD)

    # then they see the buyer dashboard of their company
    await expect(page).to_have_url(path_is("/dashboard"))
    await expect(page.get_by_role("heading", name="Buyer dashboard", level=1)).to_be_visible()
    await expect(page.get_by_role("main").get_by_text(BUYER_COMPANY, exact=True)).to_be_visible()
    await expect(page.get_by_role("banner")).to_contain_text(f"Bernd Buyer · {BUYER_COMPANY}")
    await page.screenshot(path=tmp_path / "buyer-dashboard.png", full_page=True)

    # when they log out
    await page.get_by_role("button", name="Log out").click()

    # then they are back on the login page, told so, and the session is gone
    await expect(page).to_have_url(path_is("/login"))
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("You are logged out.")
    await page.goto("/dashboard")
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Fdashboard$"))
    await expect(page.get_by_role("heading", name="Buyer dashboard")).to_have_count(0)
    await page.goto("/")
    await expect(page).to_have_url(path_is("/login"))


async def test_wrong_password_keeps_the_visitor_on_the_login_page(page: Page) -> None:
    # given the demo data and the login form
    await load_demo_data()
    await page.goto("/")
    await expect(page).to_have_url(path_is("/login"))

    # when the demo buyer types a wrong password
    await log_in(page, BUYER_EMAIL, "not-the-demo-password")

    # then the login page says so, keeps the e-mail, and nobody is logged in
    await expect(page).to_have_url(path_is("/login"))
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text(LOGIN_ERROR)
    await expect(page.get_by_label("E-mail")).to_have_value(BUYER_EMAIL)
    await expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # and the right password still works afterwards
    await log_in(page, BUYER_EMAIL, DEMO_PASSWORD)
    await expect(page.get_by_role("heading", name="Buyer dashboard", level=1)).to_be_visible()
