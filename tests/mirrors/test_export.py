"""The static export of the demo newsroom (REACH R1 checks 1, 2, 3, 4, 7, 8, 10, 18), read back with tools of its own
(BeautifulSoup, Pillow, ElementTree) rather than the exporter's scanner."""

import json
import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from PIL import Image
from wagtail.models import Page, Site

from mirrors.export.manifest import verify_tree
from mirrors.signing import Signer
from publishing.models import ArticlePage, Topic
from tests.mirrors.conftest import canonical_host

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TWINS = (".gz", ".br")


def files(root, *suffixes):
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not path.name.endswith(TWINS) and (not suffixes or path.suffix in suffixes)
    )


def html_files(root):
    return files(root, ".html")


def url_of(name):
    """The URL path a file of the export answers."""
    if name == "index.html":
        return "/"
    if name.endswith("/index.html"):
        return "/" + name[: -len("index.html")]
    return "/" + name


def holds(root, path):
    relative = unquote(path).lstrip("/")
    if not relative or relative.endswith("/"):
        return (root / relative / "index.html").is_file()
    return (root / relative).is_file() or (root / relative / "index.html").is_file()


# --- R1 check 1: exit and coverage


def test_the_command_exports_and_publishes(demo_export):
    assert "Export " in demo_export.stdout and "is now" in demo_export.stdout
    assert "Seconds by stage: inventory" in demo_export.stdout and "render" in demo_export.stdout
    assert (demo_export.out / "current").is_symlink()
    assert demo_export.root.parent == (demo_export.out / "exports").resolve()
    info = json.loads((demo_export.root / "export.json").read_text())
    assert info["export_id"] == demo_export.root.name
    assert info["canonical"] == settings.CANONICAL_URL
    assert info["counts"]["pages"] > 0 and info["counts"]["media"] > 0
    manifest = json.loads((demo_export.root / "manifest.json").read_text())
    assert info["tree_hash"] == manifest["tree_hash"]
    assert verify_tree(demo_export.root, Signer.from_settings().public_key) == []


def test_every_live_public_page_has_its_file(demo_export):
    site = Site.objects.get(is_default_site=True)
    pages = Page.objects.descendant_of(site.root_page, inclusive=True).live().public().specific()
    assert pages.count() > 20
    for page in pages:
        for relative in page.get_export_paths():
            path = page.get_url(current_site=site) + relative.lstrip("/")
            assert holds(demo_export.root, path), path
    for topic in Topic.objects.all():
        assert holds(demo_export.root, topic.get_absolute_url()), topic.slug
        assert holds(demo_export.root, topic.get_absolute_url() + "archive/1/"), topic.slug


def test_the_files_besides_pages_are_there(demo_export):
    root = demo_export.root
    expected = [
        "feed.xml",
        "atom.xml",
        "news/feed.xml",
        "news/atom.xml",
        "sitemap.xml",
        "robots.txt",
        "static/css/site.css",
        "static/img/favicon.png",
        "support/index.html",
        "support/goal.json",
        "support/bank-transfer/index.html",
        "support/crypto/index.html",
        "topics/index.html",
        "404.html",
        "export.json",
        "manifest.json",
        "manifest.json.minisig",
        "_redirects",
        "nginx-redirects.map",
    ]
    for topic in Topic.objects.all():
        expected += [f"topics/{topic.slug}/feed.xml", f"topics/{topic.slug}/atom.xml"]
    for name in expected:
        assert (root / name).is_file(), name
    json.loads((root / "support/goal.json").read_text())
    # the QR codes the crypto instructions show are exported with them
    qr = BeautifulSoup((root / "support/crypto/index.html").read_text(), "html.parser").select('img[src$=".png"]')
    assert qr and all(holds(root, img["src"]) for img in qr)


def test_admin_static_files_are_left_out(demo_export):
    tops = {path.name for path in (demo_export.root / "static").iterdir()}
    assert not any(top == "admin" or top.startswith("wagtail") for top in tops), tops


# --- R1 check 2: closure


def references(root, name):
    """Every internal path an exported HTML or CSS file references, resolved against the file's URL."""
    base = url_of(name)
    text = (root / name).read_text("utf-8")
    found = []
    if name.endswith(".html"):
        soup = BeautifulSoup(text, "html.parser")
        for tag in soup.find_all(True):
            for attribute in ("href", "src", "poster"):
                if tag.get(attribute):
                    found.append(tag[attribute])
            for attribute in ("srcset", "imagesrcset"):
                if tag.get(attribute):
                    found += [candidate.split()[0] for candidate in tag[attribute].split(",") if candidate.strip()]
            if tag.name == "meta" and (tag.get("http-equiv") or "").lower() == "refresh":
                found.append(tag["content"].split("url=", 1)[1])
    else:
        found += [match[1] for match in re.findall(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", text)]
        found += re.findall(r"""@import\s+['"]([^'"]+)['"]""", text)
    internal = []
    for url in found:
        parts = urlsplit(url)
        if parts.scheme or url.startswith(("#", "//")) or not parts.path:
            continue
        internal.append(urlsplit(urljoin(base, url)).path)
    return internal


def test_closure_nothing_dangles(demo_export):
    root = demo_export.root
    dangling = set()
    checked = 0
    for name in files(root, ".html", ".css"):
        for path in references(root, name):
            checked += 1
            if not holds(root, path):
                dangling.add((name, path))
    assert checked > 1000
    assert dangling == set()


# --- R1 check 3: host-agnostic


def test_no_host_outside_the_places_nothing_is_fetched(demo_export):
    root = demo_export.root
    forbidden = re.compile(
        "|".join(re.escape(token) for token in (canonical_host(), "testserver", "localhost", "127.0.0.1", "http://"))
    )
    found = []
    for name in files(root, ".html", ".css", ".js"):
        text = (root / name).read_text("utf-8")
        if name.endswith(".html"):
            soup = BeautifulSoup(text, "html.parser")
            allowed = soup.find_all("link", rel=["canonical", "alternate"])
            allowed += soup.find_all("meta", property=re.compile(r"^og:"))
            allowed += soup.find_all("script", type="application/ld+json")
            allowed += [
                a for a in soup.find_all("a", href=True) if urlsplit(a["href"]).scheme in ("http", "https", "mailto")
            ]
            for tag in allowed:
                tag.decompose()
            text = str(soup)
        found += [(name, match) for match in sorted(set(forbidden.findall(text)))]
    assert found == []


def test_canonical_links_stay_absolute(demo_export, article):
    soup = BeautifulSoup((demo_export.root / article.url.lstrip("/") / "index.html").read_text(), "html.parser")
    assert soup.find("link", rel="canonical")["href"] == settings.CANONICAL_URL + article.url


# --- R1 check 4: equal to origin


def test_an_exported_article_is_the_origin_page_in_export_mode(demo_export, export_client, article, russian_article):
    for page in (article, russian_article):
        exported = (demo_export.root / unquote(page.url).lstrip("/") / "index.html").read_bytes()
        response = export_client.get(page.url)
        assert response.status_code == 200
        assert exported == response.content, page.url


EXPORT_REGION = re.compile(r"<!--export-mode:([\w-]+)-->.*?<!--/export-mode:\1-->", re.DOTALL)


def test_against_the_origin_only_export_mode_regions_differ(demo_export, origin_client, article):
    exported = (demo_export.root / article.url.lstrip("/") / "index.html").read_text()
    origin = origin_client.get(article.url).content.decode()
    regions = EXPORT_REGION.findall(exported)
    assert "head" in regions
    # everything outside the export-mode regions is byte for byte the origin's, in the same order
    outside = EXPORT_REGION.split(exported)[0::2]  # split() also returns each region's name, at odd positions
    assert origin.startswith(outside[0]) and origin.endswith(outside[-1])
    position = 0
    for part in outside:
        found = origin.find(part, position)
        assert found >= 0, f"the export differs from the origin outside export-mode regions, near {part[:80]!r}"
        position = found + len(part)
    assert position == len(origin)


# --- R1 check 7: content types


def test_every_rendered_file_has_the_type_the_origin_sends(demo_export, export_client):
    root = demo_export.root
    own = {"export.json", "manifest.json", "manifest.json.minisig", "_redirects", "nginx-redirects.map", "404.html"}
    checked = 0
    for name in files(root):
        if name in own or name.startswith(("static/", "media/")) or name.endswith(".html"):
            continue
        response = export_client.get(url_of(name))
        assert response.status_code == 200, name
        served = response["Content-Type"].split(";")[0]
        guessed = mimetypes.guess_type(name)[0]
        xml = {"application/xml", "text/xml"}
        assert served == guessed or (guessed in xml and (served in xml or served.endswith("+xml"))), (name, served)
        checked += 1
    assert checked > 40


# --- R1 check 8: no originals


def test_no_original_image_and_no_gps(demo_export):
    media = demo_export.root / "media"
    assert not (media / "original_images").exists()
    jpegs = list(media.rglob("*.jpg")) + list(media.rglob("*.jpeg"))
    assert jpegs
    for path in jpegs:
        with Image.open(path) as image:
            assert not image.getexif().get_ifd(0x8825), path  # the GPS IFD


def test_only_renditions_pages_use_are_exported(demo_export):
    used = set()
    for name in html_files(demo_export.root):
        used.update(path for path in references(demo_export.root, name) if path.startswith("/media/"))
    exported = {"/" + name for name in files(demo_export.root) if name.startswith("media/")}
    assert exported == {unquote(path) for path in used}


def test_renditions_are_linked_from_media_root_where_the_file_system_allows(demo_export):
    for exported in (demo_export.root / "media").rglob("*.*"):
        source = Path(settings.MEDIA_ROOT, *exported.relative_to(demo_export.root / "media").parts)
        assert exported.read_bytes() == source.read_bytes(), exported
        if exported.stat().st_dev == source.stat().st_dev:  # one file system: a link, not a copy
            assert os.path.samefile(exported, source), exported


# --- R1 check 10: determinism


def test_the_same_database_gives_the_same_tree_hash(demo_export):
    manifest = json.loads((demo_export.root / "manifest.json").read_text())
    assert demo_export.in_process.tree_hash == manifest["tree_hash"]
    # and the same files, byte for byte (the export id differs, so export.json does too)
    ours = {entry["path"]: entry["sha256"] for entry in manifest["files"] if entry["path"] != "export.json"}
    theirs = {entry["path"]: entry["sha256"] for entry in demo_export.in_process.manifest["files"]}
    theirs.pop("export.json")
    assert ours == theirs


# --- R1 check 18: sitemaps and the 404 page


def test_every_article_is_in_exactly_one_sitemap_shard(demo_export):
    root = demo_export.root
    index = ElementTree.parse(root / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    shards = [loc.text[len(settings.CANONICAL_URL) :] for loc in index.iter(f"{SITEMAP_NS}loc")]
    assert shards
    seen = {}
    for shard in shards:
        assert holds(root, shard), shard
        for loc in ElementTree.parse(root / shard.lstrip("/")).getroot().iter(f"{SITEMAP_NS}loc"):
            seen[loc.text] = seen.get(loc.text, 0) + 1
    for article in ArticlePage.objects.live():
        assert seen.get(settings.CANONICAL_URL + article.url) == 1, article.url


def test_the_404_page_is_the_sites_404_template(demo_export, export_client):
    exported = (demo_export.root / "404.html").read_bytes()
    response = export_client.get("/no-such-page-anywhere/")
    assert response.status_code == 404
    assert response.content == exported
    assert b"We could not find that page" in exported
