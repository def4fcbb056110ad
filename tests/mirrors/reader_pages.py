"""What the reader-safety tests walk on the origin: every reading page, plus the other pages a reader meets without
logging in (support, search, "Remind me later", the 404 page)."""

from urllib.parse import quote

from django.urls import NoReverseMatch, reverse

from tests.reading import html_paths, reading_paths

NOT_FOUND_PATH = "/no-such-page-here/"


def search_path():
    from publishing.models import ArticlePage

    article = ArticlePage.objects.live().filter(language="en").order_by("first_published_at").first()
    word = max(article.title.split(), key=len).strip(".,:;!?«»\"'")
    return f"/search/?q={quote(word)}"


def _optional(name, **kwargs):
    try:
        return [reverse(name, kwargs=kwargs)]
    except NoReverseMatch:
        return []


def support_paths():
    """The public support pages: the checkout form, "Remind me later", the bank and crypto instructions and the
    transparency page (in both languages)."""
    return [
        "/support/",
        "/support/remind/",
        *_optional("support:bank_transfer"),
        *_optional("support:crypto"),
        *_optional("support:transparency"),
        *_optional("support:transparency", language="ru"),
    ]


def origin_html_paths():
    """Every HTML page a reader may open without logging in, 404 included."""
    return [*html_paths(reading_paths()), *support_paths(), search_path(), NOT_FOUND_PATH]


def reading_response_paths():
    """Every reading response (HTML, feeds, sitemaps, robots.txt, live figures), plus the support pages and search."""
    return [*reading_paths(), *support_paths(), "/support/goal.json", search_path(), NOT_FOUND_PATH]
