"""An editor logs in to the admin from a real browser (reading pages send no referrer; the admin must still work)."""

import pytest

pytestmark = pytest.mark.browser


def test_an_editor_logs_in_and_opens_the_stats(chromium, reading_server):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(reading_server + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "samizdat-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url.rstrip("/").endswith("/admin"), page.url
    response = page.goto(reading_server + "/admin/support/stats/")
    assert response.status == 200
    assert "Ask statistics" in page.content()
    context.close()
