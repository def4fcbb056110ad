"""Document-relative links (mirrors/export/relative.py) on small trees made here: only URL attributes of start tags and
CSS references change, and every other byte stays."""

from pathlib import PurePosixPath

import pytest

from mirrors.export.relative import relative_url, rewrite_css, rewrite_html, rewrite_tree

ARTICLE = PurePosixPath("news/some-story/index.html")
HOME = PurePosixPath("index.html")


@pytest.mark.parametrize(
    ("url", "document", "file_urls", "expected"),
    [
        ("/news/", ARTICLE, False, "../../news/"),
        ("/", ARTICLE, False, "../../"),
        ("/", HOME, False, "./"),
        ("/", HOME, True, "index.html"),
        ("/news/", HOME, False, "news/"),
        ("/news/", HOME, True, "news/index.html"),
        ("/news/archive/1/", ARTICLE, True, "../../news/archive/1/index.html"),
        ("/static/css/site.css", ARTICLE, True, "../../static/css/site.css"),
        ("/support/?frequency=monthly&amp;amount=5", ARTICLE, False, "../../support/?frequency=monthly&amp;amount=5"),
        ("/support/?frequency=monthly", ARTICLE, True, "../../support/index.html?frequency=monthly"),
        ("/#content", HOME, True, "index.html#content"),
        ("/topics/x/#top", PurePosixPath("404.html"), False, "topics/x/#top"),
        # not root-relative: left alone
        ("https://creativecommons.org/licenses/by/4.0/", ARTICLE, True, "https://creativecommons.org/licenses/by/4.0/"),
        ("//cdn.example/x.js", ARTICLE, True, "//cdn.example/x.js"),
        ("#content", ARTICLE, True, "#content"),
        ("mailto:remind@samizdat.example", ARTICLE, True, "mailto:remind@samizdat.example"),
        ("../x/", ARTICLE, True, "../x/"),
    ],
)
def test_relative_url(url, document, file_urls, expected):
    assert relative_url(url, document, file_urls=file_urls) == expected


def rewrite(url):
    return relative_url(url, ARTICLE)


def test_only_url_attributes_of_start_tags_change():
    html = (
        "<!doctype html>\n<html><head>\n"
        '<link rel="canonical" href="https://samizdat.example/news/some-story/">\n'
        '<link rel="stylesheet" href="/static/css/site.css">\n'
        '<script type="application/ld+json">{"url": "/news/"}</script>\n'
        "</head><body>\n"
        '<!-- <a href="/in-a-comment/"> -->\n'
        '<p title="/not-a-link/">Read <a class="x"  href = \'/news/other/\' data-ask-click>this</a> and /plain/text/.</p>\n'
        '<img src=/media/images/a.png alt="A = B" srcset="/media/images/a.png 1x, /media/images/b.png 2x">\n'
        '<form method="post" action="/support/remind/"><button formaction="/support/">Go</button></form>\n'
        '<template data-ask-thanks><a href="/support/already/">x</a></template>\n'
        "<script>fetch('/support/goal.json')</script>\n"
        "</body></html>\n"
    )
    result, count = rewrite_html(html, rewrite)
    expected = (
        html.replace('href="/static/', 'href="../../static/')
        .replace("href = '/news/other/'", "href = '../../news/other/'")
        .replace("src=/media/images/a.png", "src=../../media/images/a.png")
        .replace(
            'srcset="/media/images/a.png 1x, /media/images/b.png 2x"',
            'srcset="../../media/images/a.png 1x, ../../media/images/b.png 2x"',
        )
        .replace('action="/support/remind/"', 'action="../../support/remind/"')
        .replace('formaction="/support/"', 'formaction="../../support/"')
        .replace('href="/support/already/"', 'href="../../support/already/"')
    )
    assert result == expected
    assert count == 6


def test_a_redirect_stub_points_at_its_target_relatively():
    html = (
        '<meta http-equiv="refresh" content="0; url=/news/new-slug/">'
        '<meta name="description" content="0; url=/not/a/redirect/">'
    )
    result, count = rewrite_html(html, rewrite)
    assert result == (
        '<meta http-equiv="refresh" content="0; url=../../news/new-slug/">'
        '<meta name="description" content="0; url=/not/a/redirect/">'
    )
    assert count == 1


def test_css_urls_and_imports():
    css = (
        '@import "/static/css/base.css";\nbody { background: url( "/static/img/bg.png" ) }\n.x { mask: url(data:x) }\n'
    )
    result, count = rewrite_css(css, lambda url: relative_url(url, PurePosixPath("static/css/site.css")))
    assert result == (
        '@import "../../static/css/base.css";\nbody { background: url( "../../static/img/bg.png" ) }\n'
        ".x { mask: url(data:x) }\n"
    )
    assert count == 2


def test_rewrite_tree_in_place(tmp_path):
    (tmp_path / "news" / "story").mkdir(parents=True)
    (tmp_path / "news" / "archive").mkdir(parents=True)
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "index.html").write_text('<a href="/news/story/">s</a><a href="/news">n</a>', encoding="utf-8")
    story = '<p>Привет — <a href="/">home</a> <a href="/news/archive/">archive</a></p>'
    (tmp_path / "news" / "story" / "index.html").write_text(story, encoding="utf-8")
    (tmp_path / "static" / "css" / "site.css").write_text("a{background:url(/static/x.png)}", encoding="utf-8")
    (tmp_path / "feed.xml").write_text('<link href="/news/"/>', encoding="utf-8")
    stats = rewrite_tree(tmp_path, file_urls=True)
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == (
        '<a href="news/story/index.html">s</a><a href="news/index.html">n</a>'
    )
    assert (tmp_path / "news" / "story" / "index.html").read_text(encoding="utf-8") == (
        '<p>Привет — <a href="../../index.html">home</a> <a href="../../news/archive/index.html">archive</a></p>'
    )
    assert (tmp_path / "static" / "css" / "site.css").read_text(encoding="utf-8") == (
        "a{background:url(../../static/x.png)}"
    )
    assert (tmp_path / "feed.xml").read_text(encoding="utf-8") == '<link href="/news/"/>'  # feeds stay absolute
    assert stats == {"files": 3, "references": 5}


def test_rewriting_twice_changes_nothing_more(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<a href="/a/">x</a>', encoding="utf-8")
    rewrite_tree(tmp_path, file_urls=False)
    assert rewrite_tree(tmp_path, file_urls=False) == {"files": 0, "references": 0}
    assert (tmp_path / "a" / "index.html").read_text(encoding="utf-8") == '<a href="../a/">x</a>'
