"""The sitemap: an index of monthly shards by first publication (a new story touches one shard), plus the pages that
are not stories; reading responses like any other."""

import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from publishing.models import ArticlePage, SectionPage, Topic
from publishing.views import sitemap_shard_paths
from publishing.visibility import public

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fetch(path):
    response = Client().get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert "Set-Cookie" not in response.headers and "public" in response.headers["Cache-Control"]
    return ElementTree.fromstring(response.content)


def shard_paths():
    index = fetch("/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    locs = [loc.text for loc in index.iter(f"{NS}loc")]
    assert all(loc.startswith(settings.CANONICAL_URL + "/") for loc in locs)
    return [loc.removeprefix(settings.CANONICAL_URL) for loc in locs]


def urls_of(path):
    return [loc.text for loc in fetch(path).iter(f"{NS}loc")]


def month_of(article):
    return timezone.localtime(article.first_published_at).strftime("%Y-%m")


def test_every_story_is_in_exactly_one_shard_its_months():
    paths = shard_paths()
    assert paths[0] == "/sitemap-pages.xml"
    months = [re.fullmatch(r"/sitemap-(\d{4}-\d{2})\.xml", path).group(1) for path in paths[1:]]
    assert months == sorted(set(months))
    seen = {}
    for month in months:
        for url in urls_of(f"/sitemap-{month}.xml"):
            assert url not in seen, (url, seen.get(url), month)
            seen[url] = month
    stories = public(ArticlePage.objects.live())
    assert len(seen) == stories.count()
    for article in stories:
        assert seen[settings.CANONICAL_URL + article.url] == month_of(article)
    # the static export renders the shards alongside the pages, from the same list
    assert sitemap_shard_paths() == paths


def test_the_pages_shard_has_home_sections_and_topics():
    urls = set(urls_of("/sitemap-pages.xml"))
    assert settings.CANONICAL_URL + "/" in urls
    for section in SectionPage.objects.live():
        assert settings.CANONICAL_URL + section.url in urls
    for topic in Topic.objects.filter(articles__live=True).distinct():
        assert settings.CANONICAL_URL + topic.get_absolute_url() in urls
    assert not any(settings.CANONICAL_URL + a.url in urls for a in ArticlePage.objects.live())


def test_the_index_dates_each_shard_by_its_latest_change():
    index = fetch("/sitemap.xml")
    for entry in index.iter(f"{NS}sitemap"):
        loc = entry.find(f"{NS}loc").text
        match = re.search(r"sitemap-(\d{4})-(\d{2})\.xml$", loc)
        if not match:
            continue
        newest = max(a.last_published_at for a in ArticlePage.objects.live() if month_of(a) == f"{match[1]}-{match[2]}")
        assert entry.find(f"{NS}lastmod").text == timezone.localtime(newest).isoformat()


@pytest.mark.parametrize(
    "path", ["/sitemap-1999-01.xml", "/sitemap-2026-13.xml", "/sitemap-2026-00.xml", "/sitemap-26-1.xml"]
)
def test_a_month_without_stories_is_not_found(path):
    assert Client().get(path).status_code == 404


def test_a_new_story_changes_only_its_months_shard(article, django_capture_on_commit_callbacks):
    client = Client()
    before = {path: client.get(path).content for path in shard_paths()}
    section = article.get_parent()
    story = ArticlePage(title="A new story", slug="a-new-story", standfirst="New.", body=[("paragraph", "<p>Now.</p>")])
    with django_capture_on_commit_callbacks(execute=True):
        section.add_child(instance=story)
        story.save_revision().publish()
    story.refresh_from_db()
    after = {path: client.get(path).content for path in shard_paths()}
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed == {f"/sitemap-{month_of(story)}.xml"}
    assert (settings.CANONICAL_URL + story.url).encode() in after[f"/sitemap-{month_of(story)}.xml"]


def test_robots_names_the_index():
    body = Client().get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.CANONICAL_URL}/sitemap.xml\n" in body
