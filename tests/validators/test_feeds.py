"""feedparser reads every feed without a complaint (bozo 0): the site's, each language's, each section's in each
language, each topic's, RSS and Atom, from the origin and as the static export holds them."""

import feedparser
from django.conf import settings
from django.test import Client

from tests.publishing.test_feeds_and_sitemap import feed_paths


def origin_feeds():
    from publishing.models import SectionPage

    paths = feed_paths()
    for language, _name in settings.LANGUAGES:
        for section in SectionPage.objects.live():
            paths += [f"/{language}/{section.slug}/feed.xml", f"/{language}/{section.slug}/atom.xml"]
    return paths


def complaints(feeds):
    found = {}
    for name, content in feeds:
        parsed = feedparser.parse(content)
        if parsed.bozo or not parsed.feed.get("title"):
            found[name] = repr(parsed.get("bozo_exception"))
    return found


def test_every_origin_feed_parses_cleanly(db):
    feeds = []
    for path in origin_feeds():
        response = Client().get(path)
        if response.status_code == 404 and path.count("/") == 3:  # a language with no story in that section
            continue
        assert response.status_code == 200, path
        feeds.append((path, response.content))
    assert len(feeds) >= 10
    assert complaints(feeds) == {}


def test_every_exported_feed_parses_cleanly(demo_export):
    files = sorted({*demo_export.root.rglob("feed.xml"), *demo_export.root.rglob("atom.xml")})
    assert len(files) >= 10
    assert complaints((str(path.relative_to(demo_export.root)), path.read_bytes()) for path in files) == {}
