"""Querysets for lists of articles, and path-based archives.

Every list of articles goes through :func:`live_articles`, which loads in a fixed number of queries what the cards
show (lead image, its licence, its renditions), however many articles there are.

Archives are numbered from the oldest article, so ``archive/1/`` always holds the first articles ever published
there, and a new article changes only the front and the last archive page. That keeps static mirrors and caches stable.
"""

import math
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from core import snapshot

FRONT_SIZE = 10
ARCHIVE_PAGE_SIZE = 20


def live_articles(queryset=None):
    from publishing.models import ArticlePage, NewsRendition

    queryset = ArticlePage.objects.all() if queryset is None else queryset
    from publishing.visibility import public

    return (
        public(queryset.live())
        .defer_streamfields()
        .select_related("lead_image", "lead_image__licence")
        .prefetch_related(Prefetch("lead_image__renditions", queryset=NewsRendition.objects.all()))
    )


# How many articles one query loads when a batch render fills its store of cards (a bound on the query's parameters).
CARD_CHUNK = 500


def articles_for_cards(pks):
    """{pk: article} for those of ``pks`` that are live and public, loaded as :func:`live_articles` loads them.

    A batch render of one snapshot (the static export) shows every article's card somewhere, most on many pages
    ("Read more", archives, topics), so the first time it needs one it loads every live public article once, a chunk
    at a time, and every later card costs no query. Outside a batch, one query for ``pks``."""
    from publishing.models import ArticlePage

    if not snapshot.active():
        return {found.pk: found for found in live_articles(ArticlePage.objects.filter(pk__in=pks))}
    store = snapshot.remember("articles-for-cards", _every_card)
    return {pk: store[pk] for pk in pks if pk in store}


def _every_card():
    from publishing.models import ArticlePage

    every = sorted(live_articles().values_list("pk", flat=True))
    store = {}
    for start in range(0, len(every), CARD_CHUNK):
        chunk = ArticlePage.objects.filter(pk__in=every[start : start + CARD_CHUNK])
        store.update((found.pk, found) for found in live_articles(chunk))
    return store


def newest_first(queryset):
    return queryset.order_by("-first_published_at", "-pk")


def attach_sections(articles):
    """Set ``article.section`` on each article from one query (a section is an article's parent page)."""
    from publishing.models import SectionPage

    articles = list(articles)
    if not articles:
        return articles
    parent_paths = {article.path[: -SectionPage.steplen] for article in articles}
    if snapshot.active():  # a batch render of one snapshot: every section, once
        sections = snapshot.remember("sections", lambda: {found.path: found for found in SectionPage.objects.all()})
    else:
        sections = {section.path: section for section in SectionPage.objects.filter(path__in=parent_paths)}
    for article in articles:
        article.section = sections.get(article.path[: -SectionPage.steplen])
    return articles


@dataclass
class Archive:
    """The articles of one section or topic, as a front (the newest) and numbered archive pages (from the oldest)."""

    queryset: object
    page_size: int = ARCHIVE_PAGE_SIZE
    # Names the archive (("section", pk), ("topic", pk)) so that a batch render of one snapshot, which renders every
    # page of it, orders the archive once instead of once a page (see _in_order).
    key: object = None

    def count(self):
        if not hasattr(self, "_count"):
            order = self._in_order()
            self._count = len(order) if order is not None else live_articles(self.queryset).count()
        return self._count

    def _in_order(self):
        """Every article's primary key, oldest first, in a batch render of one snapshot (None outside one)."""
        if self.key is None or not snapshot.active():
            return None
        from publishing.visibility import public

        oldest_first = public(self.queryset.live()).order_by("first_published_at", "pk").values_list("pk", flat=True)
        return snapshot.remember(("archive", self.key), lambda: list(oldest_first))

    def number_of_pages(self):
        return max(1, math.ceil(self.count() / self.page_size))

    def front(self, size=FRONT_SIZE):
        return attach_sections(newest_first(live_articles(self.queryset))[:size])

    def page(self, number):
        """Archive page ``number`` (1 = the oldest articles), newest first within the page."""
        if number < 1 or number > self.number_of_pages():
            raise Http404("No such archive page")
        start = (number - 1) * self.page_size
        order = self._in_order()
        if order is not None:
            wanted = order[start : start + self.page_size]
            found = articles_for_cards(wanted)
            articles = [found[pk] for pk in wanted]
        else:
            oldest_first = live_articles(self.queryset).order_by("first_published_at", "pk")
            articles = list(oldest_first[start : start + self.page_size])
        articles.reverse()
        return attach_sections(articles)

    def page_numbers(self):
        return range(self.number_of_pages(), 0, -1)
