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

from collections import Counter

from django.db.models import Case, Count, IntegerField, Q, Value, When

from core import snapshot
from publishing.listing import articles_for_cards, attach_sections

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
    loaded = articles_for_cards(order)
    return [loaded[pk] for pk in order if pk in loaded][:limit]


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

    Articles are known by their place from the newest (0 is the newest), so "newer" is "smaller". Two lists a story's
    topics pick from, both newest first: each topic's articles of each language, and each language's articles. Only
    the articles sharing a topic are counted (``Counter`` over the topics' lists) and sorted, at C speed; the rest come
    from the newest of each language, in order. So a story costs about as much as its topics have articles, never the
    whole archive, and stories with the same language and topics share a ranking, worked out once.
    """

    def __init__(self):
        from publishing.models import ArticlePage
        from publishing.visibility import public

        articles = public(ArticlePage.objects.live())
        rows = list(articles.order_by("-first_published_at", "-pk").values_list("pk", "language"))
        self.newest = [pk for pk, _language in rows]
        self.language_at = [language for _pk, language in rows]
        place = {pk: at for at, pk in enumerate(self.newest)}
        self.by_language = {}
        for at, language in enumerate(self.language_at):
            self.by_language.setdefault(language, []).append(at)
        self.by_topic = {}  # (topic, language) → places, newest first
        links = ArticlePage.topics.through.objects.filter(articlepage__in=articles).values_list(
            "topic_id", "articlepage_id"
        )
        for topic, pk in links:
            at = place[pk]
            self.by_topic.setdefault((topic, self.language_at[at]), []).append(at)
        for places in self.by_topic.values():
            places.sort()
        self._rankings = {}

    def ranked(self, language, topic_ids, count):
        key = (language, tuple(topic_ids), count)
        if key not in self._rankings:
            self._rankings[key] = [self.newest[at] for at in self._rank(language, key[1], count)]
        return list(self._rankings[key])

    def _rank(self, language, topic_ids, count):
        """Places: the story's language first, then the other languages; within each, the articles sharing the most
        topics, newest first, then the newest sharing none."""
        chosen = []
        others = [other for other in self.by_language if other != language]
        newest_of_others = (at for at, each in enumerate(self.language_at) if each != language)
        for languages, unshared in (([language], iter(self.by_language.get(language, ()))), (others, newest_of_others)):
            shared = Counter()
            for topic in topic_ids:
                for each in languages:
                    shared.update(self.by_topic.get((topic, each), ()))
            # newest first, then (a stable sort) the most topics shared first
            by_rank = sorted(sorted(shared), key=shared.__getitem__, reverse=True)
            chosen.extend(by_rank[: max(0, count - len(chosen))])
            while len(chosen) < count:
                at = next(unshared, None)
                if at is None:
                    break
                if at not in shared:
                    chosen.append(at)
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
