"""The reading pages: home, sections and articles.

Every page here is a *reading page*: the same bytes for every reader, no cookie, cacheable by anyone
(see ``core.reading``). Page types are restricted to where they belong: Home → Section → Article.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction, Site
from wagtail.search import index
from wagtail.url_routing import RouteResult

from core import snapshot
from core.reading import mark_reading
from publishing.blocks import ArticleBodyBlock
from publishing.languages import in_language, other_languages
from publishing.listing import FRONT_SIZE, Archive, attach_sections, live_articles, newest_first
from publishing.models.images import NewsImage
from publishing.models.snippets import Author, Topic
from publishing.visibility import any_view_restrictions, is_restricted, public

ARTICLE_LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# The fronts in other languages (/ru/, /ru/<section>/) are the home page's routes; no section may take such a slug.
OTHER_LANGUAGE_CODES = "|".join(other_languages())


class ReadingPageMixin:
    """Base of every public page: renders in the page's language and marks the response as a reading page."""

    def get_language(self):
        return settings.LANGUAGE_CODE

    def serve(self, request, *args, **kwargs):
        language = self.get_language()
        with translation.override(language):
            response = super().serve(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["Content-Language"] = language
        # A page behind a view restriction differs by reader: it must never become public bytes.
        if not is_restricted(self):
            mark_reading(response, request=request)
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["canonical_url"] = settings.CANONICAL_URL + self.url_path_for_canonical()
        return context

    def url_path_for_canonical(self):
        return self.get_url() or "/"

    def _get_site_root_paths(self, cache_object=None, **kwargs):
        # Wagtail reads the sites' root paths from the cache for each page object asked for its URL without a request;
        # a batch render of one snapshot reads them once.
        if cache_object is None and not kwargs and snapshot.active():
            return snapshot.remember("site-root-paths", Site.get_site_root_paths)
        return super()._get_site_root_paths(cache_object, **kwargs)

    def get_view_restrictions(self):
        # Wagtail checks them before serving every page (two queries); when no page has a view restriction at all
        # (publishing.visibility keeps that answer), there is nothing to look up.
        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_export_paths(self):
        """Every path this page answers on the public site, relative to its URL ("/" is the page itself).

        The one dependency function for everything that stores pages as files or bytes: the static mirror export writes
        these paths, and the frontend cache purges the same ones (``get_cached_paths``).
        """
        return ["/"]

    def get_cached_paths(self):
        return self.get_export_paths()


class HomePage(ReadingPageMixin, RoutablePageMixin, Page):
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    lead_article = models.ForeignKey(
        "publishing.ArticlePage",
        verbose_name=_("lead story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to lead with the newest article."),
    )
    per_section = models.PositiveSmallIntegerField(_("articles per section"), default=4)

    content_panels = Page.content_panels + [
        FieldPanel("tagline"),
        PageChooserPanel("lead_article"),
        FieldPanel("per_section"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["publishing.SectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        # /<section>/<article>/ is by far the most requested shape: find the article in one query by its slug
        # (indexed) and full path, instead of walking the tree level by level. Anything else routes as usual.
        if len(path_components) == 2:
            url_path = f"{self.url_path}{path_components[0]}/{path_components[1]}/"
            if snapshot.active():
                article = _article_in_batch(url_path, depth=self.depth + 2)
            else:
                article = ArticlePage.objects.filter(
                    slug=path_components[1], depth=self.depth + 2, url_path=url_path
                ).first()
            if article is not None and article.live:
                return RouteResult(article)
        return super().route(request, path_components)

    def get_language(self):
        return getattr(self, "_serving_language", settings.LANGUAGE_CODE)

    def serve(self, request, view=None, args=None, kwargs=None):
        # The front in another language (/ru/, /ru/<section>/) renders in that language; / stays the same bytes for
        # every reader, whatever the browser asks (no content negotiation on reading pages).
        language = (kwargs or {}).get("language") if getattr(view, "__name__", "") in LANGUAGE_VIEWS else None
        self._serving_language = language if language in other_languages() else settings.LANGUAGE_CODE
        return super().serve(request, view, args, kwargs)

    def get_export_paths(self):
        # the front, then each other language's front and its section fronts
        sections = public(SectionPage.objects.child_of(self).live()).order_by("path").values_list("slug", flat=True)
        paths = ["/"]
        for language in other_languages():
            paths += [f"{language}/"] + [f"{language}/{slug}/" for slug in sections]
        return paths

    @path("")
    def front(self, request):
        return self._front(request, language=None)

    @re_path(rf"^(?P<language>{OTHER_LANGUAGE_CODES})/$")
    def front_in_language(self, request, language):
        if language not in other_languages():
            raise Http404("No such language")
        return self._front(request, language=language)

    @re_path(rf"^(?P<language>{OTHER_LANGUAGE_CODES})/(?P<section>[-\w]+)/$")
    def section_in_language(self, request, language, section):
        """A section's front in another language: its newest stories in that language."""
        found = public(SectionPage.objects.child_of(self).live()).filter(slug=section).first()
        if language not in other_languages() or found is None:
            raise Http404("No such section")
        articles = attach_sections(
            newest_first(live_articles(ArticlePage.objects.child_of(found).filter(language=language)))[:FRONT_SIZE]
        )
        return self.render(
            request,
            template="publishing/section_page.html",
            context_overrides={
                "page": found,
                "self": found,
                "articles": articles,
                "archive": None,
                "archive_number": None,
                "feed_base": f"/{language}/{found.slug}/",
                "canonical_url": f"{settings.CANONICAL_URL}/{language}/{found.slug}/",
                "language_alternates": language_alternates(found.url, f"/{language}/{found.slug}/", language),
            },
        )

    def _front(self, request, *, language):
        articles_here = live_articles() if language is None else live_articles().filter(language=language)
        lead = None
        if self.lead_article_id:
            lead = articles_here.filter(pk=self.lead_article_id).first()
        if lead is None:
            lead = newest_first(articles_here).first()
        sections = []
        for section in public(SectionPage.objects.child_of(self).live()).order_by("path"):
            articles = newest_first(articles_here.filter(pk__in=ArticlePage.objects.child_of(section).values("pk")))
            if lead is not None:
                articles = articles.exclude(pk=lead.pk)
            articles = list(articles[: self.per_section])
            for article in articles:
                article.section = section
            if articles:
                here = section.url if language is None else f"/{language}/{section.slug}/"
                sections.append((section, articles, here))
        if lead is not None:
            attach_sections([lead])
        context = {"lead": lead, "sections": sections}
        here = "/" if language is None else f"/{language}/"
        context["canonical_url"] = settings.CANONICAL_URL + here
        context["language_alternates"] = language_alternates("/", f"/{language or other_languages()[0]}/", language)
        return self.render(request, context_overrides=context)


LANGUAGE_VIEWS = {"front_in_language", "section_in_language"}


def language_alternates(default_path, other_path, language):
    """[(hreflang, absolute URL)] of a page in the site's language and its counterpart in another: each names both,
    and the site's language is the x-default."""
    other = language or other_languages()[0]
    return [
        (settings.LANGUAGE_CODE, settings.CANONICAL_URL + default_path),
        (other, settings.CANONICAL_URL + other_path),
        ("x-default", settings.CANONICAL_URL + default_path),
    ]


class SectionPage(ReadingPageMixin, RoutablePageMixin, Page):
    """A section (News, Opinion…): a front with the newest articles, and archive pages numbered from the oldest."""

    title_ru = models.CharField(
        _("name in Russian"), max_length=255, blank=True, help_text=_("As Russian pages show it, e.g. “Новости”.")
    )
    introduction = models.TextField(_("introduction"), blank=True, max_length=400)
    introduction_ru = models.TextField(_("introduction in Russian"), blank=True, max_length=400)

    content_panels = Page.content_panels + [
        FieldPanel("title_ru"),
        FieldPanel("introduction"),
        FieldPanel("introduction_ru"),
    ]
    parent_page_types = ["publishing.HomePage"]
    subpage_types = ["publishing.ArticlePage"]

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    @property
    def shown_title(self):
        """The section's name in the language being rendered."""
        return in_language(self, "title")

    @property
    def shown_introduction(self):
        return in_language(self, "introduction")

    def clean(self):
        super().clean()
        if self.slug in dict(settings.LANGUAGES):
            # /<language>/feed.xml is that language's feed: a section of that slug would never get its own.
            raise ValidationError({"slug": _("A section's slug cannot be a language code, such as “en” or “ru”.")})

    def archive(self):
        return Archive(ArticlePage.objects.child_of(self), key=("section", self.pk))

    def get_export_paths(self):
        # the front, then every archive page (numbered from the oldest, so existing numbers never move)
        return ["/"] + [f"archive/{number}/" for number in range(1, self.archive().number_of_pages() + 1)]

    @path("")
    def front(self, request):
        archive = self.archive()
        other = other_languages()[0]
        return self.render(
            request,
            context_overrides={
                "articles": archive.front(),
                "archive": archive,
                "archive_number": None,
                "language_alternates": language_alternates(self.url, f"/{other}/{self.slug}/", other),
            },
        )

    @path("archive/<int:number>/")
    def archive_page(self, request, number):
        archive = self.archive()
        return self.render(
            request,
            context_overrides={"articles": archive.page(number), "archive": archive, "archive_number": number},
            template="publishing/section_page.html",
        )


class ArticlePage(ReadingPageMixin, Page):
    standfirst = models.TextField(
        _("standfirst"), max_length=400, help_text=_("One or two sentences under the headline.")
    )
    language = models.CharField(_("language"), max_length=5, choices=ARTICLE_LANGUAGES, default="en")
    lead_image = models.ForeignKey(
        NewsImage, verbose_name=_("lead image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    topics = ParentalManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="articles")
    updated_at = models.DateTimeField(
        _("updated"),
        null=True,
        blank=True,
        help_text=_("Set when the story changed in substance; readers see “Updated” with this date."),
    )
    no_asks = models.BooleanField(
        _("no asks"), default=False, help_text=_("Sensitive story: show no requests for support on this page.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("bylines", label=_("Bylines"), min_num=0),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("topics"), InlinePanel("pinned_links", label=_("Pinned “Read more”"), max_num=5)]),
    ]
    settings_panels = Page.settings_panels + [FieldPanel("language"), FieldPanel("updated_at"), FieldPanel("no_asks")]

    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("language"),
    ]

    parent_page_types = ["publishing.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def get_language(self):
        return self.language

    def clean(self):
        super().clean()
        if self.updated_at and self.first_published_at and self.updated_at < self.first_published_at:
            raise ValidationError({"updated_at": _("The update cannot be earlier than the first publication.")})

    def numbered_body(self):
        """The body's blocks, each with its paragraph number (1, 2, …) or None, so asks can go after paragraph N."""
        numbered, count = [], 0
        for block in self.body:
            if block.block_type == "paragraph":
                count += 1
                numbered.append((block, count))
            else:
                numbered.append((block, None))
        return numbered

    def bylines_and_topics(self):
        """([author], [topic]) of this article; a batch render of one snapshot reads every article's at once."""
        if snapshot.active():
            bylines, topics = snapshot.remember("bylines-and-topics", _every_articles_bylines_and_topics)
            return bylines.get(self.pk, []), topics.get(self.pk, [])
        authors = [byline.author for byline in self.bylines.select_related("author").order_by("sort_order", "pk")]
        return authors, list(self.topics.all())

    def get_context(self, request, *args, **kwargs):
        from publishing.related import read_more

        context = super().get_context(request, *args, **kwargs)
        if self.lead_image_id:
            # the lead image, its licence and all its renditions in two queries (the page shows three sizes), unless
            # a batch render loaded it with its neighbours (_article_in_batch)
            self.lead_image = getattr(self, "_batch_lead_image", None) or (
                NewsImage.objects.select_related("licence").prefetch_related("renditions").get(pk=self.lead_image_id)
            )
        context["bylines"], context["topics"] = self.bylines_and_topics()
        context["read_more"] = read_more(self, topics=context["topics"])
        context["body_blocks"] = self.numbered_body()
        context["section"] = attach_sections([self])[0].section
        return context


# How many articles a batch render loads at once when routing: they come in order of their addresses, as the export
# renders them, so one query serves this many requests.
ARTICLE_BATCH = 64


def _article_in_batch(url_path, *, depth):
    """The article at ``url_path`` (or None) for a batch render of one snapshot (the static export).

    The first request loads it with the next ``ARTICLE_BATCH`` articles by address, and their lead images with their
    licences and renditions, so the articles an export renders one after another cost one query for many."""
    waiting = snapshot.remember("articles-by-address", dict)
    if url_path not in waiting:
        following = ArticlePage.objects.filter(depth=depth, url_path__gte=url_path).order_by("url_path")
        loaded = list(following[:ARTICLE_BATCH])
        images = NewsImage.objects.select_related("licence").prefetch_related("renditions")
        images = {image.pk: image for image in images.filter(pk__in={a.lead_image_id for a in loaded} - {None})}
        for article in loaded:
            article._batch_lead_image = images.get(article.lead_image_id)
            waiting.setdefault(article.url_path, article)
        waiting.setdefault(url_path, None)
    return waiting.pop(url_path)  # each article is rendered once: keep no more than a batch in memory


def _every_articles_bylines_and_topics():
    bylines, topics = {}, {}
    for byline in ArticleByline.objects.select_related("author").order_by("page_id", "sort_order", "pk"):
        bylines.setdefault(byline.page_id, []).append(byline.author)
    every_topic = list(Topic.objects.all())  # in Topic's ordering, by the database's collation
    place = {topic.pk: number for number, topic in enumerate(every_topic)}
    for page_id, topic_id in ArticlePage.topics.through.objects.values_list("articlepage_id", "topic_id"):
        topics.setdefault(page_id, []).append(every_topic[place[topic_id]])
    for found in topics.values():
        found.sort(key=lambda topic: place[topic.pk])
    return bylines, topics


class ArticleByline(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines")

    panels = [FieldPanel("author")]


class ArticleRelatedLink(Orderable):
    """An article an editor pins to “Read more” under a story."""

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="pinned_links")
    article = models.ForeignKey(
        ArticlePage, verbose_name=_("article"), on_delete=models.CASCADE, related_name="pinned_by"
    )

    panels = [PageChooserPanel("article", "publishing.ArticlePage")]
