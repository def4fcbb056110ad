"""“Read more”: the articles shown at the end of a story.

Editor-pinned articles come first, in the editor's order; the rest are chosen by how many topics they share with the
story, preferring the story's language, then by recency. A fixed number of queries, however many topics, pins or
candidate articles there are: the pins, the ranking (primary keys only), the chosen cards with their renditions, and
their sections.

The query ranks only the articles that could make the list — the pinned ones, those sharing a topic, and the newest
few of the story's language and of all — never the whole archive, so its cost does not grow with the size of the site
(an export renders every story once; ranking every article for each would make it quadratic). Why that is enough: an
article that is neither pinned nor shares a topic is outranked by every newer article of its language (or, for another
language, by every newer article), so it can be among the first ``limit`` only if it is among the ``limit`` newest.

An export renders every story of one snapshot, so there the ranking is done in memory from one index of the snapshot
(:class:`RankingIndex`, kept by :mod:`core.snapshot`) rather than by one query a story; the tests hold both to the rule.
"""

import heapq
from collections import Counter

from django.db.models import Case, Count, IntegerField, Q, Value, When

from core import snapshot
from publishing.listing import attach_sections, live_articles

READ_MORE_MAX = 5


def read_more(article, *, topics=None, limit=READ_MORE_MAX):
    from publishing.models import ArticleRelatedLink

    topic_ids = tuple(sorted(topic.pk for topic in (topics if topics is not None else article.topics.all())))
    if snapshot.active():  # a batch render of one snapshot: every story's pins at once
        pinned = snapshot.remember("read-more-pins", _every_storys_pins).get(article.pk, [])
    else:
        links = ArticleRelatedLink.objects.filter(page=article).order_by("sort_order", "pk")
        pinned = links.values_list("article_id", flat=True)
    pins = list(dict.fromkeys(pk for pk in pinned if pk != article.pk))
    # Enough of the ranking that, once the story itself and its pins are taken out, ``limit`` remain.
    wanted = limit + 1 + len(pins)
    pins_fill_it = len(pins) >= limit
    chosen = _load(article, pins, [] if pins_fill_it else _ranked(article.language, topic_ids, wanted), limit)
    if pins_fill_it and len(chosen) < limit:  # a pinned article is no longer live: rank after all
        chosen = _load(article, pins, _ranked(article.language, topic_ids, wanted), limit)
    return attach_sections(chosen)


def _every_storys_pins():
    from publishing.models import ArticleRelatedLink

    pins = {}
    for page_id, article_id in ArticleRelatedLink.objects.order_by("page_id", "sort_order", "pk").values_list(
        "page_id", "article_id"
    ):
        pins.setdefault(page_id, []).append(article_id)
    return pins


def _load(article, pins, ranked, limit):
    """The pinned articles that are live, then the ranked ones, as cards (``limit`` at most)."""
    order = pins + [pk for pk in ranked if pk != article.pk and pk not in pins][:limit]
    loaded = _cards(order)
    return [loaded[pk] for pk in order if pk in loaded][:limit]


def _cards(pks):
    """{pk: live public article, ready for its card} for ``pks``; a batch render keeps every article it loaded."""
    from publishing.models import ArticlePage

    if not snapshot.active():
        return {found.pk: found for found in live_articles(ArticlePage.objects.filter(pk__in=pks))}
    kept = snapshot.remember("read-more-cards", dict)
    missing = [pk for pk in pks if pk not in kept]
    if missing:
        found = {card.pk: card for card in live_articles(ArticlePage.objects.filter(pk__in=missing))}
        kept.update({pk: found.get(pk) for pk in missing})  # None: not live, or not public
    return {pk: kept[pk] for pk in pks if kept[pk] is not None}


def _ranked(language, topic_ids, count):
    """The first ``count`` live public articles by the rule (pins aside), as primary keys: ``language`` first, then
    the most of ``topic_ids`` shared, then the newest.

    A batch render of one snapshot (the static export) ranks every story, so it ranks from memory: one
    :class:`RankingIndex` of the snapshot instead of one query for each story."""
    if snapshot.active():
        return snapshot.remember("read-more-index", RankingIndex).ranked(language, topic_ids, count)
    return _rank(language, topic_ids, count)


class RankingIndex:
    """Every live public article's language, place from the newest and topics: the rule, ranked in memory.

    Two lists a story's topics pick from, both newest first: each topic's articles, and each language's. Only the
    articles sharing a topic are counted (``Counter`` over the topics' lists); the rest come from the newest of each
    language, in order, so a story costs about as much as its topics have articles, never the whole archive.
    """

    def __init__(self):
        from publishing.models import ArticlePage
        from publishing.visibility import public

        articles = public(ArticlePage.objects.live())
        rows = articles.order_by("-first_published_at", "-pk").values_list("pk", "language")
        self.newest = [pk for pk, _language in rows]
        self.place = {pk: place for place, pk in enumerate(self.newest)}
        self.language = dict(rows)
        self.by_language = {}
        for pk, language in rows:
            self.by_language.setdefault(language, []).append(pk)
        self.by_topic = {}
        links = ArticlePage.topics.through.objects.filter(articlepage__in=articles).values_list(
            "topic_id", "articlepage_id"
        )
        for topic, pk in links:
            self.by_topic.setdefault(topic, []).append(pk)
        for members in self.by_topic.values():
            members.sort(key=self.place.__getitem__)

    def ranked(self, language, topic_ids, count):
        shared = Counter()
        for topic in topic_ids:
            shared.update(self.by_topic.get(topic, ()))
        levels = {}
        for pk, number in shared.items():
            levels.setdefault((self.language[pk] != language, number), []).append(pk)
        chosen = []
        for other_language in (False, True):
            for number in range(len(topic_ids), 0, -1):
                level = levels.get((other_language, number))
                if level and len(chosen) < count:
                    chosen.extend(heapq.nsmallest(count - len(chosen), level, key=self.place.__getitem__))
            if other_language:
                unshared = (pk for pk in self.newest if self.language[pk] != language)
            else:
                unshared = iter(self.by_language.get(language, ()))
            while len(chosen) < count:
                pk = next(unshared, None)
                if pk is None:
                    break
                if pk not in shared:
                    chosen.append(pk)
        return chosen


def _rank(language, topic_ids, count):
    from publishing.models import ArticlePage
    from publishing.visibility import public

    articles = public(ArticlePage.objects.live())
    newest = articles.order_by("-first_published_at", "-pk").values("pk")
    candidates = Q(pk__in=newest.filter(language=language)[:count]) | Q(pk__in=newest[:count])
    if topic_ids:
        sharing = ArticlePage.topics.through.objects.filter(topic_id__in=topic_ids).values("articlepage_id")
        candidates |= Q(pk__in=sharing)
    ranking = (
        articles.filter(candidates)
        .values("pk")  # group by the article alone: the ranking needs no other column
        .annotate(
            shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
            same_language=Case(When(language=language, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .order_by("-same_language", "-shared_topics", "-first_published_at", "-pk")
        .values_list("pk", flat=True)
    )
    return list(ranking[:count])
