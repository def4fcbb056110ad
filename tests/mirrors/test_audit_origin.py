"""The static audit and the Safest markup rules over everything the origin shows a reader: every reading page, the
support pages, search and the 404 page, the HTML inside every feed, and the CSS and JS those pages load."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from mirrors.audit import audit_css, audit_feed, audit_html, audit_js, font_face_problems, markup_problems
from tests.mirrors.reader_pages import origin_html_paths
from tests.reading import reading_paths

pytestmark = pytest.mark.django_db


def body(client, path):
    response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code in (200, 404), (path, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_origin_page_passes_the_audit_and_the_markup_rules():
    client = Client()
    findings, problems = [], []
    for path in origin_html_paths():
        html = body(client, path).decode()
        findings += audit_html(html, path)
        problems += markup_problems(html, path)
    assert findings == []
    assert problems == []


def test_the_html_inside_every_feed_fetches_nothing_from_another_host():
    client = Client()
    canonical = urlsplit(settings.CANONICAL_URL).hostname
    feeds = [path for path in reading_paths() if path.endswith(("/feed.xml", "/atom.xml"))]
    assert len(feeds) > 10
    findings = []
    for path in feeds:
        text = body(client, path)
        assert b"<img" in text or b"&lt;img" in text or path.startswith("/topics/"), path
        findings += audit_feed(text, path, own_hosts={canonical})
    assert findings == []


def test_the_css_and_js_our_pages_load_stay_home_and_bring_no_font():
    client = Client()
    assets = set()
    for path in origin_html_paths():
        soup = BeautifulSoup(body(client, path), "html.parser")
        assets |= {tag["src"] for tag in soup.find_all("script", src=True)}
        assets |= {tag["href"] for tag in soup.find_all("link", rel="stylesheet")}
    assert any(asset.endswith(".css") for asset in assets) and any(asset.endswith(".js") for asset in assets)
    findings, problems = [], []
    for asset in sorted(assets):
        assert asset.startswith("/static/"), asset
        text = body(client, asset).decode()
        if asset.endswith(".css"):
            findings += audit_css(text, asset)
            problems += font_face_problems(text, asset)
        else:
            findings += audit_js(text, asset)
    assert findings == []
    assert problems == []
