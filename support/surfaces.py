"""Asks rendered on the server into article pages, through the slots ``publishing`` leaves in its templates.

The page carries the default variant of each surface (what a reader without JavaScript sees) and the other running
variants as inert ``<template>`` elements; the reader script picks among them in the browser. Everything here depends
only on the article and the campaign, so the page stays the same bytes for every reader.
"""

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import snapshot
from core.money import Money
from support.figures import figures_for, placeholder_values
from support.models.asks import FORMER_SUPPORTERS
from support.placeholders import fill

_CACHE_ATTRIBUTE = "_samizdat_asks"


@dataclass
class RenderedVariant:
    key: str
    weight: int
    is_default: bool
    starts_at: str
    ends_at: str
    heading: str
    body: str
    button_label: str
    secondary_text: str
    reads_line: str
    audience: str = "everyone"  # "former": a win-back variant, drawn by the reader script for former supporters only
    # Links that carry this variant's key to the checkout (filled per surface by _attach_links).
    support_url: str = ""
    remind_url: str = ""
    monthly_choices: list = field(default_factory=list)
    once_choices: list = field(default_factory=list)


@dataclass
class ArticleAsks:
    campaign: object
    info: object
    values: dict
    figures: object
    surfaces: dict = field(default_factory=dict)  # surface -> list of RenderedVariant, default first


def active_campaign(language):
    from support.models import Campaign

    return Campaign.objects.filter(is_active=True, language=language).first()


def _targets(variant, info):
    sections = [page.slug for page in variant.target_sections.all()]
    topics = [topic.slug for topic in variant.target_topics.all()]
    return (not sections or info.section in sections) and (not topics or set(topics) & set(info.topics))


def _paragraphs(html):
    return mark_safe("".join(f"<p>{part.strip()}</p>" for part in html.split("\n\n") if part.strip()))  # noqa: S308


def _render_variant(variant, values):
    # {articles_read} is known only in the reader's browser, which fills this span.
    reads = fill(variant.reads_line, values).replace(
        '<span data-figure="articles_read"></span>', "<span data-reads-count></span>"
    )
    return RenderedVariant(
        key=variant.key,
        weight=variant.weight,
        is_default=variant.is_default,
        starts_at=variant.starts_at.isoformat() if variant.starts_at else "",
        ends_at=variant.ends_at.isoformat() if variant.ends_at else "",
        heading=mark_safe(fill(variant.heading, values)),  # noqa: S308  (fill escapes the copy)
        body=_paragraphs(fill(variant.body, values)),
        button_label=mark_safe(fill(variant.button_label, values)),  # noqa: S308
        secondary_text=mark_safe(fill(variant.secondary_text, values)),  # noqa: S308
        reads_line=mark_safe(reads),  # noqa: S308
        audience=variant.audience,
    )


def _campaign_asks(language):
    """The running campaign of ``language`` with its enabled variants, figures and placeholder values, and a place for
    rendered copy; worked out once for a whole batch render of one snapshot (the static export: ``core.snapshot``)."""
    return snapshot.remember(("campaign-asks", language), lambda: _find_campaign_asks(language))


def _find_campaign_asks(language):
    from support.models import AskVariant

    variants = list(
        AskVariant.objects.filter(campaign__is_active=True, campaign__language=language, enabled=True)
        .select_related("campaign")
        .prefetch_related("target_sections", "target_topics")
    )
    campaign = variants[0].campaign if variants else active_campaign(language)
    found = None
    if campaign is not None:
        figures = figures_for(campaign)
        found = (campaign, variants, figures, placeholder_values(campaign, figures, language), {})
    return found


def asks_for(info, now=None):
    """The asks of one article: the campaign of its language and, per surface, the variants that target it.

    In a batch render of one snapshot (the static export), the campaign, its figures and each variant's filled copy are
    worked out once rather than for every article."""
    now = now or timezone.now()
    found = _campaign_asks(info.language)
    if found is None:
        return None
    campaign, variants, figures, values, rendered = found
    asks = ArticleAsks(campaign=campaign, info=info, values=values, figures=figures)
    by_surface = {}
    for variant in variants:
        if variant.ends_at and variant.ends_at <= now:
            continue
        if variant.surface == "banner" and not campaign.banner_enabled:
            continue
        if _targets(variant, info):
            by_surface.setdefault(variant.surface, []).append(variant)
    for surface, candidates in by_surface.items():
        # A win-back variant is never the default: without JavaScript (or for a browser that was never a supporter)
        # the ordinary ask shows, so a surface needs a running ordinary variant.
        running = [v for v in candidates if v.is_running(now) and v.audience != FORMER_SUPPORTERS]
        if not running:
            continue
        default = max(running, key=lambda v: (v.is_default, v.weight, -v.pk))
        ordered = [default] + [v for v in candidates if v is not default]
        for variant in ordered:
            if variant.pk not in rendered:
                rendered[variant.pk] = _render_variant(variant, values)
        asks.surfaces[surface] = [rendered[variant.pk] for variant in ordered]
    if not campaign.banned_in:
        asks.surfaces.pop("notice", None)  # no country named: no censorship notice
    return asks


def _asks_in_context(context, page):
    request = context.get("request")
    cache = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            setattr(request, _CACHE_ATTRIBUTE, cache)
    if page.pk not in cache:
        from publishing.interface import article_info

        info = article_info(page, context.get("topics"), context.get("section"))
        cache[page.pk] = asks_for(info)
        if cache[page.pk] is not None and request is not None:
            # The page shows live figures (the gap): readers without JavaScript get them at most this old.
            request.samizdat_cache_seconds = settings.GOAL_MAX_AGE
    return cache[page.pk]


def checkout_url(asks, *, frequency, amount, arm):
    query = {
        "frequency": frequency,
        "amount": format(amount.amount.normalize(), "f"),  # "10", "7.5": never "1E+1"
        "currency": amount.currency,
        "variant": arm,
        "article": asks.info.id,
    }
    return "/support/?" + urlencode(query)


def _attach_links(asks, variant, monthly, once):
    """Give a variant its own links, so attribution is right even before (or without) the reader script."""
    language, campaign = asks.info.language, asks.campaign
    variant.monthly_choices = [
        (m.format(language), checkout_url(asks, frequency="monthly", amount=m, arm=variant.key)) for m in monthly
    ]
    variant.once_choices = [
        (m.format(language), checkout_url(asks, frequency="once", amount=m, arm=variant.key)) for m in once
    ]
    minimum = Money(campaign.min_monthly, campaign.currency)
    variant.support_url = checkout_url(asks, frequency="monthly", amount=minimum, arm=variant.key)
    variant.remind_url = "/support/remind/?" + urlencode({"variant": variant.key, "article": asks.info.id})


def _methods(campaign, language):
    """``[(key, label, url)]``: the ways to give that the appeal names; those needing no server link to instructions."""
    from support.views.ways import WAYS, ways_url

    return [(key, label, ways_url(key, language) if key in WAYS else "") for key, label in campaign.payment_methods()]


def _surface_context(asks, surface):
    campaign = asks.campaign
    variants = asks.surfaces[surface]
    monthly = [Money(a, campaign.currency) for a in campaign.amount_list(campaign.monthly_amounts)]
    once = [Money(a, campaign.currency) for a in campaign.amount_list(campaign.one_time_amounts)]
    for variant in variants:
        _attach_links(asks, variant, monthly, once)
    return {
        "surface": surface,
        "asks": asks,
        "campaign": campaign,
        "variant": variants[0],
        "alternatives": variants[1:],
        "language": asks.info.language,
        "figures": asks.figures,
        "values": asks.values,
        "methods": _methods(campaign, asks.info.language),
    }


def _render(surface, context, page):
    asks = _asks_in_context(context, page)
    if asks is None or surface not in asks.surfaces:
        return ""
    return snapshot.remember_with_parts(
        ("surface", surface, asks.campaign.pk, asks.info.language, tuple(v.key for v in asks.surfaces[surface])),
        lambda article: render_to_string(
            f"support/surfaces/{surface}.html",
            _surface_context(_for_article(asks, article), surface),
            request=context.get("request"),
        ),
        article=asks.info.id,
    )


def _for_article(asks, article):
    """``asks`` with the article's id ``article`` (in a batch render: a stand-in, see core.snapshot)."""
    return asks if article == asks.info.id else replace(asks, info=replace(asks.info, id=article))


def render_article_top(context, page):
    asks = _asks_in_context(context, page)
    if asks is None:
        return ""
    config = snapshot.remember_with_parts(
        ("surface-config", asks.campaign.pk, asks.info.language),
        lambda article: render_to_string("support/surfaces/config.html", {"asks": _for_article(asks, article)}),
        article=asks.info.id,
    )
    return config + _render("banner", context, page)


def render_after_paragraph(context, page, paragraph):
    asks = _asks_in_context(context, page)
    if asks is None:
        return ""
    after = min(asks.campaign.panel_after_paragraph, max(asks.info.paragraphs, 1))
    if paragraph != after:
        return ""
    return _render("panel", context, page) + _render("notice", context, page)


def render_reader_script(context):
    """The one small first-party script that makes asks personal in the browser (pages work without it)."""
    return format_html('<script src="{}" defer></script>', static("support/reader.js"))


def render_article_end(context, page):
    return _render("appeal", context, page)
