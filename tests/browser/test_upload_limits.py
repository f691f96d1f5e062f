"""A file above its form's limit is refused in the browser, saying the limit and the file's size beside the field,
before it is sent; a file within it goes through."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.support.browser import log_in
from tests.support.fixtures import PASSWORD, make_company, make_user

pytestmark = pytest.mark.browser


async def test_an_oversized_quick_order_file_is_refused_before_upload(chromium, live_server):
    buyer = await make_company("buyer")
    purchaser = await make_user(buyer.id, "purchaser")
    page = await log_in(chromium, live_server, purchaser, PASSWORD)
    await page.goto("/cart/quick-order")
    upload = page.get_by_label(re.compile("CSV or Excel file"))
    # the form says its limit beside the field
    await expect(page.get_by_text(re.compile(r"at most 4 MB"))).to_be_visible()
    # when the buyer picks a 5 MB file
    await upload.set_input_files({"name": "huge.csv", "mimeType": "text/csv", "buffer": b"x" * (5 * 1048576)})
    # then the field is invalid with a message that names the file, its size and the limit, and nothing is sent
    message = await upload.evaluate("input => input.validationMessage")
    assert message == "huge.csv is 5 MB: at most 4 MB can be uploaded here. Choose a smaller file."
    # and the message is beside the field, which points at it and says it is invalid (as the server's errors do)
    beside = page.locator("#file-error")
    await expect(beside).to_have_text(message)
    await expect(upload).to_have_attribute("aria-invalid", "true")
    assert "file-error" in (await upload.get_attribute("aria-describedby") or "").split()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if request.method == "POST" else None)
    await page.get_by_role("button", name="Upload and add to cart").click()
    await expect(page).to_have_url(re.compile(r"/cart/quick-order$"))
    assert requests == []
    # when the buyer picks a small file instead, the field is valid again
    await upload.set_input_files({"name": "small.csv", "mimeType": "text/csv", "buffer": b"GX-1;2\n"})
    assert await upload.evaluate("input => input.validationMessage") == ""
    await expect(beside).to_have_text("")
    assert await upload.get_attribute("aria-invalid") is None
    assert "file-error" not in (await upload.get_attribute("aria-describedby") or "").split()
    await page.context.close()
