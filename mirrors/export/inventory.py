"""What the static export holds: every public URL of the site, the static files pages use, and the redirects.

Pages say themselves which paths they answer (``get_export_paths()`` on the page models, the same function the caches
use), so a new archive page or route is exported without this module knowing about it. Topics, feeds, the sitemap,
robots.txt and the support pages are views; they are listed here by their URL names, and the sitemap's shards by the
months that have articles (the export still checks them against what the sitemap index lists). The image files pages
show and the QR codes of the payment instructions are found later, in what the rendered files reference: the export
holds what pages use, and nothing a page does not use.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page, Site

from core import snapshot
from publishing.languages import other_languages
from publishing.listing import Archive
from publishing.models import ArticlePage, SectionPage, Topic
from publishing.views import sitemap_shard_paths
from publishing.visibility import public

# Kinds of entry. Feeds, sitemaps and robots.txt name the canonical host by necessity: they form the *host overlay*,
# re-rendered per target and kept out of the signed tree hash.
PAGE, FEED, SITEMAP, ROBOTS, SUPPORT = "page", "feed", "sitemap", "robots", "support"
OVERLAY_KINDS = frozenset({FEED, SITEMAP, ROBOTS})
# The signed mirror list and what shows it (mirrors/views.py): the same on every mirror, but changed by each signing,
# not by the site's content, so the export lists them as volatile (outside the tree hash the list itself names).
MIRROR_LIST = "mirror-list"
MIRROR_LIST_URL_NAMES = (
    "mirrors:json",
    "mirrors:signature",
    "mirrors:well_known_json",
    "mirrors:well_known_signature",
    "mirrors:public_key",
    "mirrors:feed",
)

# Support pages that need no server, by URL name, when the site has them: the landing page (in export mode it links
# to the live checkout), the public payment instructions, and a snapshot of the live figures the reader script reads.
SUPPORT_URL_NAMES = ("support:landing", "support:goal", "support:already", "support:bank_transfer", "support:crypto")
# Support pages that are reading pages through and through (the same bytes for everyone, no form, nothing a reader
# sends): listed as reading pages, under their own owner, so the published tree keeps them like any other.
READING_SUPPORT_URL_NAMES = {"support:transparency": "transparency"}

# Static files only the editors' side uses: Django's and Wagtail's admin assets.
_ADMIN_STATIC_ROOTS = ("admin", "wagtail", "django_", "rest_framework", "debug_toolbar")
_STATIC_IGNORE = ["CVS", ".*", "*~"]


@dataclass(frozen=True, order=True)
class Entry:
    path: str
    kind: str


def default_site():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise LookupError("There is no default Wagtail site to export.")
    return site


def owned_page_paths(site):
    """(path, owner) for every path of every live, public page of ``site``, from each page's ``get_export_paths()``;
    the owner is ``"page:<id>"``."""
    # Each page's own class (its get_export_paths), without its own fields (an article's body, say): none is needed.
    pages = public(Page.objects.descendant_of(site.root_page, inclusive=True).live()).specific(defer=True)
    paths = []
    for page in pages.order_by("path"):
        url = page.get_url(current_site=site)
        if not url or not url.startswith("/"):
            continue  # a page outside the default site's tree has no path here
        export_paths = page.get_export_paths() if hasattr(page, "get_export_paths") else ["/"]
        paths.extend((url + relative.lstrip("/"), f"page:{page.pk}") for relative in export_paths)
    return paths


def page_paths(site):
    """Every path of every live, public page of ``site``."""
    return [path for path, _owner in owned_page_paths(site)]


def owned_topic_paths():
    """(path, owner) for the topic index (``"topics"``) and each topic's front and archive pages (``"topic:<id>"``)."""
    paths = [(reverse("topic_index"), "topics")]
    for topic in Topic.objects.order_by("slug"):
        owner = f"topic:{topic.pk}"
        pages = Archive(ArticlePage.objects.filter(topics=topic)).number_of_pages()
        paths.append((topic.get_absolute_url(), owner))
        paths.extend((reverse("topic_archive", args=[topic.slug, number]), owner) for number in range(1, pages + 1))
    return paths


def topic_paths():
    return [path for path, _owner in owned_topic_paths()]


def owned_feed_paths():
    """(path, owner) for every feed: the site's (``"feed:site"``), each language's (``"feed:language:<code>"``), each
    section's (``"feed:page:<id>"``) and each topic's (``"feed:topic:<id>"``)."""
    paths = [(reverse("feed_rss"), "feed:site"), (reverse("feed_atom"), "feed:site")]
    for language, _name in settings.LANGUAGES:
        owner = f"feed:language:{language}"
        paths += [(reverse(name, args=[language]), owner) for name in ("language_feed_rss", "language_feed_atom")]
    for section in public(SectionPage.objects.live().filter(depth=3)).order_by("path"):
        owner = f"feed:page:{section.pk}"
        paths += [(reverse(name, args=[section.slug]), owner) for name in ("section_feed_rss", "section_feed_atom")]
        for language in other_languages():
            names = ("language_section_feed_rss", "language_section_feed_atom")
            paths += [(reverse(name, args=[language, section.slug]), owner) for name in names]
    for topic in Topic.objects.order_by("slug"):
        owner = f"feed:topic:{topic.pk}"
        paths += [(reverse(name, args=[topic.slug]), owner) for name in ("topic_feed_rss", "topic_feed_atom")]
    return paths


def feed_paths():
    return [path for path, _owner in owned_feed_paths()]


def localized_paths(name, owner):
    """(path, owner) of the page ``name`` in the default language and, where it has them, in every other language
    (``/support/<language>/…``)."""
    paths = []
    other_languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    for kwargs in [{}, *({"language": code} for code in other_languages)]:
        try:
            paths.append((reverse(name, kwargs=kwargs), owner))
        except NoReverseMatch:
            continue  # a page this version of the site does not have, or has in one language only
    return paths


def owned_mirror_list_paths():
    """(path, ``"mirrors"``) for the mirror list, its signature and key, the mirrors page in every language and its
    feed; none before a first list is signed (they would answer 404)."""
    from mirrors.models import MirrorList

    if not MirrorList.objects.exists():
        return []
    return [(reverse(name), "mirrors") for name in MIRROR_LIST_URL_NAMES] + localized_paths("mirrors:page", "mirrors")


def public_entries():
    """Every public path to render, each once, sorted (the order never depends on the database's)."""
    return sorted(owned_public_entries())


def owned_public_entries():
    """{Entry: owner} for every public path: what each path belongs to (``page:<id>``, ``topic:<id>``, ``topics``,
    ``feed:…``, ``sitemap``, ``robots``, ``support``, ``transparency``, ``mirrors``), for stores that rewrite only what
    a change touches."""
    with snapshot.batch():  # one snapshot: the sites' root paths are looked up once, not once a page
        return _owned_public_entries()


def _owned_public_entries():
    site = default_site()
    entries = {}
    for kind, paths in (
        (PAGE, owned_page_paths(site)),
        (PAGE, owned_topic_paths()),
        (FEED, owned_feed_paths()),
        (SITEMAP, [(reverse("sitemap"), "sitemap"), *((path, "sitemap") for path in sitemap_shard_paths())]),
        (ROBOTS, [(reverse("robots_txt"), "robots")]),
        (MIRROR_LIST, owned_mirror_list_paths()),
        (PAGE, [pair for name, owner in READING_SUPPORT_URL_NAMES.items() for pair in localized_paths(name, owner)]),
        (SUPPORT, [pair for name in SUPPORT_URL_NAMES for pair in localized_paths(name, "support")]),
    ):
        for path, owner in paths:
            entries.setdefault(path, (Entry(path, kind), owner))
    return dict(entries.values())


def is_admin_static(relative_path):
    top = relative_path.split("/", 1)[0]
    return top.startswith(_ADMIN_STATIC_ROOTS)


def static_files():
    """{path under /static/: absolute source file} for every static file but the admin's, as ``collectstatic`` would
    gather them (the first finder that has a path wins), without needing ``collectstatic`` to have run."""
    found = {}
    for finder in finders.get_finders():
        for relative_path, storage in finder.list(_STATIC_IGNORE):
            prefix = getattr(storage, "prefix", None)
            url_path = f"{prefix}/{relative_path}" if prefix else relative_path
            url_path = url_path.replace("\\", "/")
            if url_path in found or is_admin_static(url_path):
                continue
            found[url_path] = storage.path(relative_path)
    return dict(sorted(found.items()))
