"""The mirrors page in Chromium, with JavaScript on and off, in both languages: the public mirrors of the signed list
are there as links, onions first, with the key to check it; nothing leaves the origin, no policy is broken and no
cookie is set (REACH.md R2 check 6)."""

import json
import urllib.request
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("path", ["/mirrors/", "/mirrors/ru/"])
def test_the_page_lists_the_signed_lists_public_mirrors(chromium, reading_server, path, javascript):
    with urllib.request.urlopen(reading_server + "/mirrors.json") as response:
        payload = json.loads(response.read())
    expected = [entry["url"] for entry in payload["sites"][0]["available_alternatives"]]
    assert expected, "the demo has public mirrors"
    context = chromium.new_context(java_script_enabled=javascript)
    requests, violations = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(reading_server + path, wait_until="load")
        assert response.status == 200
        links = page.locator("a[data-mirror-url]")
        assert [links.nth(n).get_attribute("href") for n in range(links.count())] == expected
        assert all(links.nth(n).is_visible() for n in range(links.count()))
        assert page.locator("[data-mirrors=onion] a").first.get_attribute("href").endswith(".onion")
        key = page.locator("[data-verify-command]")
        assert key.is_visible() and key.inner_text().startswith("minisign -Vm mirrors.json -P RW")
    finally:
        origin = urlsplit(reading_server).netloc
        foreign = [url for url in requests if urlsplit(url).netloc != origin]
        cookies = context.cookies()
        context.close()
    assert foreign == [] and violations == [] and cookies == []
