"""The API docs work without internet: every script and stylesheet the docs pages reference is served by the app."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

# A <script> or <link> tag, and the URL the browser fetches for it.
TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
URL = re.compile(r"\b(?:src|href)=[\"']([^\"']+)[\"']", re.IGNORECASE)


def expected_type(tag: str) -> str:
    """The content type an asset must have for the browser to use it: a script, a stylesheet or an icon."""
    if tag.lower().startswith("<script"):
        return "javascript"
    return "image/" if "icon" in tag.lower() else "text/css"


@pytest.mark.parametrize("docs", ["/api/schema", "/api/schema/swagger"])
async def test_the_api_docs_reference_only_assets_the_app_serves(client, docs):
    # given the docs page
    page = await client.get(docs)
    assert page.status_code == 200, page.text
    assets = [(tag, url.group(1)) for tag in TAG.findall(page.text) if (url := URL.search(tag))]
    assert assets, "the docs page references no script or stylesheet"

    for tag, url in assets:
        # then each asset is a path on this server, not a CDN
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"{url} is not served by the app"
        # and the app answers it with the right content type
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert expected_type(tag) in answer.headers["content-type"], (url, answer.headers["content-type"])
        assert answer.content, url
