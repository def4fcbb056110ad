"""A copy exported for one mirror (``export_mirror --overlay-base``): its feeds, sitemaps and robots.txt name that
mirror and nothing else — every address in a feed's HTML (``src``, each ``srcset`` candidate, ``poster``, links),
item links, thumbnails and enclosures, the support link — while every host-agnostic file is byte for byte the
canonical export's, so the signed tree hash is the same (REACH.md R1.4, R5 check 1)."""

import re
from io import StringIO
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from mirrors.audit import audit_feed
from mirrors.export import inventory

MIRROR = "https://copy.mirror.example"
ATTRIBUTE = re.compile(r'\s(src|href|poster|srcset)="([^"]*)"')
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MEDIA_NS = "{http://search.yahoo.com/mrss/}"


@pytest.fixture(scope="module")
def mirror_export(django_db_setup, django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("mirror-export")
    with django_db_blocker.unblock():
        call_command(
            "export_mirror", str(out), "--jobs", "1", "--brotli-quality", "1", "--overlay-base", MIRROR + "/",
            stdout=StringIO(),
        )  # fmt: skip
    return (out / "current").resolve()


def overlay_files(root):
    return {
        path.relative_to(root).as_posix(): path
        for path in root.rglob("*")
        if path.suffix in (".xml", ".txt") and path.is_file() and not path.name.startswith("mirrors")
    }


def addresses_in(html):
    """Every address in an HTML fragment: single ones, and each srcset candidate."""
    found = []
    for name, value in ATTRIBUTE.findall(html):
        found += [part.strip().split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
    return found


def test_every_address_in_the_mirrors_feeds_is_on_the_mirror(mirror_export):
    feeds = [path for name, path in overlay_files(mirror_export).items() if name.endswith(("feed.xml", "atom.xml"))]
    assert len(feeds) >= 6
    checked = 0
    for path in feeds:
        text = path.read_text()
        parsed = feedparser.parse(text)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert audit_feed(text, str(path), own_hosts={"copy.mirror.example"}) == []
        for entry in parsed.entries:
            assert entry.link.startswith(MIRROR + "/"), entry.link
            html = entry.content[0].value if entry.get("content") else entry.summary
            for address in addresses_in(html):
                if address.startswith(("http://", "https://")) and urlsplit(address).hostname != "copy.mirror.example":
                    assert not address.startswith(settings.CANONICAL_URL), (path, address)  # outside links stay
                    continue
                assert address.startswith(MIRROR + "/"), (path, address)
                checked += 1
        payment = [link for link in parsed.feed.get("links", []) if link.get("rel") == "payment"]
        assert payment and payment[0]["href"] == MIRROR + "/support/", path
    assert checked > 50  # images, their srcset candidates and links were there to check
    assert settings.CANONICAL_URL.split("//")[1] not in "".join(path.read_text() for path in feeds)


def test_each_item_has_a_thumbnail_and_an_enclosure_with_size_and_type_on_the_mirror(mirror_export):
    feed = ElementTree.parse(mirror_export / "feed.xml").getroot()
    items = feed.findall("./channel/item")
    assert items
    with_image = 0
    for item in items:
        thumbnail, enclosure = item.find(f"{MEDIA_NS}thumbnail"), item.find("enclosure")
        if thumbnail is None:
            continue
        with_image += 1
        assert thumbnail.get("url").startswith(MIRROR + "/media/images/")
        assert int(thumbnail.get("width")) > 0 and int(thumbnail.get("height")) > 0
        assert enclosure.get("url") == thumbnail.get("url")
        assert int(enclosure.get("length")) > 1000 and enclosure.get("type").startswith("image/")
        exported = mirror_export / urlsplit(thumbnail.get("url")).path.lstrip("/")
        assert exported.stat().st_size == int(enclosure.get("length"))  # the file the mirror serves, that size
    assert with_image == len(items)


def test_the_sitemaps_and_robots_name_the_mirror(mirror_export):
    files = overlay_files(mirror_export)
    sitemaps = [path for name, path in files.items() if name.startswith("sitemap")]
    assert len(sitemaps) >= 2
    for path in sitemaps:
        locations = [loc.text for loc in ElementTree.parse(path).getroot().iter(f"{SITEMAP_NS}loc")]
        assert locations and all(loc.startswith(MIRROR + "/") for loc in locations), path
    assert f"Sitemap: {MIRROR}/sitemap.xml" in (mirror_export / "robots.txt").read_text()


def test_host_agnostic_files_are_the_canonical_exports_and_so_is_the_tree_hash(mirror_export, demo_export):
    import json

    mine = json.loads((mirror_export / "manifest.json").read_text())
    canonical = json.loads((demo_export.root / "manifest.json").read_text())
    assert mine["tree_hash"] == canonical["tree_hash"]
    overlay = {entry["path"] for entry in mine["files"] if entry["overlay"]}
    assert {"feed.xml", "atom.xml", "robots.txt", "sitemap.xml"} <= overlay
    agnostic = {e["path"]: e["sha256"] for e in mine["files"] if not e["overlay"] and not e.get("volatile")}
    theirs = {e["path"]: e["sha256"] for e in canonical["files"] if not e["overlay"] and not e.get("volatile")}
    assert agnostic == theirs
    assert json.loads((mirror_export / "export.json").read_text())["overlay_base"] == MIRROR
    assert {inventory.FEED, inventory.SITEMAP, inventory.ROBOTS} == inventory.OVERLAY_KINDS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mirror.example", "must be an address such as"),
        ("ftp://mirror.example", "must be an address such as"),
        ("https://mirror.example/copy/", "a copy under a sub-path takes --relative"),
        ("https://mirror.example/?x=1", "must be an address such as"),
    ],
)
def test_an_overlay_base_that_is_no_host_is_refused_before_any_work(tmp_path, value, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_mirror", str(tmp_path), "--overlay-base", value, stdout=StringIO())
    assert not (tmp_path / "exports").exists()


def test_a_feed_whose_html_has_relative_addresses_is_a_finding_of_the_audit():
    feed = (
        '<rss version="2.0"><channel><item><description>&lt;img src="https://copy.mirror.example/a.jpg" '
        'srcset="/media/a-640.jpg 640w, https://copy.mirror.example/a.jpg 1200w"&gt;&lt;video poster="b.jpg"&gt;'
        '&lt;/video&gt;&lt;a href="/news/"&gt;more&lt;/a&gt;&lt;a href="#top"&gt;top&lt;/a&gt;</description>'
        "</item></channel></rss>"
    )
    findings = audit_feed(feed, "feed.xml", own_hosts={"copy.mirror.example"})
    assert sorted((finding.kind, finding.url) for finding in findings) == [
        ("a[href], relative in a feed", "/news/"),
        ("img[srcset], relative in a feed", "/media/a-640.jpg"),
        ("video[poster], relative in a feed", "b.jpg"),
    ]
