"""The stories a newsletter carries, read from the published pages: title, standfirst, address and, for the SOS
digest, the whole body as text and as simple HTML that needs nothing from the web.

A mail loads nothing remote and names no host but ours: images become their caption and credit in words, links
inside the newsroom's pages point to the canonical site, and links to other hosts keep their words but lose the link
(a mail that names third-party hosts is one more thing a censor or a spam filter reads).
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape, strip_tags
from wagtail.rich_text import expand_db_html

LINK = re.compile(r"<a\b[^>]*?href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.S | re.I)


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    standfirst: str
    url: str  # absolute, on the canonical site
    body_html: str = ""  # full text, SOS only
    body_text: str = ""


def canonical(url: str) -> str:
    return settings.CANONICAL_URL + url if url.startswith("/") else url


def _own_host(url: str) -> bool:
    host = urlsplit(url).hostname
    return host is None or host == urlsplit(settings.CANONICAL_URL).hostname


def mail_safe_html(rich_html: str) -> str:
    """Rich text as a mail may carry it: our links absolute on the canonical site, other hosts' links as words."""

    def link(match):
        href, words = html.unescape(match.group(1)), match.group(2)
        if href.startswith("/") or (href.startswith(("http://", "https://")) and _own_host(href)):
            return f'<a href="{escape(canonical(href))}">{words}</a>'
        return words

    return LINK.sub(link, rich_html)


def as_text(fragment: str) -> str:
    return html.unescape(strip_tags(fragment)).strip()


def _image_words(value) -> str:
    image = value["image"]
    if image is None:
        return ""
    caption = value.get("caption") or getattr(image, "caption", "") or ""
    credit = getattr(image, "credit", "") or ""
    return " — ".join(part for part in (caption, credit) if part)


def _body(page) -> tuple[str, str]:
    parts_html, parts_text = [], []
    for block in page.body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            fragment = mail_safe_html(expand_db_html(value.source))
            parts_html.append(f"<p>{fragment}</p>" if not fragment.lstrip().startswith("<p") else fragment)
            parts_text.append(as_text(fragment))
        elif kind == "subheading":
            parts_html.append(f"<h3>{escape(value)}</h3>")
            parts_text.append(str(value).upper())
        elif kind == "pull_quote":
            who = value.get("attribution") or ""
            parts_html.append(
                f"<blockquote><p>{escape(value['quote'])}</p>{f'<p>— {escape(who)}</p>' if who else ''}</blockquote>"
            )
            parts_text.append(f"“{value['quote']}”" + (f" — {who}" if who else ""))
        elif kind == "image":
            words = _image_words(value)
            if words:
                parts_html.append(f'<p class="image-words">[{escape(words)}]</p>')
                parts_text.append(f"[{words}]")
        elif kind == "fact_box":
            fragment = mail_safe_html(expand_db_html(value["body"].source))
            parts_html.append(f'<div class="fact-box"><h4>{escape(value["title"])}</h4>{fragment}</div>')
            parts_text.append(f"{value['title']}\n{as_text(fragment)}")
    return "\n".join(parts_html), "\n\n".join(part for part in parts_text if part)


def live_articles(language: str):
    from publishing.models import ArticlePage

    return ArticlePage.objects.live().filter(language=language).order_by("-first_published_at", "-pk")


def stories(article_ids, *, full_text: bool) -> list[Story]:
    """The live articles among ``article_ids``, in that order, with their full text when ``full_text``."""
    from publishing.models import ArticlePage

    pages = {page.pk: page for page in ArticlePage.objects.live().filter(pk__in=list(article_ids)).specific()}
    result = []
    for pk in article_ids:
        page = pages.get(pk)
        if page is None:
            continue
        body_html, body_text = _body(page) if full_text else ("", "")
        result.append(
            Story(
                id=page.pk,
                title=page.title,
                standfirst=page.standfirst or "",
                url=canonical(page.get_url() or page.url_path),
                body_html=body_html,
                body_text=body_text,
            )
        )
    return result


def latest_article_ids(language: str, count: int) -> list[int]:
    return list(live_articles(language).values_list("pk", flat=True)[:count])
