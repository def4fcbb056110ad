import feedparser
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from publishing.languages import in_language
from publishing.models import ArticlePage, SectionPage, Topic

pytestmark = pytest.mark.django_db


def feed_paths():
    paths = ["/feed.xml", "/atom.xml", "/en/feed.xml", "/en/atom.xml", "/ru/feed.xml", "/ru/atom.xml"]
    for section in SectionPage.objects.live():
        paths += [f"{section.url}feed.xml", f"{section.url}atom.xml"]
    for topic in Topic.objects.filter(articles__live=True).distinct():
        paths += [f"{topic.get_absolute_url()}feed.xml", f"{topic.get_absolute_url()}atom.xml"]
    return paths


def test_every_feed_parses_and_carries_full_text():
    for path in feed_paths():
        response = Client().get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].startswith(("application/rss+xml", "application/atom+xml")), path
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        for entry in feed.entries:
            assert entry.link.startswith(settings.CANONICAL_URL + "/"), path
            article = ArticlePage.objects.get(url_path__endswith="/" + entry.link.rstrip("/").rsplit("/", 1)[1] + "/")
            content = entry.content[0].value
            paragraph = next(b for b in article.body if b.block_type == "paragraph")
            first_words = BeautifulSoup(paragraph.value.source, "html.parser").get_text(" ", strip=True)[:50]
            assert first_words in BeautifulSoup(content, "html.parser").get_text(" ", strip=True), (path, entry.link)
            if article.lead_image:
                licence = in_language(article.lead_image.licence, "name", article.language)  # the story's language
                assert article.lead_image.credit in content and licence in content
            for src in BeautifulSoup(content, "html.parser").find_all(src=True):
                assert src["src"].startswith(settings.CANONICAL_URL + "/media/images/"), src


def test_site_feed_holds_the_newest_articles():
    feed = feedparser.parse(Client().get("/feed.xml").content)
    newest = ArticlePage.objects.live().order_by("-first_published_at").first()
    assert feed.entries[0].title == newest.title
    assert feed.feed.link == settings.CANONICAL_URL + "/"


def test_robots_points_at_the_sitemap():
    body = Client().get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.CANONICAL_URL}/sitemap.xml" in body


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_language_has_a_feed_of_its_own_stories(language):
    expected = {a.title for a in ArticlePage.objects.live().filter(language=language)}
    for path in (f"/{language}/feed.xml", f"/{language}/atom.xml"):
        feed = feedparser.parse(Client().get(path).content)
        assert feed.bozo == 0, path
        assert feed.feed.language == language, path
        assert {entry.title for entry in feed.entries} == expected, path


def test_pages_point_to_the_feed_of_their_language(russian_article, article):
    for page, language in ((russian_article, "ru"), (article, "en")):
        soup = BeautifulSoup(Client().get(page.url).content, "html.parser")
        # no hreflang on it: that names a translation of the page, which a feed is not (search engines reject it)
        feeds = soup.find_all("link", attrs={"rel": "alternate", "type": "application/rss+xml"})
        assert f"/{language}/feed.xml" in [feed["href"] for feed in feeds]
        assert not any(feed.has_attr("hreflang") for feed in feeds)


def test_a_section_cannot_take_a_language_code_as_its_slug():
    from django.core.exceptions import ValidationError

    section = SectionPage(title="Russian", slug="ru")
    with pytest.raises(ValidationError, match="language code"):
        section.clean()
