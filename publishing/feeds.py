"""Full-text RSS 2.0 and Atom feeds for the site, each language, each section and each topic.

Stock Django feeds carry only a summary; these add the whole story (``content:encoded`` in RSS, ``<content>`` in Atom),
with every image's caption, credit and licence as text. Links are absolute against the canonical address, the one place
besides canonical links where a page may name a host; a feed asked for by the onion service links to the onion, so its
reader stays on onion circuits (``core.onion.site_url``).
"""

import dataclasses
import mimetypes
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _

from core import onion, snapshot
from core.reading import mark_reading
from publishing.languages import in_language, other_languages
from publishing.listing import attach_sections, live_articles, newest_first
from publishing.models import ArticlePage, SectionPage, Topic
from publishing.templatetags.publishing_tags import _existing_rendition
from publishing.visibility import public

FEED_SIZE = 30
# Every address in a feed's HTML is made absolute (feed readers resolve a relative one against the feed, the item
# link or nothing): single addresses, and each candidate of a srcset.
_ROOT_RELATIVE = re.compile(r'(\s(?:src|href|poster)=")/(?!/)')
_SRCSET = re.compile(r'(\s(?:srcset|imagesrcset)=")([^"]*)(")')
_SRCSET_CANDIDATE = re.compile(r"(^|,\s*)/(?!/)")
THUMBNAIL = "width-640"


@dataclasses.dataclass(frozen=True)
class Thumbnail:
    url: str
    width: int
    height: int
    length: int
    mime_type: str


# The address the feed being answered links to (feeds are shared objects: the request's host cannot live on them).
_site = ContextVar("feed_site", default="")


@contextmanager
def _links_for(request):
    token = _site.set(onion.answer_base(request))
    try:
        yield
    finally:
        _site.reset(token)


def site_url():
    return _site.get() or settings.CANONICAL_URL


def absolute(url):
    return site_url() + url if url.startswith("/") else url


def absolutize_html(html):
    base = site_url()
    html = _ROOT_RELATIVE.sub(lambda match: match.group(1) + base + "/", html)
    return _SRCSET.sub(
        lambda match: match.group(1) + _SRCSET_CANDIDATE.sub(lambda c: c.group(1) + base + "/", match.group(2)) + '"',
        html,
    )


MEDIA_RSS = "http://search.yahoo.com/mrss/"


def _thumbnail(handler, item):
    """Media RSS's thumbnail, which feed readers show beside an item (the enclosure carries its size and type)."""
    thumbnail = item.get("thumbnail")
    if thumbnail:
        attributes = {"url": thumbnail.url, "width": str(thumbnail.width), "height": str(thumbnail.height)}
        handler.addQuickElement("media:thumbnail", "", attributes)


class FullTextRss(Rss201rev2Feed):
    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        attributes["xmlns:media"] = MEDIA_RSS
        return attributes

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("payment_link"):  # how to support the newsroom, on the feed's own host
            handler.addQuickElement(
                "atom:link", "", {"rel": "payment", "href": self.feed["payment_link"], "type": "text/html"}
            )

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])
        _thumbnail(handler, item)


class FullTextAtom(Atom1Feed):
    def root_attributes(self):
        attributes = super().root_attributes()
        attributes["xmlns:media"] = MEDIA_RSS
        return attributes

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("payment_link"):
            handler.addQuickElement(
                "link", "", {"rel": "payment", "href": self.feed["payment_link"], "type": "text/html"}
            )

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})
        _thumbnail(handler, item)


class ArticleFeed(Feed):
    feed_type = FullTextRss

    def __call__(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE), _links_for(request):
            response = super().__call__(request, *args, **kwargs)
        return mark_reading(response)

    # -- what the feed is about
    def get_object(self, request, *args, **kwargs):
        return None

    def articles(self, obj):
        return ArticlePage.objects.all()

    def title(self, obj):
        return settings.WAGTAIL_SITE_NAME

    def description(self, obj):
        return _("Independent journalism, free of ads, paid for by its readers.")

    def link(self, obj):
        return absolute("/")

    def feed_url(self, obj):
        return None

    # -- items
    def items(self, obj):
        # .defer(None): the full text goes into the feed, so the body comes with the rest rather than one query a story
        articles = (
            live_articles(self.articles(obj))
            .defer(None)
            .select_related("lead_image")
            .prefetch_related("bylines__author", "topics")
        )
        return attach_sections(newest_first(articles)[:FEED_SIZE])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_link(self, item):
        return absolute(item.url)

    def item_guid(self, item):
        return absolute(item.url)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.updated_at or item.last_published_at

    def item_author_name(self, item):
        return ", ".join(byline.author.name for byline in item.bylines.all()) or None

    def item_categories(self, item):
        # each story's tags in its own language
        return [in_language(topic, "name", item.language) for topic in item.topics.all()]

    def item_extra_kwargs(self, item):
        # The same story in the RSS and Atom feeds of the site, its language, its section and its topics: a batch
        # render of one snapshot (the static export) renders its full text once.
        return {
            "content": snapshot.remember(("feed-item", item.pk, site_url()), lambda: self.full_text(item)),
            "thumbnail": self.thumbnail(item),
        }

    def thumbnail(self, item):
        """The lead image's thumbnail: its absolute address on the feed's host, size, type and bytes."""
        if not item.lead_image_id:
            return None

        def find():
            rendition = _existing_rendition(item.lead_image, THUMBNAIL)
            try:
                length = rendition.file.size
            except (OSError, ValueError):  # a rendition whose file is gone: no enclosure, still a thumbnail
                length = 0
            kind = mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg"
            return Thumbnail(rendition.url, rendition.width, rendition.height, length, kind)

        found = snapshot.remember(("feed-thumbnail", item.lead_image_id), find)
        return dataclasses.replace(found, url=absolute(found.url))

    def item_enclosures(self, item):
        thumbnail = self.thumbnail(item)
        if thumbnail is None or not thumbnail.length:
            return []
        return [Enclosure(thumbnail.url, str(thumbnail.length), thumbnail.mime_type)]

    def full_text(self, item):
        with translation.override(item.language):
            html = render_to_string("publishing/feed_item.html", {"article": item})
        return absolutize_html(html)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = settings.LANGUAGE_CODE
        feed.feed["payment_link"] = absolute(reverse("support:landing"))
        return feed


class AtomMixin:
    feed_type = FullTextAtom

    def subtitle(self, obj):
        return self.description(obj)


class SiteRssFeed(ArticleFeed):
    def feed_url(self, obj):
        return absolute("/feed.xml")


class SiteAtomFeed(AtomMixin, ArticleFeed):
    def feed_url(self, obj):
        return absolute("/atom.xml")


class LanguageRssFeed(ArticleFeed):
    """The site's stories in one language (``/ru/feed.xml``), titled and described in that language."""

    extension = "feed.xml"

    def __call__(self, request, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language")
        with translation.override(language), _links_for(request):
            response = Feed.__call__(self, request, language=language)
        return mark_reading(response)

    def get_object(self, request, language):
        return language

    def articles(self, obj):
        return ArticlePage.objects.filter(language=obj)

    def title(self, obj):
        return f"{settings.WAGTAIL_SITE_NAME} — {translation.get_language_info(obj)['name_local']}"

    def feed_url(self, obj):
        return absolute(f"/{obj}/{self.extension}")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = obj
        return feed


class LanguageAtomFeed(AtomMixin, LanguageRssFeed):
    extension = "atom.xml"


class SectionRssFeed(ArticleFeed):
    extension = "feed.xml"

    def get_object(self, request, section):
        found = public(SectionPage.objects.live()).filter(slug=section, depth=3).first()
        if found is None:
            raise Http404("No such section")
        return found

    def articles(self, obj):
        return ArticlePage.objects.child_of(obj)

    def title(self, obj):
        return f"{obj.title} — {settings.WAGTAIL_SITE_NAME}"

    def link(self, obj):
        return absolute(obj.url)

    def feed_url(self, obj):
        return absolute(f"{obj.url}{self.extension}")


class SectionAtomFeed(AtomMixin, SectionRssFeed):
    extension = "atom.xml"


class LanguageSectionRssFeed(SectionRssFeed):
    """A section's stories in one language (``/ru/news/feed.xml``), the feed of that section's front in the language,
    titled in it."""

    def __call__(self, request, language, section):
        if language not in other_languages():
            raise Http404("No such language")
        with translation.override(language), _links_for(request):
            response = Feed.__call__(self, request, language=language, section=section)
        return mark_reading(response)

    def get_object(self, request, language, section):
        return (super().get_object(request, section), language)

    def articles(self, obj):
        section, language = obj
        return super().articles(section).filter(language=language)

    def title(self, obj):
        section, language = obj
        return f"{in_language(section, 'title', language)} — {settings.WAGTAIL_SITE_NAME}"

    def link(self, obj):
        section, language = obj
        return absolute(f"/{language}/{section.slug}/")

    def feed_url(self, obj):
        section, language = obj
        return absolute(f"/{language}/{section.slug}/{self.extension}")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = obj[1]
        if not feed.items:
            # a section with no story in the language yet: dated by the section, not by the moment it is rendered
            # (the same bytes every time, as a mirror's copy must be)
            stable = obj[0].last_published_at or obj[0].first_published_at
            feed.latest_post_date = lambda: stable
        return feed


class LanguageSectionAtomFeed(AtomMixin, LanguageSectionRssFeed):
    extension = "atom.xml"


class TopicRssFeed(ArticleFeed):
    extension = "feed.xml"

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def articles(self, obj):
        return ArticlePage.objects.filter(topics=obj)

    def title(self, obj):
        return f"{obj.name} — {settings.WAGTAIL_SITE_NAME}"

    def description(self, obj):
        return obj.description or super().description(obj)

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(f"{obj.get_absolute_url()}{self.extension}")


class TopicAtomFeed(AtomMixin, TopicRssFeed):
    extension = "atom.xml"
