"""“Read more”: the articles shown at the end of a story.

Editor-pinned articles come first, in the editor's order; the rest are chosen by how many topics they share with the
story, preferring the story's language, then by recency. One query (plus the prefetch of the cards' renditions),
however many topics, pins or candidate articles there are.
"""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When

from publishing.listing import attach_sections, live_articles

READ_MORE_MAX = 5


def read_more(article, *, topics=None, limit=READ_MORE_MAX):
    from publishing.models import ArticlePage, ArticleRelatedLink

    topic_ids = [topic.pk for topic in (topics if topics is not None else article.topics.all())]
    pin_order = ArticleRelatedLink.objects.filter(page=article, article=OuterRef("pk")).values("sort_order")[:1]
    chosen = (
        live_articles(ArticlePage.objects.exclude(pk=article.pk))
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
