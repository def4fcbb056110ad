"""The editors' side runs under its own Content-Security-Policy (inline script and style allowed, no other host):
Wagtail's admin must work under it without a single violation, page editor and preview included."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.admin import log_in

pytestmark = pytest.mark.browser


def test_the_admin_works_under_its_own_policy(chromium, reading_server, article):
    context = chromium.new_context()
    requests, violations, errors = [], [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, reading_server, "editor")
        for path in ["/admin/", "/admin/pages/", f"/admin/pages/{article.pk}/edit/", "/admin/images/"]:
            response = page.goto(reading_server + path, wait_until="load")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
        # The editor's rich text and the live preview both run on inline script and same-origin frames.
        page.goto(f"{reading_server}/admin/pages/{article.pk}/edit/", wait_until="load")
        page.get_by_role("button", name=re.compile("Toggle preview|Preview", re.I)).first.click()
        preview = page.frame_locator("iframe[title]").last.locator("h1.article__title")
        preview.wait_for(state="attached")
        assert preview.text_content() == article.title
    finally:
        context.close()
    host = urlsplit(reading_server).netloc
    assert [url for url in requests if urlsplit(url).netloc != host and not url.startswith("data:")] == []
    assert violations == []
    assert errors == []
