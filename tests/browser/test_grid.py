"""The data grid in Chromium: typing a search, choosing a filter, sorting and paging swap the grid in place, the
address follows (so back and a bookmark keep the view), a row's link still opens its page, and the export downloads
the selection with the page's session."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.async_api import expect

from app.rfq.tables import Rfq
from tests.support.browser import log_in
from tests.support.fixtures import PASSWORD, make_company, make_user
from tests.support.offers import make_rfq

pytestmark = pytest.mark.browser


async def test_an_operator_searches_sorts_pages_and_exports_the_companies(chromium, live_server, tmp_path):
    # given an operator and 30 vendors, two of them named "Tools"
    operator_company = await make_company("operator")
    operator = await make_user(operator_company.id, "operator")
    for number in range(28):
        await make_company("vendor", name=f"Supplier {number:02d}")
    await make_company("vendor", name="Acme Tools")
    await make_company("vendor", name="Zeta Tools")
    page = await log_in(chromium, live_server, operator, PASSWORD)
    await page.get_by_role("link", name="Companies", exact=True).click()
    grid = page.locator("#grid")
    rows = grid.locator("tbody tr")
    # the first page holds all 31 companies (50 a page)
    await expect(grid.locator(".grid-meta")).to_contain_text("1\u201331 of 31")
    # when the operator types a search, the grid follows without a page load, and the address keeps it
    marker = await page.evaluate("() => (window.__sameDocument = true)")
    await page.get_by_role("searchbox", name="Search").fill("tools")
    await expect(rows).to_have_count(2)
    await expect(page).to_have_url(re.compile(r"/operator/companies\?q=tools$"))  # the view's own link
    assert marker and await page.evaluate("() => window.__sameDocument === true")
    # and the search field kept what was typed, with its focus
    await expect(page.get_by_role("searchbox", name="Search")).to_have_value("tools")
    # when it sorts by name the other way round
    await grid.get_by_role("link", name="Name").click()
    await expect(page).to_have_url(re.compile(r"sort=-name"))
    await expect(rows.nth(0)).to_contain_text("Zeta Tools")
    await expect(grid.get_by_role("columnheader", name=re.compile("Name"))).to_have_attribute("aria-sort", "descending")
    # then back goes to the view before
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"\?q=tools$"))
    # when it downloads the selection as Excel with its session
    async with page.expect_download() as download_info:
        await grid.get_by_role("link", name="Excel").click()
    download = await download_info.value
    assert download.suggested_filename == "companies.xlsx"
    await download.save_as(tmp_path / "companies.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "companies.xlsx")
    names = [row[0] for row in workbook["Companies"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Acme Tools", "Zeta Tools"]
    # when a filter is chosen, the grid follows too
    await page.get_by_role("searchbox", name="Search").fill("")
    await page.get_by_label("Kind").select_option("operator")
    await expect(rows).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"kind=operator"))
    await page.context.close()


async def test_the_pager_swaps_the_grid_and_a_row_link_opens_its_page(chromium, live_server):
    buyer = await make_company("buyer")
    admin = await make_user(buyer.id, "buyer_admin")
    vendor = await make_company("vendor")
    for number in range(22):
        rfq_id, _ = await make_rfq(buyer.id, [vendor.id])
        await Rfq.update({Rfq.title: f"Lot {number:02d}"}).where(Rfq.id == rfq_id)
    page = await log_in(chromium, live_server, admin, PASSWORD)
    await page.goto("/rfqs?sort=title")
    grid = page.locator("#grid")
    await grid.get_by_role("link", name="Next page").click()
    await expect(page).to_have_url(re.compile(r"sort=title&page=2"))
    await expect(grid.locator("tbody tr")).to_have_count(2)
    await grid.get_by_role("link", name="Lot 21").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Lot 21")
    await page.context.close()
