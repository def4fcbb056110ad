"""The exporter's small parts: file names for paths, types, reading references and hosts back, redirects, pruning."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from mirrors.export import redirects
from mirrors.export.render import Renderer, UnsafePath, file_for_path, types_agree
from mirrors.export.run import CURRENT_LINK, EXPORTS_DIR, _publish, prune
from mirrors.export.scan import HostRules, internal_path, scan_css, scan_html


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "index.html"),
        ("/news/", "news/index.html"),
        ("/news/archive/2/", "news/archive/2/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/support/goal.json", "support/goal.json"),
        ("/news/%D0%BF%D1%80%D0%B0%D0%B2%D0%B4%D0%B0/", "news/правда/index.html"),
    ],
)
def test_file_for_path(path, name):
    assert file_for_path(path) == name


@pytest.mark.parametrize("path", ["/../etc/passwd", "/news/../../x/", "relative/", "/a\\b", "/%2e%2e/x"])
def test_unsafe_paths_are_refused(path):
    with pytest.raises(UnsafePath):
        file_for_path(path)


@pytest.mark.parametrize(
    ("name", "content_type", "agree"),
    [
        ("feed.xml", "application/rss+xml; charset=utf-8", True),
        ("atom.xml", "application/atom+xml; charset=utf-8", True),
        ("sitemap.xml", "application/xml; charset=utf-8", True),
        ("support/goal.json", "application/json", True),
        ("robots.txt", "text/plain; charset=utf-8", True),
        ("support/qr/btc.png", "image/png", True),
        ("feed/index.html", "application/rss+xml; charset=utf-8", False),
        ("feed", "application/rss+xml", False),
        ("goal.json", "text/html; charset=utf-8", False),
        ("x.png", "", False),
    ],
)
def test_types_agree(name, content_type, agree):
    assert types_agree(name, content_type) is agree


RULES = HostRules("https://samizdat.example")


def test_absolute_urls_are_allowed_only_where_nothing_is_fetched():
    allowed = (
        '<link rel="canonical" href="https://samizdat.example/news/x/">'
        '<link rel="alternate" type="application/rss+xml" href="https://samizdat.example/feed.xml">'
        '<meta property="og:image" content="https://samizdat.example/media/images/a.jpg">'
        '<script type="application/ld+json">{"url": "https://samizdat.example/news/x/"}</script>'
        '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>'
        '<a href="http://old-deed.example/">an old deed</a>'
        '<a href="https://samizdat.example/support/">samizdat.example</a>'
        '<a href="mailto:remind@samizdat.example">mail us</a>'
    )
    assert scan_html(allowed, "/news/x/", RULES)[1] == []
    for planted in (
        '<img src="https://samizdat.example/media/images/a.jpg" alt="">',
        '<script src="http://localhost:8000/static/x.js"></script>',
        '<link rel="stylesheet" href="//samizdat.example/static/css/site.css">',
        "<script>fetch('https://samizdat.example/support/goal.json')</script>",
        '<a href="http://testserver/news/">home</a>',
        "<p>Served from 127.0.0.1 today.</p>",
        '<form action="http://samizdat.example/search/"></form>',
    ):
        assert scan_html(planted, "/", RULES)[1], planted


def test_references_are_read_from_every_url_attribute():
    html = (
        '<a href="/news/">n</a><a href="archive/2/#top">a</a><a href="#content">skip</a>'
        '<img src="/media/images/a.width-1200.jpg" srcset="/media/images/a.width-640.jpg 640w, '
        '/media/images/a.width-1200.jpg 1200w" alt="">'
        '<link rel="stylesheet" href="/static/css/site.css?v=2">'
        '<meta http-equiv="refresh" content="0; url=/news/new-slug/">'
        '<a href="https://creativecommons.org/">deed</a><a href="mailto:x@example.org">m</a>'
    )
    references, problems = scan_html(html, "/news/", RULES)
    assert problems == []
    assert references == {
        "/news/",
        "/news/archive/2/",
        "/media/images/a.width-1200.jpg",
        "/media/images/a.width-640.jpg",
        "/static/css/site.css",
        "/news/new-slug/",
    }


def test_the_tokenizer_finds_references_in_any_case_and_skips_comments_and_raw_text():
    html = (
        "<SECTION class='x'><P title=\"a > b\">text</P>"
        "<IMG alt='x>y' SRC='/media/images/b.jpg'>"
        '<!-- <img src="/commented-out.png"> -->'
        '<script type="application/ld+json">{"logo": "<img src=/in-json.png>"}</script>'
        "<style>.x { background: red }</style><sCrIpT>var s = '<a href=/in-script/>';</sCrIpT>"
        "<a data-x=1 HREF=/unquoted/>u</A><video poster=/static/p.png></video></SECTION>"
    )
    references, problems = scan_html(html, "/", RULES)
    assert problems == []
    assert references == {"/media/images/b.jpg", "/unquoted/", "/static/p.png"}


def test_css_references_resolve_against_the_stylesheet():
    css = "@import '/static/css/print.css'; .logo { background: url(../img/logo.png) } .x { background: url(data:,) }"
    references, problems = scan_css(css, "/static/css/site.css", RULES)
    assert references == {"/static/css/print.css", "/static/img/logo.png"}
    assert problems == []
    assert internal_path("https://elsewhere.example/x", "/") is None


def test_publish_swaps_current_and_prune_keeps_the_newest(tmp_path):
    exports = tmp_path / EXPORTS_DIR
    for name in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c", "20260104T000000Z-d"):
        (exports / name).mkdir(parents=True)
    (exports / "20260105T000000Z-e.partial").mkdir()  # an export still being written
    _publish(tmp_path, "20260102T000000Z-b")
    assert os.readlink(tmp_path / CURRENT_LINK) == f"{EXPORTS_DIR}/20260102T000000Z-b"
    _publish(tmp_path, "20260104T000000Z-d")
    assert (tmp_path / CURRENT_LINK).resolve() == (exports / "20260104T000000Z-d").resolve()
    assert prune(tmp_path, 2) == ["20260101T000000Z-a", "20260102T000000Z-b"]
    assert sorted(path.name for path in exports.iterdir()) == [
        "20260103T000000Z-c",
        "20260104T000000Z-d",
        "20260105T000000Z-e.partial",
    ]
    # the export current points at is never removed, however old
    _publish(tmp_path, "20260103T000000Z-c")
    assert prune(tmp_path, 1) == []
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_current_must_be_a_link(tmp_path):
    (tmp_path / CURRENT_LINK).mkdir()
    (tmp_path / EXPORTS_DIR / "x").mkdir(parents=True)
    with pytest.raises(FileExistsError):
        _publish(tmp_path, "x")


@pytest.mark.django_db
def test_redirects_become_stubs_and_rules(tmp_path, settings, articles, django_capture_on_commit_callbacks):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(settings.CANONICAL_URL).hostname]
    site = Site.objects.get(is_default_site=True)
    target, renamed = articles[0], articles[1]
    Redirect.add_redirect("/old-story", redirect_to=target)
    Redirect.add_redirect("/elsewhere/", redirect_to="https://example.org/story/", is_permanent=False)
    Redirect.add_redirect("/old-feed.rss", redirect_to="/feed.xml")
    Redirect.add_redirect("/search?q=x", redirect_to="/topics/")  # a query string: no static host can match it
    old_url = renamed.url
    renamed.slug = "a-new-slug"
    with django_capture_on_commit_callbacks(execute=True):
        renamed.save_revision().publish()  # once committed, Wagtail records the old address as a redirect
    renamed.refresh_from_db()

    written = redirects.export_redirects(tmp_path, Renderer(settings.CANONICAL_URL), site, exists=lambda path: False)
    moved = {m.path: (m.target, m.permanent, stub) for m, stub in written}
    assert moved["/old-story/"] == (target.url, True, "old-story/index.html")
    assert moved["/elsewhere/"] == ("https://example.org/story/", False, "elsewhere/index.html")
    assert moved["/old-feed.rss"] == ("/feed.xml", True, None)  # no HTML under a feed's name
    assert moved[old_url] == (renamed.url, True, old_url.strip("/") + "/index.html")
    assert not any(path.startswith("/search") for path in moved)

    stub = (tmp_path / "old-story/index.html").read_text()
    assert f'<meta http-equiv="refresh" content="0; url={target.url}">' in stub
    assert f'<link rel="canonical" href="{settings.CANONICAL_URL}{target.url}">' in stub
    assert f'<a href="{target.url}">' in stub
    rules = (tmp_path / "_redirects").read_text().splitlines()
    assert f"/old-story/ {target.url} 301" in rules and "/elsewhere/ https://example.org/story/ 302" in rules
    nginx = (tmp_path / "nginx-redirects.map").read_text()
    assert f'"/old-story" "{target.url}";' in nginx and f'"/old-story/" "{target.url}";' in nginx

    # a redirect whose old path is now a live page is no redirect
    written = redirects.export_redirects(
        tmp_path, Renderer(settings.CANONICAL_URL), site, exists=lambda path: path == "/old-story/"
    )
    assert "/old-story/" not in {m.path for m, _stub in written}


def test_the_stub_template_is_ours():
    assert Path(settings.BASE_DIR, "mirrors/templates/mirrors/redirect_stub.html").is_file()


@pytest.mark.parametrize(
    "text",
    [
        "<p>HTTP://Samizdat.Example/x and http://localhost:8000 or 127.0.0.1</p>",
        "plain text with nothing forbidden",
        "İstanbul: http://testserver/ then SAMIZDAT.EXAMPLE",  # lower-casing changes the length: the slow path
        "http://http://samizdat.examplesamizdat.example",
    ],
)
def test_forbidden_tokens_are_found_as_a_case_insensitive_alternation_would(text):
    rules = HostRules("https://samizdat.example")
    assert rules.forbidden_matches(text) == [match.span() for match in rules._forbidden.finditer(text)]
