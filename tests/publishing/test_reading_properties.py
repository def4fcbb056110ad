"""The reading-page properties (DESIGN.md 1–3): the same bytes for every reader, no cookie, cacheable, nothing fetched
from another host, no inline script or style, root-relative links."""

import gzip

import brotli
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from tests.reading import absolute_self_links, fetched_urls, html_paths, is_foreign, reading_paths

pytestmark = pytest.mark.django_db


def get(client, path, **headers):
    response = client.get(path, HTTP_ACCEPT_ENCODING="identity", **headers)
    assert response.status_code == 200, path
    return response


def test_inventory_covers_every_page_type(db):
    paths = reading_paths()
    assert len([p for p in paths if p.count("/") == 3 and not p.startswith("/topics/")]) >= 15  # articles
    assert any(p.startswith("/topics/") and p.endswith("/archive/1/") for p in paths)
    assert "/feed.xml" in paths and "/sitemap.xml" in paths


def test_two_readers_get_identical_bytes_and_no_cookie():
    reader = Client()
    other = Client()
    other.cookies["sessionid"] = "someone-elses-session"
    other.cookies["csrftoken"] = "x" * 32
    for path in reading_paths():
        first = get(reader, path)
        # The second request comes from another reader with cookies, another language and agent, after the cache is gone.
        from django.core.cache import cache

        cache.clear()
        second = get(other, path, HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5", HTTP_USER_AGENT="Other/1.0")
        assert first.content == second.content, path
        for response in (first, second):
            assert not response.cookies, path
            assert "Set-Cookie" not in response.headers, path
            assert "Cookie" not in response.headers.get("Vary", ""), path
            cache_control = response.headers["Cache-Control"]
            assert "public" in cache_control and f"max-age={settings.READING_MAX_AGE}" in cache_control, path


def test_a_logged_in_editor_gets_the_same_bytes_as_anyone(django_user_model):
    editor = Client()
    editor.force_login(django_user_model.objects.get(username="editor"))
    for path in html_paths(reading_paths())[:12]:
        anonymous = get(Client(), path).content
        assert get(editor, path).content == anonymous, path


def test_nothing_is_fetched_from_another_host_and_links_stay_on_the_mirror():
    for path in html_paths(reading_paths()):
        html = get(Client(), path).content.decode()
        foreign = [url for url in fetched_urls(html) if is_foreign(url)]
        assert foreign == [], (path, foreign)
        assert absolute_self_links(html, settings.CANONICAL_URL) == [], path


def test_no_inline_script_or_style_so_a_strict_csp_holds():
    for path in html_paths(reading_paths()):
        response = get(Client(), path)
        soup = BeautifulSoup(response.content, "html.parser")
        inline_scripts = [
            s for s in soup.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"
        ]
        assert inline_scripts == [], path
        assert soup.find("style") is None, path
        assert soup.find(style=True) is None, path
        assert soup.find(lambda tag: any(name.startswith("on") for name in tag.attrs)) is None, path
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "default-src 'self'" in csp, path
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_every_image_has_alt_text_and_only_renditions_are_shown():
    for path in html_paths(reading_paths()):
        soup = BeautifulSoup(get(Client(), path).content, "html.parser")
        for img in soup.find_all("img"):
            assert img.has_attr("alt"), (path, img)
            if img["alt"] == "":  # an empty alt is what marks an image decorative; HTML allows no role on it
                assert not img.has_attr("role"), (path, img)
            assert img["src"].startswith("/media/images/"), (path, img["src"])
            assert "original_images" not in str(img)


def test_identity_gzip_and_brotli_carry_the_same_page(article):
    client = Client()
    plain = client.get(article.url, HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain.headers
    gz = client.get(article.url, HTTP_ACCEPT_ENCODING="gzip")
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.content) == plain.content
    br = client.get(article.url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.content) == plain.content
    refused = client.get(article.url, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in refused.headers
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_head_requests_get_headers_only(article):
    client = Client()
    client.get(article.url)
    head = client.head(article.url, HTTP_ACCEPT_ENCODING="identity")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) > 1000
