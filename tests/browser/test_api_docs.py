"""The API docs page draws in Chromium with no internet: Swagger UI's files come from the app."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, Route, expect

pytestmark = pytest.mark.browser


async def test_the_swagger_page_draws_the_api_without_internet(page: Page, live_server: str):
    # given a browser that reaches only the app
    fetched_elsewhere: list[str] = []

    async def only_the_app(route: Route) -> None:
        if route.request.url.startswith(live_server):
            await route.continue_()
        else:
            fetched_elsewhere.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_the_app)

    # when it opens the API docs
    await page.goto("/api/schema/swagger")

    # then Swagger UI draws the API's title and its operations, having fetched nothing from elsewhere
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Marketplace API")
    await expect(page.locator(".opblock").first).to_be_visible()
    assert fetched_elsewhere == []
