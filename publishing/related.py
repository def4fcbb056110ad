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

The ranking depends only on the story's language and topics (the story itself and its pins are taken out afterwards),
so an export, which renders every story of one snapshot, ranks once per language and set of topics
(:mod:`core.snapshot`).
"""

from django.db.models import Case, Count, IntegerField, Q, Value, When

from core import snapshot
from publishing.listing import attach_sections, live_articles

READ_MORE_MAX = 5


def read_more(article, *, topics=None, limit=READ_MORE_MAX):
    from publishing.models import ArticleRelatedLink

    topic_ids = tuple(sorted(topic.pk for topic in (topics if topics is not None else article.topics.all())))
    links = ArticleRelatedLink.objects.filter(page=article).order_by("sort_order", "pk")
    pins = list(dict.fromkeys(pk for pk in links.values_list("article_id", flat=True) if pk != article.pk))
    # Enough of the ranking that, once the story itself and its pins are taken out, ``limit`` remain.
    wanted = limit + 1 + len(pins)
    pins_fill_it = len(pins) >= limit
    chosen = _load(article, pins, [] if pins_fill_it else _ranked(article.language, topic_ids, wanted), limit)
    if pins_fill_it and len(chosen) < limit:  # a pinned article is no longer live: rank after all
        chosen = _load(article, pins, _ranked(article.language, topic_ids, wanted), limit)
    return attach_sections(chosen)


def _load(article, pins, ranked, limit):
    """The pinned articles that are live, then the ranked ones, as cards (``limit`` at most)."""
    from publishing.models import ArticlePage

    order = pins + [pk for pk in ranked if pk != article.pk and pk not in pins][:limit]
    loaded = {found.pk: found for found in live_articles(ArticlePage.objects.filter(pk__in=order))}
    return [loaded[pk] for pk in order if pk in loaded][:limit]


def _ranked(language, topic_ids, count):
    """The first ``count`` live public articles by the rule (pins aside), as primary keys: ``language`` first, then
    the most of ``topic_ids`` shared, then the newest. The same for every story of that language and those topics, so
    a batch render of one snapshot (the static export) works it out once per language and set of topics."""
    return snapshot.remember(("read-more", language, topic_ids, count), lambda: _rank(language, topic_ids, count))


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
