"""“Read more”: the articles shown at the end of a story.

Editor-pinned articles come first, in the editor's order; the rest are chosen by how many topics they share with the
story, preferring the story's language, then by recency. One query (plus the prefetch of the cards' renditions),
however many topics, pins or candidate articles there are.

The query ranks only the articles that could make the list — the pinned ones, those sharing a topic, and the newest
few of the story's language and of all — never the whole archive, so its cost does not grow with the size of the site
(an export renders every story once; ranking every article for each would make it quadratic). Why that is enough: an
article that is neither pinned nor shares a topic is outranked by every newer article of its language (or, for another
language, by every newer article), so it can be among the first ``limit`` only if it is among the ``limit`` newest.
"""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When

from publishing.listing import attach_sections, live_articles

READ_MORE_MAX = 5


def read_more(article, *, topics=None, limit=READ_MORE_MAX):
    from publishing.models import ArticlePage, ArticleRelatedLink
    from publishing.visibility import public

    topic_ids = [topic.pk for topic in (topics if topics is not None else article.topics.all())]
    pins = ArticleRelatedLink.objects.filter(page=article)
    pin_order = pins.filter(article=OuterRef("pk")).values("sort_order")[:1]
    others = public(ArticlePage.objects.live().exclude(pk=article.pk))
    newest = others.order_by("-first_published_at", "-pk").values("pk")
    sharing = ArticlePage.topics.through.objects.filter(topic_id__in=topic_ids).values("articlepage_id")
    candidates = (
        Q(pk__in=pins.values("article_id"))
        | Q(pk__in=newest.filter(language=article.language)[:limit])
        | Q(pk__in=newest[:limit])
    )
    if topic_ids:
        candidates |= Q(pk__in=sharing)
    chosen = (
        live_articles(ArticlePage.objects.exclude(pk=article.pk))
        .filter(candidates)
        .annotate(
            pin_order=Subquery(pin_order),
            shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
            same_language=Case(
                When(language=article.language, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .order_by(F("pin_order").asc(nulls_last=True), "-same_language", "-shared_topics", "-first_published_at", "-pk")
    )
    return attach_sections(list(chosen[:limit]))
