"""What a reader's browser asks the network for (REACH R4.1): nothing from any host but the page's own, no websocket,
no Content-Security-Policy violation and no cookie — with JavaScript on and off, on the origin and on a static export.

Chromium runs with every host name but 127.0.0.1 mapped to "not found", so a leak fails loudly and nothing leaves the
test machine. Chromium still reports a request the CSP blocks (and logs the violation), so the policy cannot hide a
leaky template: both count as failures here.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ONLY_LOCALHOST = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def guarded_chromium(chromium):
    """A second Chromium from the session's Playwright, that can resolve no host name but 127.0.0.1."""
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, ONLY_LOCALHOST], headless=True
    )
    yield browser
    browser.close()


@dataclass
class NetworkLog:
    requests: list = field(default_factory=list)
    websockets: list = field(default_factory=list)
    csp_violations: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    cookies: list = field(default_factory=list)

    def foreign_requests(self, host):
        return [url for url in self.requests if urlsplit(url).netloc != host]


def browse(browser, base, paths, *, javascript, not_found=()):
    """Open each of ``paths`` under ``base`` in one fresh context (service workers blocked) and record the network."""
    log = NetworkLog()
    context = browser.new_context(java_script_enabled=javascript, service_workers="block")
    context.on("request", lambda request: log.requests.append(request.url))
    try:
        for path in paths:
            page = context.new_page()
            page.on("websocket", lambda socket: log.websockets.append(socket.url))
            page.on(
                "console",
                lambda message: (
                    log.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
                ),
            )
            response = page.goto(base + path, wait_until="load")
            # Let the reader script finish what it does after load (live figures, counters).
            page.wait_for_load_state("networkidle")
            log.statuses[path] = response.status
            page.close()
        log.cookies = context.cookies()
    finally:
        context.close()
    for path, status in log.statuses.items():
        assert status == (404 if path in not_found else 200), (path, status)
    return log


def reader_walk_paths(article):
    """Home, a section front and its first archive page, a topic, an article with a lead image and "Read more",
    the support page, the transparency page and the 404 page (search is added by the caller)."""
    section = article.get_parent().specific
    topic = article.topics.first()
    return [
        "/",
        section.url,
        f"{section.url}archive/1/",
        topic.get_absolute_url(),
        article.url,
        "/support/",
        "/support/transparency/",
        "/no-such-page-here/",
    ]


def assert_clean(log, host):
    assert log.requests, "the browser made no request at all: nothing was recorded"
    assert log.foreign_requests(host) == []
    assert log.websockets == []
    assert log.csp_violations == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_on_the_origin_a_reader_s_browser_talks_to_the_origin_only(
    guarded_chromium, reading_server, article, javascript
):
    from tests.mirrors.reader_pages import search_path

    assert article.lead_image_id and article.topics.exists()
    paths = [*reader_walk_paths(article), search_path()]
    log = browse(guarded_chromium, reading_server, paths, javascript=javascript, not_found={"/no-such-page-here/"})
    assert_clean(log, urlsplit(reading_server).netloc)
    # The walk did load what a page is made of: the stylesheet, the lead image and (with JavaScript) the reader script.
    assert any(url.endswith(".css") for url in log.requests)
    assert any("/media/images/" in url for url in log.requests)
    assert any(url.endswith("reader.js") for url in log.requests) == javascript
    assert log.cookies == []


def test_the_guard_itself_catches_a_leak_and_a_csp_violation(guarded_chromium, reading_server, article):
    """A planted foreign image shows up both as a request to another host and as a CSP violation; and no foreign
    name resolves, so the request never leaves the machine."""
    context = guarded_chromium.new_context(service_workers="block")
    requests, violations = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(reading_server + article.url, wait_until="load")
        planted = """() => document.body.insertAdjacentHTML('beforeend', '<img src="https://x.example/p.png">')"""
        is_violation = lambda message: "Content Security Policy" in message.text  # noqa: E731
        with page.expect_request("https://x.example/p.png"), page.expect_console_message(is_violation):
            page.evaluate(planted)
        assert "https://x.example/p.png" in requests
        assert any("x.example" in text for text in violations), violations
        with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):
            page.goto("http://x.example/")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_on_a_static_export_a_reader_s_browser_talks_to_the_mirror_only(
    guarded_chromium, export_server, article, javascript
):
    # A static host runs no search: the export's header links to the stories by topic instead, which this walk opens;
    # and the 404 page is the file such hosts serve for a missing path.
    paths = [*reader_walk_paths(article)[:-1], "/topics/", "/404.html"]
    log = browse(guarded_chromium, export_server, paths, javascript=javascript)
    assert_clean(log, urlsplit(export_server).netloc)
    assert any("/media/images/" in url for url in log.requests)
    # In static mode the reader script reads the figures' snapshot and sends no beacon.
    assert any(url.endswith("/support/goal.json") for url in log.requests) == javascript
    assert not any("/support/events/" in url for url in log.requests)
    assert log.cookies == []
