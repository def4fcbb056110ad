"""Export mode: a page rendered for a static mirror (``request.samizdat_export``, set by the exporter on its own request
objects) swaps what needs a server — search, "Remind me later", the checkout form — for links and a mailto, and says
it is static. Those differences live only in the export-mode includes, which mark their output, so an origin page and
its export differ nowhere else (REACH R1 check 4), and no outsider can switch the mode on."""

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.handlers.base import BaseHandler
from django.test import Client, RequestFactory, override_settings

from core.reading import policy_for_meta
from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db

REGION = re.compile(r"<!--export-mode:([a-z-]+)-->.*?<!--/export-mode:\1-->", re.S)
LIVE = ["https://samizdat.example", "http://samizdatexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"]


@pytest.fixture
def render(settings):
    """Render a path through the whole request handler for the canonical host, as the exporter does."""
    parts = urlsplit(settings.CANONICAL_URL)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, parts.hostname]
    handler = BaseHandler()
    handler.load_middleware()
    factory = RequestFactory(HTTP_HOST=parts.netloc, secure=parts.scheme == "https")

    def get(path, *, export, status=200, **headers):
        request = factory.get(path, **headers)
        if export:
            request.samizdat_export = True
        response = handler.get_response(request)
        assert response.status_code == status, (path, response.status_code)
        assert not response.cookies, path
        return response.content.decode()

    return get


def outside_regions(html):
    """The export's text outside its export-mode regions, in order."""
    return REGION.split(html)[::2]


def assert_differs_only_in_regions(origin, export):
    """``origin`` is the export's outside text, in order, with anything in the places of the export's regions."""
    pieces = outside_regions(export)
    assert len(pieces) > 1, "the export shows no export-mode region"
    assert origin.startswith(pieces[0]) and origin.endswith(pieces[-1])
    position = len(pieces[0])
    for piece in pieces[1:-1]:
        found = origin.find(piece, position)
        assert found >= 0, f"the origin lacks this part of the export: {piece[:200]!r}"
        position = found + len(piece)
    assert position <= len(origin) - len(pieces[-1])


def reading_paths(article):
    russian = ArticlePage.objects.live().filter(language="ru").first()
    return [
        "/",
        article.get_parent().url,
        article.url,
        russian.url,
        "/topics/",
        "/support/",
        "/support/bank-transfer/",
        "/support/crypto/",
        "/support/ru/crypto/",
        "/support/already/",
    ]


def test_the_export_differs_from_the_origin_only_in_the_export_mode_regions(render, article):
    for path in reading_paths(article):
        origin, export = render(path, export=False), render(path, export=True)
        assert "export-mode:" not in origin, path
        assert_differs_only_in_regions(origin, export)
    origin = render("/no-such-page/", export=False, status=404)
    assert_differs_only_in_regions(origin, render("/no-such-page/", export=True, status=404))


def test_an_exported_article_has_no_form_for_a_server_and_says_it_is_static(render, article):
    page = BeautifulSoup(render(article.url, export=True), "html.parser")
    actions = [form.get("action") for form in page.find_all("form")]
    for template in page.find_all("template"):  # a <template>'s forms come to life when the reader script uses them
        actions += [form.get("action") for form in BeautifulSoup(template.decode_contents(), "html.parser")("form")]
    assert not [a for a in actions if a and a.startswith(("/support/remind/", "/search/"))], actions
    assert page.select_one('meta[name="samizdat:mode"]')["content"] == "static"
    assert page.select_one('meta[name="referrer"]')["content"] == "no-referrer"
    policy = page.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    assert policy == policy_for_meta()
    assert "frame-ancestors" not in policy and "default-src 'self'" in policy
    head = page.head.decode_contents()
    assert head.index("Content-Security-Policy") < head.index("stylesheet")  # a meta policy covers what follows it
    assert not page.select("[style], style, script:not([src]):not([type='application/ld+json'])")


@override_settings(MIRROR_LIVE_URLS=LIVE, MIRROR_REMINDER_MAILTO="remind@samizdat.example")
def test_what_needs_a_server_links_to_the_live_sites(render, article):
    page = BeautifulSoup(render(article.url, export=True), "html.parser")
    later = page.select_one(".ask--appeal .ask__variant .ask__later")
    mailto = later.select_one('a[href^="mailto:"]')
    assert mailto["href"] == "mailto:remind@samizdat.example?subject=Remind%20me%20later"
    assert not later.select("[data-ask-remind]")  # the reader script leaves a mailto alone
    assert [a["href"] for a in later.select('a[href^="http"]')] == [f"{site}/support/remind/" for site in LIVE]
    search = page.select_one(".site-header .site-search")
    assert search.name == "nav" and not page.select("input[type=search]")
    assert [a["href"] for a in search.select('a[href^="http"]')] == [f"{site}/search/" for site in LIVE]
    assert search.select_one('a[href="/topics/"]')
    for link in page.select('a[href^="http"]'):
        if urlsplit(link["href"]).netloc in {urlsplit(site).netloc for site in LIVE}:
            assert set(link.get("rel", [])) >= {"noopener", "noreferrer"}, link


@override_settings(MIRROR_LIVE_URLS=LIVE)
def test_the_exported_support_page_offers_the_live_checkout_and_every_way_without_a_server(render):
    export = render("/support/", export=True)
    assert export == render("/support/", export=True)  # no one-time token: the same bytes every time
    page = BeautifulSoup(export, "html.parser")
    assert not page.find("form") and not page.find("input")
    offered = [a["href"] for a in page.select("[data-export-checkout] a")]
    assert offered == [f"{site}/support/" for site in LIVE]
    ways = page.select_one("[data-ways]")
    assert ways.select_one("[data-ways-bank]") and ways.select_one("[data-ways-reference]").text == "SUPPORT"
    assert [img["src"] for img in ways.select("[data-ways-wallet] img")] == [
        "/support/qr/btc.png",
        "/support/qr/usdt-trc-20.png",
        "/support/qr/xmr.png",
    ]


def test_the_origin_keeps_its_forms_and_no_outsider_can_switch_the_mode_on(article):
    for query, headers in [({}, {}), ({"export": "1", "samizdat_export": "1"}, {"HTTP_X_SAMIZDAT_EXPORT": "1"})]:
        response = Client().get(article.url, query, **headers)
        body = response.content.decode()
        assert "samizdat:mode" not in body and "export-mode:" not in body
        page = BeautifulSoup(body, "html.parser")
        assert page.select_one('form.site-search[action="/search/"]')
        assert page.select_one(".ask--appeal [data-ask-remind]")["href"].startswith("/support/remind/?")


def test_export_renders_neither_come_from_nor_go_into_the_page_cache(render, article):
    client = Client()
    assert client.get(article.url).headers["X-Page-Cache"] == "miss"
    export = render(article.url, export=True)
    assert 'content="static"' in export  # not the origin page the cache holds
    assert client.get(article.url).headers["X-Page-Cache"] == "hit"
    assert b'content="static"' not in client.get(article.url).content
