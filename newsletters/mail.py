"""Newsletter mail: composed once per issue, then addressed to each subscriber.

Every message has a text part and an HTML part whose CSS ``css_inline`` has inlined (no remote stylesheet is ever
loaded), no image at all, no pixel and no rewritten link: nothing in it tells anyone who opened what. Its footer
carries the ``newsletter``-pool mirrors (a few per issue, rotating), the onion and the signing key's fingerprint, so
a reader whose way to the site was blocked has the next ones in their inbox. Headers: ``List-Unsubscribe`` (RFC 2369)
and ``List-Unsubscribe-Post`` (RFC 8058), so mail programs offer one-click unsubscribing. Subjects are the editor's;
the confirmation's is neutral.
"""

from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import onion
from newsletters.articles import latest_article_ids, stories
from newsletters.models import NewsletterList

CONFIRMATION_SUBJECT = _("Please confirm your address")
FOOTER_MIRRORS = 3  # newsletter-pool mirrors named in one issue
UNSUBSCRIBE_MARK = "UNSUBSCRIBE-LINK-FOR-THIS-READER"
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


def _domain() -> str:
    return urlsplit(settings.CANONICAL_URL).hostname or "localhost"


def unsubscribe_url(token: str) -> str:
    return settings.CANONICAL_URL + reverse("newsletters:unsubscribe", args=[token])


def footer_mirrors(rotation: int) -> list[str]:
    """Up to ``FOOTER_MIRRORS`` addresses of the ``newsletter`` pool (never another), a different few each issue."""
    from mirrors.mirror_list import listed_mirrors
    from mirrors.models import Mirror

    urls = [mirror.url for mirror in listed_mirrors(Mirror.Pool.NEWSLETTER) if mirror.kind != Mirror.Kind.ONION]
    if len(urls) <= FOOTER_MIRRORS:
        return urls
    start = (rotation * FOOTER_MIRRORS) % len(urls)
    return (urls[start:] + urls[:start])[:FOOTER_MIRRORS]


def key_fingerprint() -> tuple[str, str]:
    """(key id, public key) of the newsroom's signing key, or ("", "") when none is configured."""
    from django.core.exceptions import ImproperlyConfigured

    from mirrors.signing import Signer, key_id_text

    try:
        signer = Signer.from_settings()
    except ImproperlyConfigured:
        return "", ""
    return key_id_text(signer.key_id), signer.public_key


def footer(rotation: int) -> dict:
    key_id, public_key = key_fingerprint()
    return {
        "mirrors": footer_mirrors(rotation),
        "onion": onion.site_url(onion=True) if onion.onion_address() else "",
        "key_id": key_id,
        "public_key": public_key,
        "canonical": settings.CANONICAL_URL,
    }


@dataclass(frozen=True)
class Composed:
    """An issue rendered once; ``message_for`` only puts in the reader's address and unsubscribe link."""

    subject: str
    text: str
    html: str
    list_id: str

    def message_for(self, email: str, token: str) -> EmailMultiAlternatives:
        link = unsubscribe_url(token)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE_MARK, link),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers={
                "Message-ID": make_msgid(domain=_domain()),
                "List-Id": self.list_id,
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(self.html.replace(UNSUBSCRIBE_MARK, link), "text/html")
        return message


def issue_article_ids(issue) -> list[int]:
    """The SOS digest carries the latest ``SOS_ARTICLES`` stories when the editor chose none."""
    if issue.article_ids:
        return [int(pk) for pk in issue.article_ids]
    if issue.list == NewsletterList.SOS:
        return latest_article_ids(issue.language, settings.NEWSLETTER_SOS_ARTICLES)
    return []


def compose(issue) -> Composed:
    full_text = issue.list == NewsletterList.SOS
    with translation.override(issue.language):
        context = {
            "issue": issue,
            "list_name": NewsletterList(issue.list).label,
            "intro": [part.strip() for part in issue.intro.split("\n\n") if part.strip()],
            "stories": stories(issue_article_ids(issue), full_text=full_text),
            "full_text": full_text,
            "footer": footer(issue.pk or 0),
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        text = render_to_string("newsletters/email/issue.txt", context)
        html = _INLINER.inline(render_to_string("newsletters/email/issue.html", context))
    return Composed(subject=issue.subject, text=text, html=html, list_id=f"<{issue.list}.{_domain()}>")


def confirmation_message(subscriber, *, onion_links: bool = False) -> EmailMessage:
    from newsletters.subscriptions import confirm_token

    base = onion.site_url(onion=onion_links)
    with translation.override(subscriber.language):
        body = render_to_string(
            "newsletters/email/confirm.txt",
            {
                "confirm_url": base + reverse("newsletters:confirm", args=[confirm_token(subscriber)]),
                "lists": [NewsletterList(m.list).label for m in subscriber.memberships.all()],
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )
        subject = str(CONFIRMATION_SUBJECT)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={"Message-ID": make_msgid(domain=_domain()), "Auto-Submitted": "auto-generated"},
    )
