import json
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_rendition_or_not_found

from core import snapshot
from publishing.languages import other_languages

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def section_nav(context):
    """[(address, title)] of the sections in the navigation."""
    from publishing.models import SectionPage
    from publishing.visibility import public

    def find():
        sections = public(SectionPage.objects.live().in_menu()).order_by("path")
        return [(section.get_url(request=context.get("request")), section.shown_title) for section in sections]

    return snapshot.remember(("section-nav", translation.get_language()), find)


# What a card in another language than its page says of it, in the page's language.
IN_LANGUAGE = {"en": _("In English"), "ru": _("In Russian")}


@register.simple_tag
def language_label(code):
    """“In English” on a Russian page (“На английском”), said of a headline in that language."""
    return IN_LANGUAGE.get(code) or translation.get_language_info(code)["name_translated"]


@register.simple_tag
def language_front(code):
    """The front page of the language ``code``: / for the site's language, /<code>/ for the others."""
    return "/" if code == settings.LANGUAGE_CODE else f"/{code}/"


@register.simple_tag
def other_language_fronts():
    """[(code, address, name in its own language)] of the front pages in the languages other than the one rendered:
    / for the site's language, /<code>/ for the others."""
    current = translation.get_language()
    fronts = []
    for code, _name in settings.LANGUAGES:
        if code != current:
            fronts.append((code, language_front(code), translation.get_language_info(code)["name_local"]))
    return fronts


@register.simple_tag
def rendition(image, spec):
    """``{% rendition image "fill-480x270" as thumb %}``: the ``url``, ``width`` and ``height`` of the rendition
    Wagtail's ``{% image image fill-480x270 as thumb %}`` gives (None without an image; a placeholder's when the file is
    missing). A batch render of one snapshot looks each rendition up once: an article's card image appears on many
    pages of an export."""
    if not image:
        return None
    return snapshot.remember(("rendition", image.pk, spec), lambda: ShownRendition.of(_existing_rendition(image, spec)))


@dataclass(frozen=True)
class ShownRendition:
    """What templates show of a rendition (its address and size), worked out once for a batch render, in which an
    image's rendition appears on many pages: a rendition's ``url`` asks the storage again on every use."""

    url: str
    width: int
    height: int

    @classmethod
    def of(cls, rendition):
        return cls(url=rendition.url, width=rendition.width, height=rendition.height)


def _existing_rendition(image, spec):
    """In a batch render, the rendition the image already has (its prefetched renditions, else one query), without
    ``get_rendition``'s write of it into the renditions cache: a site with a picture per story has tens of thousands
    of renditions, each written there once a page for nothing. Anything else goes through ``get_rendition``."""
    if snapshot.active():
        rendition_filter = image.clean_filter_for_svg(Filter(spec=spec))
        try:
            return image.find_existing_rendition(rendition_filter)
        except image.get_rendition_model().DoesNotExist:
            pass  # made now, by get_rendition
    return get_rendition_or_not_found(image, spec)


@register.simple_tag(takes_context=True)
def article_card(context, article, show_section=False, is_lead=False):
    """An article's card (``publishing/includes/card.html``), with its section's name above the title when
    ``show_section``. A card looks the same on every page that lists the article, so a batch render of one snapshot (the
    static export) renders each once per language and form, and puts the section's name in (or leaves it out)."""
    request = context.get("request")
    kicker = ""
    if show_section and getattr(article, "section", None):
        section = article.section
        section_url = section.get_url(request=request)
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language in other_languages():  # a page in another language names the section's front in that language
            section_url = f"{section_url.rstrip('/').rsplit('/', 1)[0]}/{language}/{section.slug}/"
        kicker = format_html('<p class="card__kicker"><a href="{}">{}</a></p>', section_url, section.shown_title)
    return snapshot.remember_with_parts(
        ("card", article.pk, bool(is_lead), translation.get_language()),
        lambda kicker: render_to_string(
            "publishing/includes/card.html",
            {"article": article, "is_lead": is_lead, "kicker": kicker},
            request=request,
        ),
        kicker=kicker,
    )


@register.simple_tag
def archive_numbers(archive, current, base_url):
    """The archive's numbered pages as list items, the current one unlinked. Built here rather than by a template loop:
    an archive of a few thousand stories has a hundred numbers or more, on each of its pages. A batch render of one
    snapshot, which renders every page of the archive, builds the linked items once and unlinks the current one."""

    def linked():
        items = []
        for number in archive.page_numbers():
            shown = formats.localize(number)
            items.append((number, format_html('<li><a href="{}archive/{}/">{}</a></li>\n    ', base_url, shown, shown)))
        return items

    items = snapshot.remember(
        ("archive-numbers", base_url, archive.number_of_pages(), translation.get_language()), linked
    )
    unlinked = format_html('<li><span aria-current="page">{}</span></li>\n    ', formats.localize(current))
    return mark_safe("".join(unlinked if number == current else item for number, item in items))  # noqa: S308  (each item built by format_html)


@register.simple_tag
def absolute_url(url):
    """An absolute URL on the canonical address, for places where nothing is fetched (canonical, OpenGraph, JSON-LD)."""
    if not url:
        return ""
    return settings.CANONICAL_URL + url if url.startswith("/") else url


@register.simple_tag
def article_json_ld(article, bylines, image_url=""):
    """schema.org NewsArticle as a JSON-LD data block (not executed, so the strict CSP allows it)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "inLanguage": article.language,
        "mainEntityOfPage": settings.CANONICAL_URL + article.url,
        "datePublished": article.first_published_at.isoformat() if article.first_published_at else None,
        "dateModified": (article.updated_at or article.last_published_at or article.first_published_at).isoformat()
        if article.first_published_at
        else None,
        "author": [{"@type": "Person", "name": author.name} for author in bylines],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.WAGTAIL_SITE_NAME,
            "url": settings.CANONICAL_URL + "/",
            "logo": {"@type": "ImageObject", "url": absolute_url(static("img/favicon.png"))},
        },
        "isAccessibleForFree": True,
    }
    if image_url:
        data["image"] = [settings.CANONICAL_URL + image_url]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308  (JSON with <, > and & escaped)
