"""Tor Browser "Safest": JavaScript off. The default asks show in order and every link and form works."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def english_article_path(django_db_blocker):
    from publishing.models import ArticlePage

    with django_db_blocker.unblock():
        article = (
            ArticlePage.objects.live().filter(language="en", no_asks=False).order_by("-first_published_at").first()
        )
        return article.url


def test_asks_show_in_order_and_their_links_work(chromium, reading_server, django_db_blocker):
    path = english_article_path(django_db_blocker)
    context = chromium.new_context(java_script_enabled=False)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(reading_server + path)

    visible = page.locator("[data-ask-surface]:visible")
    assert [visible.nth(i).get_attribute("data-ask-surface") for i in range(visible.count())] == [
        "panel",
        "notice",
        "appeal",
    ]
    panel = page.locator("[data-ask-surface=panel]")
    assert "€48,000" in panel.inner_text()
    assert panel.locator("meter").get_attribute("max") == "48000.00"
    appeal = page.locator("[data-ask-surface=appeal]")
    assert appeal.locator(".ask__choices a").count() == 6
    assert appeal.locator(".ask__method").all_inner_texts() == ["Card", "Bank transfer", "Crypto"]
    assert page.locator("[data-ask-close]").first.is_hidden()  # needs JavaScript, so it stays hidden
    # no template content is visible without JavaScript
    assert page.locator("text=Join them").count() == 0 or not page.locator("text=Join them").first.is_visible()

    appeal.locator(".ask__choices a").first.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/support/"
    assert "a month" in page.locator("main").inner_text()

    page.go_back()
    page.locator("[data-ask-surface=appeal] a[data-ask-remind]").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/support/remind/"
    assert page.locator("form input[name=email]").count() == 1

    origin = urlsplit(reading_server).netloc
    assert [url for url in requests if urlsplit(url).netloc != origin] == []
    assert context.cookies() == []
    context.close()
