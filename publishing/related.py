"""“Read more”: the articles shown at the end of a story.

Editor-pinned articles come first, in the editor's order; the rest are chosen by how many topics they share with the
story, preferring the story's language, then by recency. The number of queries does not grow with the number of
topics, pins or candidate articles.
"""

from django.db.models import Case, Count, IntegerField, Q, Value, When

from publishing.listing import attach_sections, live_articles

READ_MORE_MIN = 3
READ_MORE_MAX = 5


def read_more(article, *, limit=READ_MORE_MAX):
    from publishing.models import ArticlePage

    pinned = list(
        live_articles(ArticlePage.objects.filter(pinned_by__page=article).exclude(pk=article.pk)).order_by(
            "pinned_by__sort_order"
        )[:limit]
    )
    chosen = pinned
    if len(chosen) < limit:
        topic_ids = [topic.pk for topic in article.topics.all()]
        candidates = (
            live_articles(ArticlePage.objects.exclude(pk__in=[article.pk, *(page.pk for page in pinned)]))
            .annotate(
                shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
                same_language=Case(
                    When(language=article.language, then=Value(1)), default=Value(0), output_field=IntegerField()
                ),
            )
            .order_by("-same_language", "-shared_topics", "-first_published_at", "-pk")
        )
        chosen = pinned + list(candidates[: limit - len(pinned)])
    return attach_sections(chosen)
