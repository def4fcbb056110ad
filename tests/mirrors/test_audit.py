"""The static audit catches each kind of fetch-capable reference to another host, and lets the allowed kinds be."""

import pytest

from mirrors.audit import (
    audit_css,
    audit_feed,
    audit_html,
    audit_js,
    audit_tree,
    font_face_problems,
    is_foreign,
    markup_problems,
    srcset_urls,
)

PLANTED_HTML = {
    "img src": '<img src="https://x.example/a.png" alt="">',
    "protocol-relative img": '<img src="//x.example/a.png" alt="">',
    "backslashes read as slashes": '<img src="/\\x.example/a.png" alt="">',
    "spaces and newlines around": '<img src=" \n//x.example/a.png" alt="">',
    "script src": '<script src="https://x.example/a.js"></script>',
    "iframe src": '<iframe src="https://x.example/"></iframe>',
    "source src": '<video><source src="https://x.example/v.mp4"></video>',
    "video src and poster": '<video src="/v.mp4" poster="https://x.example/p.jpg"></video>',
    "audio src": '<audio src="https://x.example/a.ogg"></audio>',
    "embed src": '<embed src="https://x.example/e">',
    "track src": '<video src="/v.mp4"><track src="https://x.example/t.vtt"></video>',
    "input type=image": '<input type="image" src="https://x.example/b.png" alt="go">',
    "srcset": '<img src="/a.png" srcset="/a.png 1x, https://x.example/b.png 2x" alt="">',
    "srcset without spaces": '<img src="/a.png" srcset="/a.png 1x,//x.example/b.png 2x" alt="">',
    "picture source srcset": '<picture><source srcset="https://x.example/b.webp"><img src="/a.png" alt=""></picture>',
    "link imagesrcset": '<link rel="preload" as="image" href="/a.png" imagesrcset="https://x.example/b.png 2x">',
    "object data": '<object data="https://x.example/o.swf"></object>',
    "stylesheet": '<link rel="stylesheet" href="https://x.example/s.css">',
    "icon": '<link rel="icon" href="https://x.example/favicon.ico">',
    "apple-touch-icon": '<link rel="apple-touch-icon" href="https://x.example/t.png">',
    "preload": '<link rel="preload" href="https://x.example/f.woff2" as="font">',
    "prefetch": '<link rel="prefetch" href="https://x.example/next">',
    "preconnect": '<link rel="preconnect" href="https://x.example">',
    "dns-prefetch": "<link rel=dns-prefetch href=//x.example>",
    "modulepreload": '<link rel="modulepreload" href="https://x.example/m.js">',
    "manifest": '<link rel="manifest" href="https://x.example/app.webmanifest">',
    "prerender": '<link rel="prerender" href="https://x.example/">',
    "rel in capitals among others": '<link rel="Alternate StyleSheet" href="https://x.example/s.css">',
    "a ping": '<a href="/news/" ping="/count https://x.example/ping">News</a>',
    "form action": '<form action="https://x.example/submit" method="post"></form>',
    "button formaction": '<form action="/s/"><button formaction="https://x.example/s">Go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://x.example/">',
    "meta refresh, quoted": "<meta http-equiv=Refresh content=\"5;URL='//x.example/'\">",
    "base href": '<base href="https://x.example/">',
    "svg use": '<svg><use href="https://x.example/sprite.svg#i"></use></svg>',
    "svg image xlink": '<svg><image xlink:href="https://x.example/i.png"></image></svg>',
    "style attribute": '<p style="background: url(https://x.example/bg.png)">x</p>',
    "style element": "<style>body { background: url('//x.example/bg.png') }</style>",
    "style element import": '<style>@import "https://x.example/s.css";</style>',
    "inline script literal": '<script>fetch("https://x.example/beacon")</script>',
    "iframe srcdoc": '<iframe srcdoc="&lt;img src=&quot;https://x.example/a.png&quot;&gt;"></iframe>',
    "table background": '<table background="https://x.example/bg.png"></table>',
    "template content": '<template><img src="https://x.example/a.png" alt=""></template>',
}


@pytest.mark.parametrize("html", PLANTED_HTML.values(), ids=PLANTED_HTML.keys())
def test_each_planted_reference_fails_the_audit(html):
    findings = audit_html(f"<!doctype html><html><head></head><body>{html}</body></html>", "planted.html")
    assert findings, html
    assert all(finding.where.startswith("planted.html") for finding in findings)
    assert any("x.example" in finding.url for finding in findings), findings


def test_the_dns_prefetch_finding_names_the_kind_and_url():
    [finding] = audit_html("<link rel=dns-prefetch href=//x.example>", "index.html")
    assert (finding.where, finding.kind, finding.url) == ("index.html", "link rel=dns-prefetch", "//x.example")
    assert str(finding) == "index.html: link rel=dns-prefetch → //x.example"


ALLOWED_HTML = {
    "outbound deed link": '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener noreferrer">',
    "canonical": '<link rel="canonical" href="https://samizdat.example/news/x/">',
    "alternate feed": '<link rel="alternate" type="application/rss+xml" href="https://samizdat.example/feed.xml">',
    "open graph": '<meta property="og:image" content="https://samizdat.example/media/images/a.jpg">',
    "json-ld": '<script type="application/ld+json">{"url": "https://samizdat.example/news/x/"}</script>',
    "root-relative": '<img src="/media/images/a.jpg" srcset="/media/images/b.jpg 2x" alt="A">',
    "document-relative": '<img src="../media/images/a.jpg" alt="A"><link rel="stylesheet" href="static/site.css">',
    "data image": '<img src="data:image/png;base64,iVBORw0KGgo=" alt="">',
    "mailto": '<a href="mailto:remind@samizdat.example">Remind me</a>',
    "own form": '<form action="/support/" method="get"><button formaction="/support/remind/">Go</button></form>',
    "meta refresh home": '<meta http-equiv="refresh" content="0; url=/news/new-slug/">',
    "srcset url with commas": '<img src="/a.png" srcset="/media/a,b.png 1x, /media/c.png 2x" alt="">',
    "inline svg with text": '<svg role="img" aria-label="x"><use href="#icon"></use></svg>',
}


@pytest.mark.parametrize("html", ALLOWED_HTML.values(), ids=ALLOWED_HTML.keys())
def test_links_a_reader_follows_and_things_nothing_fetches_pass(html):
    assert audit_html(html, "ok.html") == []


def test_the_page_s_own_host_may_be_named_when_given():
    html = '<img src="https://mirror.example/a.png" alt=""><img src="//mirror.example/b.png" alt="">'
    assert audit_html(html, "x.html", own_hosts={"mirror.example"}) == []
    assert len(audit_html(html, "x.html", own_hosts={"other.example"})) == 2
    # Only the web's own schemes count as the same host.
    assert is_foreign("ftp://mirror.example/a", {"mirror.example"})


def test_css_url_import_and_image_set():
    css = """
    /* a comment naming https://x.example/ is not a fetch */
    @import url("https://x.example/a.css");
    @import 'https://x.example/b.css';
    .a { background: url(//x.example/c.png) }
    .b { background-image: image-set("https://x.example/d.png" 1x, "/e.png" 2x) }
    .c { background: url(/static/ok.png), url("data:image/png;base64,AA==") }
    """
    urls = [finding.url for finding in audit_css(css, "site.css")]
    assert urls == [
        "https://x.example/a.css",
        "//x.example/c.png",
        "https://x.example/b.css",
        "https://x.example/d.png",
    ]


def test_js_literals_but_not_comments():
    js = """
    // See https://example.org/docs for why.
    /* https://example.org/licence */
    const a = "https://x.example/collect";
    const b = '//y.example/pixel.gif';
    navigator.sendBeacon(`wss://z.example/socket`);
    fetch("/support/goal.json"); const c = "a // b";
    """
    urls = {finding.url for finding in audit_js(js, "reader.js")}
    assert urls == {"https://x.example/collect", "//y.example/pixel.gif", "wss://z.example/socket"}


def test_feed_content_may_name_the_feed_s_host_only():
    feed = """<?xml version="1.0" encoding="utf-8"?>
    <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
    <link>https://samizdat.example/</link><item><title>x</title><link>https://samizdat.example/news/x/</link>
    <content:encoded>&lt;img src="https://samizdat.example/media/images/a.jpg" alt="a"&gt;
    &lt;img src="https://tracker.example/p.gif" alt=""&gt;</content:encoded></item></channel></rss>"""
    findings = audit_feed(feed, "feed.xml", own_hosts={"samizdat.example"})
    assert [finding.url for finding in findings] == ["https://tracker.example/p.gif"]


def test_srcset_parsing():
    assert srcset_urls("/a.png 1x, /b.png 2x") == ["/a.png", "/b.png"]
    assert srcset_urls("/a.png 480w,/b.png 800w") == ["/a.png", "/b.png"]
    assert srcset_urls("/a,b.png 1x, /c.png") == ["/a,b.png", "/c.png"]
    assert srcset_urls("/a.png, /b.png 2x") == ["/a.png", "/b.png"]
    assert srcset_urls("  ") == []


def test_a_tree_is_audited_file_by_file(tmp_path):
    (tmp_path / "news" / "x").mkdir(parents=True)
    (tmp_path / "news" / "x" / "index.html").write_text('<img src="/a.png" alt="a">')
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("body { background: url(https://x.example/bg.png) }")
    (tmp_path / "static" / "reader.js").write_text('fetch("/support/goal.json")')
    (tmp_path / "static" / "site.css.gz").write_bytes(b"\x1f\x8b")  # twins are the same bytes, compressed
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="//x.example/i.png"/></svg>'
    )
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>https://samizdat.example/</loc></url></urlset>")
    findings = audit_tree(tmp_path)
    assert [(f.where, f.url) for f in findings] == [
        ("logo.svg", "//x.example/i.png"),
        ("static/site.css", "https://x.example/bg.png"),
    ]


MARKUP_BROKEN_AT_SAFEST = {
    "img without alt": '<img src="/a.png">',
    "empty alt with a role": '<img src="/a.png" alt="" role="presentation">',
    "alt of blanks alone": '<img src="/a.png" alt="  ">',
    "mathml": "<p><math><mi>x</mi></math></p>",
    "unlabelled inline svg": '<a href="/"><svg viewBox="0 0 1 1"><path d="M0 0h1v1z"/></svg></a>',
    "font-face": "<style>@font-face { font-family: X; src: url(/static/x.woff2) }</style>",
}


@pytest.mark.parametrize("html", MARKUP_BROKEN_AT_SAFEST.values(), ids=MARKUP_BROKEN_AT_SAFEST.keys())
def test_markup_that_fails_at_safest_is_found(html):
    assert markup_problems(html, "page.html")


def test_markup_that_survives_safest_passes():
    html = """
    <img src="/a.png" alt="Protesters outside the court">
    <img src="/rule.png" alt="">
    <a href="/"><svg aria-hidden="true"><path d="M0 0"/></svg> Home</a>
    <svg role="img" aria-label="Chart of income"><path d="M0 0"/></svg>
    <svg><title>Logo</title><path d="M0 0"/></svg>
    """
    assert markup_problems(html, "page.html") == []
    assert font_face_problems("body { font-family: system-ui, sans-serif } /* no @font-face */") == []
