"""A reader goes home → article → a "Read more" story, with JavaScript on and off, and nothing leaves for another host."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_home_to_article_to_read_more(chromium, reading_server, javascript):
    origin = urlsplit(reading_server).netloc
    context = chromium.new_context(java_script_enabled=javascript)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    failures = []
    page.on("requestfailed", lambda request: failures.append(request.url))

    response = page.goto(reading_server + "/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    lead = page.locator(".lead-story .card__title a")
    headline = lead.inner_text()
    lead.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == headline
    assert page.locator("figure.figure--lead img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator(".figure__licence").count() >= 1

    more = page.locator(".read-more .card__title a")
    assert more.count() >= 3
    next_title = more.first.inner_text()
    more.first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == next_title

    # The search form works as a plain GET form, JavaScript or not.
    page.fill("#site-search-q", next_title.split()[0])
    page.press("#site-search-q", "Enter")
    page.wait_for_load_state("load")
    assert page.locator(".search-summary").count() == 1

    foreign = [url for url in requests if urlsplit(url).netloc != origin]
    assert foreign == [], foreign
    assert failures == [], failures
    assert context.cookies() == []
    context.close()
