"""Reading views that are not Wagtail pages: topics, search, sitemap and robots.txt."""

import re

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import onion
from core.reading import mark_reading
from publishing.languages import other_languages
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
    archive = Archive(ArticlePage.objects.filter(topics=topic), key=("topic", topic.pk))
    context = {"topic": topic, "articles": archive.front(), "archive": archive, "archive_number": None}
    return _reading(request, "publishing/topic_page.html", context)


@require_safe
def topic_archive(request, slug, number):
    topic = get_object_or_404(Topic, slug=slug)
    archive = Archive(ArticlePage.objects.filter(topics=topic), key=("topic", topic.pk))
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


def _sitemap_articles():
    return public(ArticlePage.objects.live()).defer_streamfields()


def _months():
    """The months (aware datetimes at their first instant, in the site's time zone) in which articles were first
    published, oldest first."""
    return list(_sitemap_articles().datetimes("first_published_at", "month"))


def sitemap_shard_paths():
    """The paths of the shards the sitemap index lists: the pages that are not articles, then one a month."""
    months = [reverse("sitemap_month", kwargs={"year": f"{m.year:04d}", "month": f"{m.month:02d}"}) for m in _months()]
    return [reverse("sitemap_pages"), *months]


def _next_month(start):
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def _xml(request, template, context):
    response = TemplateResponse(request, template, context, content_type="application/xml; charset=utf-8")
    response.render()
    return mark_reading(response)


@require_safe
def sitemap(request):
    """The sitemap index: the pages that are not articles, then one shard per month of first publication. A new article
    changes only its month's shard (and this index), so static mirrors and caches rewrite little."""
    months = (
        _sitemap_articles()
        .annotate(month=TruncMonth("first_published_at"))
        .values("month")
        .annotate(newest=Max("last_published_at"))
        .order_by("month")
    )
    shards = [{"name": f"sitemap-{row['month']:%Y-%m}.xml", "lastmod": row["newest"]} for row in months]
    return _xml(
        request,
        "publishing/sitemap_index.xml",
        {"base": onion.answer_base(request, follow_onion=False), "shards": shards},
    )


@require_safe
def sitemap_pages(request):
    """The home page, sections and topics: the pages of the sitemap that are not articles."""
    sections = list(public(SectionPage.objects.live()).order_by("path"))
    # The fronts exist in every language (/, /ru/; /news/, /ru/news/): each is listed with its counterparts as
    # hreflang alternates, the site's language the x-default.
    fronts = [[("", "/")] + [(code, f"/{code}/") for code in other_languages()]]
    fronts += [
        [("", section.url)] + [(code, f"/{code}/{section.slug}/") for code in other_languages()] for section in sections
    ]
    translated = []
    for group in fronts:
        group = [(code or settings.LANGUAGE_CODE, path) for code, path in group]
        alternates = [*group, ("x-default", group[0][1])]
        translated += [(path, alternates) for _code, path in group]
    context = {
        "base": onion.answer_base(request, follow_onion=False),
        "translated": translated,
        "topics": Topic.objects.filter(articles__live=True).distinct().order_by("slug"),
    }
    return _xml(request, "publishing/sitemap_pages.xml", context)


@require_safe
def sitemap_month(request, year, month):
    """The articles first published in one month (site time zone), oldest first."""
    year, month = int(year), int(month)
    if not 1 <= month <= 12:
        raise Http404
    start = next((m for m in _months() if (m.year, m.month) == (year, month)), None)
    if start is None:
        raise Http404
    articles = _sitemap_articles().filter(first_published_at__gte=start, first_published_at__lt=_next_month(start))
    context = {
        "base": onion.answer_base(request, follow_onion=False),
        "articles": articles.order_by("first_published_at", "pk"),
    }
    return _xml(request, "publishing/sitemap_month.xml", context)


@require_safe
def robots_txt(request):
    base = onion.answer_base(request, follow_onion=False)
    body = f"User-agent: *\nDisallow: /admin/\nDisallow: /search/\n\nSitemap: {base}/sitemap.xml\n"
    return mark_reading(HttpResponse(body, content_type="text/plain; charset=utf-8"))


def not_found(request, exception=None):
    # not_found: a static mirror serves this page for every path it lacks, so it names no path of its own
    response = TemplateResponse(request, "404.html", {"not_found": True}, status=404)
    response.render()
    return response


def server_error(request):
    response = TemplateResponse(request, "500.html", {}, status=500)
    response.render()
    return response
