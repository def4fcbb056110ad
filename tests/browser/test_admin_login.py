"""An editor logs in to the admin from a real browser (reading pages send no referrer; the admin must still work)."""

import pytest

from tests.browser.admin import log_in

pytestmark = pytest.mark.browser


def test_an_editor_logs_in_and_opens_the_stats(chromium, reading_server):
    context = chromium.new_context()
    page = context.new_page()
    log_in(page, reading_server, "editor")
    assert page.url.rstrip("/").endswith("/admin"), page.url
    response = page.goto(reading_server + "/admin/support/stats/")
    assert response.status == 200
    assert "Ask statistics" in page.content()
    context.close()
