from contextlib import nullcontext

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import snapshot
from publishing.models import ArticlePage, ArticleRelatedLink, Topic
from publishing.related import read_more

pytestmark = pytest.mark.django_db


def test_pinned_articles_come_first_in_the_editors_order():
    pinned_page = ArticlePage.objects.filter(pinned_links__isnull=False).distinct().first()
    assert pinned_page is not None, "the demo pins Read more on its investigations"
    pins = [link.article_id for link in pinned_page.pinned_links.order_by("sort_order")]
    chosen = [a.pk for a in read_more(pinned_page)]
    assert chosen[: len(pins)] == pins
    assert 3 <= len(chosen) <= 5 and pinned_page.pk not in chosen


def test_the_rest_share_the_most_topics(article):
    own = set(article.topics.values_list("pk", flat=True))
    chosen = read_more(article)
    shared = [len(own & set(a.topics.values_list("pk", flat=True))) for a in chosen if a.language == article.language]
    assert shared == sorted(shared, reverse=True)
    assert shared[0] >= 1


def render_queries(path):
    from django.core.cache import cache

    client = Client()
    cache.clear()
    client.get(path)  # makes any missing renditions
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def pin(article_pk, pinned):
    page = ArticlePage.objects.get(pk=article_pk)
    page.pinned_links = [ArticleRelatedLink(article=a) for a in pinned]
    page.save_revision().publish()
    return page


def test_article_queries_do_not_grow_with_related_content(article):
    others = list(ArticlePage.objects.exclude(pk=article.pk).order_by("pk"))
    pin(article.pk, others[:1])
    before = render_queries(article.url)

    section = article.get_parent()
    topics = list(Topic.objects.all())
    for n in range(12):
        extra = ArticlePage(
            title=f"Related {n}",
            slug=f"related-{n}",
            standfirst="More.",
            body=[("paragraph", "<p>x</p>")],
            lead_image=others[n].lead_image,
        )
        section.add_child(instance=extra)
        extra.topics = topics
        extra.save_revision().publish()
    page = pin(article.pk, others[:2])
    page.topics = topics
    page.save_revision().publish()
    after = render_queries(article.url)
    assert after == before, f"{before} queries before, {after} after adding related content"

    pin(article.pk, others[:5])  # "Read more" filled by pins alone needs no candidate query at all
    assert render_queries(article.url) <= before


def ranked_by_hand(article, limit):
    """Every live article ranked by the rule, in Python: pins in the editor's order, then the story's language, then
    shared topics, then the newest."""
    pins = {link.article_id: link.sort_order for link in ArticleRelatedLink.objects.filter(page=article)}
    own = set(article.topics.values_list("pk", flat=True))

    def rank(other):
        pinned = pins.get(other.pk)
        shared = len(own & set(other.topics.values_list("pk", flat=True)))
        return (
            pinned is None,
            pinned or 0,
            other.language != article.language,
            -shared,
            -other.first_published_at.timestamp(),
            -other.pk,
        )

    others = ArticlePage.objects.live().exclude(pk=article.pk)
    return [other.pk for other in sorted(others, key=rank)[:limit]]


@pytest.mark.parametrize("limit", [1, 3, 5, 12, 40])
@pytest.mark.parametrize("ranked", ["by the database", "from the export's index"])
def test_ranking_only_the_candidates_chooses_what_ranking_every_article_would(limit, ranked):
    with snapshot.batch() if ranked == "from the export's index" else nullcontext():
        for article in ArticlePage.objects.live():
            assert [a.pk for a in read_more(article, limit=limit)] == ranked_by_hand(article, limit), article.title
