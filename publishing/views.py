"""Reading views that are not Wagtail pages: topics, search, sitemap and robots.txt."""

import re

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.reading import mark_reading
from publishing.listing import Archive, attach_sections, live_articles
from publishing.models import ArticlePage, SectionPage, Topic
from publishing.visibility import public

SEARCH_MAX_LENGTH = 200
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGES = 25
# Words only: the query reaches the search backend as plain terms, never as its query syntax.
_SEARCH_TERMS = re.compile(r"\w+", re.UNICODE)


def _reading(request, template, context, status=200):
    response = TemplateResponse(request, template, context, status=status)
    response.render()
    return mark_reading(response) if status == 200 else response


@require_safe
def topic_index(request):
    return _reading(request, "publishing/topic_index.html", {"topics": Topic.objects.all()})


@require_safe
def topic_front(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    archive = Archive(ArticlePage.objects.filter(topics=topic))
    context = {"topic": topic, "articles": archive.front(), "archive": archive, "archive_number": None}
    return _reading(request, "publishing/topic_page.html", context)


@require_safe
def topic_archive(request, slug, number):
    topic = get_object_or_404(Topic, slug=slug)
    archive = Archive(ArticlePage.objects.filter(topics=topic))
    context = {"topic": topic, "articles": archive.page(number), "archive": archive, "archive_number": number}
    return _reading(request, "publishing/topic_page.html", context)


def parse_search(query_dict):
    """Read ``q`` and ``page`` from the query string. Returns (terms, page, error message or None)."""
    raw = query_dict.get("q", "")
    if len(raw) > SEARCH_MAX_LENGTH:
        return raw[:SEARCH_MAX_LENGTH], 1, _("Please use at most %(limit)d characters.") % {"limit": SEARCH_MAX_LENGTH}
    terms = " ".join(_SEARCH_TERMS.findall(raw)).replace("_", " ").strip()
    if raw.strip() and not terms:
        return raw, 1, _("Please search for words or numbers.")
    page_raw = query_dict.get("page", "1")
    if not page_raw.isdigit() or not 1 <= int(page_raw) <= SEARCH_MAX_PAGES:
        return raw, 1, _("That results page does not exist.")
    return terms, int(page_raw), None


@require_safe
def search(request):
    terms, page, error = parse_search(request.GET)
    results, has_next = [], False
    if terms and not error:
        start = (page - 1) * SEARCH_PAGE_SIZE
        found = live_articles().search(terms)[start : start + SEARCH_PAGE_SIZE + 1]
        results = list(found)
        has_next = len(results) > SEARCH_PAGE_SIZE
        results = attach_sections(results[:SEARCH_PAGE_SIZE])
    context = {
        "query": request.GET.get("q", "")[:SEARCH_MAX_LENGTH],
        "terms": terms,
        "results": results,
        "page_number": page,
        "has_next": has_next,
        "error": error,
    }
    response = _reading(request, "publishing/search.html", context, status=400 if error else 200)
    return response


@require_safe
def sitemap(request):
    home_and_sections = public(SectionPage.objects.live()).order_by("path")
    articles = live_articles().order_by("-first_published_at", "-pk")
    context = {
        "base": settings.CANONICAL_URL,
        "sections": home_and_sections,
        "articles": articles,
        "topics": Topic.objects.filter(articles__live=True).distinct(),
    }
    response = TemplateResponse(
        request, "publishing/sitemap.xml", context, content_type="application/xml; charset=utf-8"
    )
    response.render()
    return mark_reading(response)


@require_safe
def robots_txt(request):
    body = f"User-agent: *\nDisallow: /admin/\nDisallow: /search/\n\nSitemap: {settings.CANONICAL_URL}/sitemap.xml\n"
    return mark_reading(HttpResponse(body, content_type="text/plain; charset=utf-8"))


def not_found(request, exception=None):
    response = TemplateResponse(request, "404.html", {}, status=404)
    response.render()
    return response


def server_error(request):
    response = TemplateResponse(request, "500.html", {}, status=500)
    response.render()
    return response
