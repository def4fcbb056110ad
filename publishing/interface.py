"""What other apps may know about pages: an article's id, section, topics and language. Nothing else.

``support`` reads pages only through this module.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleInfo:
    id: int
    section: str  # the section's slug
    topics: tuple  # topic slugs
    language: str
    paragraphs: int  # how many paragraphs the body has (asks go after paragraph N)


def article_info(page, topics=None, section=None):
    """What other apps may know of an article. ``topics`` and ``section``, when the caller has them, save queries."""
    from publishing.models import SectionPage

    if section is not None:
        section = section.slug
    else:
        parent_path = page.path[: -SectionPage.steplen]
        section = SectionPage.objects.filter(path=parent_path).values_list("slug", flat=True).first() or ""
    topic_slugs = tuple(t.slug for t in (topics if topics is not None else page.topics.all()))
    paragraphs = sum(1 for block in page.body if block.block_type == "paragraph")
    return ArticleInfo(id=page.pk, section=section, topics=topic_slugs, language=page.language, paragraphs=paragraphs)


def section_filter():
    """Limits a choice of pages to sections (for targeting asks)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from publishing.models import SectionPage

    return Q(content_type=ContentType.objects.get_for_model(SectionPage))


def article_exists(article_id):
    from publishing.models import ArticlePage

    return ArticlePage.objects.live().filter(pk=article_id).exists()


def article_labels(article_ids) -> dict:
    """{id: (title, section slug, section title)} of the articles that still exist, in two queries (reports name the
    stories that brought money; a deleted story is simply absent)."""
    from publishing.models import ArticlePage, SectionPage

    ids = [pk for pk in set(article_ids) if pk is not None]
    if not ids:
        return {}
    articles = list(ArticlePage.objects.filter(pk__in=ids).values_list("pk", "title", "path"))
    steplen = SectionPage.steplen
    parents = {path[:-steplen] for _pk, _title, path in articles}
    sections = {
        path: (slug, title)
        for path, slug, title in SectionPage.objects.filter(path__in=parents).values_list("path", "slug", "title")
    }
    return {pk: (title, *sections.get(path[:-steplen], ("", ""))) for pk, title, path in articles}
