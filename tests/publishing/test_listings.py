import pytest
from bs4 import BeautifulSoup
from django.test import Client

from core import snapshot
from publishing import listing
from publishing.listing import ARCHIVE_PAGE_SIZE, FRONT_SIZE, Archive
from publishing.models import ArticlePage, HomePage, SectionPage, Topic

pytestmark = pytest.mark.django_db


def soup_of(path, status=200):
    response = Client().get(path)
    assert response.status_code == status, path
    return BeautifulSoup(response.content, "html.parser")


def test_home_leads_with_the_chosen_story_then_each_section():
    home = HomePage.objects.get()
    soup = soup_of("/")
    lead = soup.select_one(".lead-story .card__title a")
    assert lead.get_text(strip=True) == home.lead_article.title
    headings = [h.get_text(strip=True) for h in soup.select(".section-block__title")]
    assert headings == [
        s.title for s in SectionPage.objects.live().order_by("path") if ArticlePage.objects.child_of(s).live().exists()
    ]
    for block in soup.select(".section-block"):
        assert 1 <= len(block.select(".card")) <= home.per_section


def test_section_front_lists_newest_first_and_links_archives():
    section = SectionPage.objects.live().first()
    soup = soup_of(section.url)
    titles = [a.get_text(strip=True) for a in soup.select(".card__title a")]
    expected = ArticlePage.objects.child_of(section).live().order_by("-first_published_at")[:FRONT_SIZE]
    assert titles == [a.title for a in expected]
    assert soup.select_one(f'.archive-nav a[href="{section.url}archive/1/"]')


def test_archive_pages_are_numbered_from_the_oldest_and_stay_stable():
    section = SectionPage.objects.live().first()
    oldest = ArticlePage.objects.child_of(section).live().order_by("first_published_at", "pk").first()
    archive_one = soup_of(f"{section.url}archive/1/")
    titles = [a.get_text(strip=True) for a in archive_one.select(".card__title a")]
    assert titles[-1] == oldest.title
    assert len(titles) <= ARCHIVE_PAGE_SIZE
    # A new story changes the front, not archive page 1 (it has room) — and never shifts older pages.
    soup_of(f"{section.url}archive/2/", status=404)
    soup_of(f"{section.url}archive/0/", status=404)


def test_archive_pagination_splits_many_articles():
    archive = Archive(ArticlePage.objects.all(), page_size=5)
    total = archive.count()
    assert archive.number_of_pages() == -(-total // 5)
    seen = []
    for number in range(1, archive.number_of_pages() + 1):
        seen += [a.pk for a in reversed(archive.page(number))]
    assert seen == list(ArticlePage.objects.live().order_by("first_published_at", "pk").values_list("pk", flat=True))


def test_topic_pages_list_their_articles():
    topic = Topic.objects.filter(articles__live=True).distinct().first()
    soup = soup_of(topic.get_absolute_url())
    assert soup.find("h1").get_text(strip=True) == topic.name
    titles = {a.get_text(strip=True) for a in soup.select(".card__title a")}
    assert titles == {a.title for a in ArticlePage.objects.live().filter(topics=topic)}
    index = soup_of("/topics/")
    assert index.find("a", href=topic.get_absolute_url())


def test_unknown_addresses_get_the_sites_own_404():
    for path in [
        "/no-such-page/",
        "/news/no-such-story/",
        "/topics/no-such-topic/",
        "/topics/x/archive/1/",
        "/nowhere/feed.xml",
        "/news/archive/99/",
    ]:
        response = Client().get(path)
        assert response.status_code == 404, path
        soup = BeautifulSoup(response.content, "html.parser")
        assert "We could not find that page" in soup.find("h1").get_text(), path
        assert "Set-Cookie" not in response.headers


def test_cards_in_a_batch_are_loaded_once_and_match_a_query_for_them(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(listing, "CARD_CHUNK", 3)  # several chunks from the demo's articles
    live = list(ArticlePage.objects.live().order_by("pk"))
    hidden = live[0]
    hidden.unpublish()
    wanted = [article.pk for article in live[:8]] + [10**9]
    alone = listing.articles_for_cards(wanted)
    assert set(alone) == {article.pk for article in live[1:8]}

    with snapshot.batch():
        together = listing.articles_for_cards(wanted)
        with django_assert_num_queries(0):  # every other card of the snapshot is already loaded
            rest = listing.articles_for_cards([article.pk for article in live])
    assert {pk: (a.title, a.url, a.lead_image_id) for pk, a in together.items()} == {
        pk: (a.title, a.url, a.lead_image_id) for pk, a in alone.items()
    }
    assert set(rest) == {article.pk for article in live[1:]}
