"""The mails that tell staff card payments were paused (``support.cards.defence``), once per pause, or that the
site-wide limit on starting card checkouts was reached (``support.cards.starts``), once an hour while it lasts: plain
text, to the people who can act on it.

Recipients: every active user allowed to resume card payments (``support.change_payment``, which the newsroom's
Revenue role holds — superusers only count when nobody else would get it), plus the addresses in
``SUPPORT_ALERT_EMAILS`` (an on-call inbox, say). One message goes to all of them.
"""

import datetime as dt
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

ALERT_SUBJECT = _("Card payments are paused")
STARTS_ALERT_SUBJECT = _("Card checkouts are being turned away")
RESUME_PERMISSION = ("support", "change_payment")


def alert_recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    permission = Permission.objects.filter(
        content_type__app_label=RESUME_PERMISSION[0], codename=RESUME_PERMISSION[1]
    ).first()
    staff = []
    if permission is not None:
        staff = list(
            users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
            .order_by("pk")
            .values_list("email", flat=True)
            .distinct()
        )
    addresses = [*staff, *settings.SUPPORT_ALERT_EMAILS]
    if not addresses:  # an alert nobody receives is no alert
        addresses = list(users.filter(is_superuser=True).order_by("pk").values_list("email", flat=True))
    unique = {}
    for address in addresses:
        unique.setdefault(address.strip().lower(), address.strip())
    return list(unique.values())


def _local(iso_moment):
    return timezone.localtime(dt.datetime.fromisoformat(iso_moment)).strftime("%Y-%m-%d %H:%M")


def alert_message(entry) -> EmailMessage | None:
    """The alert for the audit entry ``entry`` of a pause; None if there is nobody to send it to."""
    recipients = alert_recipients()
    if not recipients:
        return None
    data = entry.data
    failures, attempts = int(data["failures"]), int(data["attempts"])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "site_name": settings.WAGTAIL_SITE_NAME,
            "failures": failures,
            "attempts": attempts,
            "percent": round(100 * failures / attempts) if attempts else 100,
            "window_minutes": max(1, settings.CARD_BREAKER_WINDOW // 60),
            "since": _local(data["since"]),
            "until": _local(data["until"]),
            "time_zone": settings.TIME_ZONE,
            "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("support_card_payments"),
        }
        body = render_to_string("support/email/card_paused_alert.txt", context)
        subject = str(ALERT_SUBJECT)
    return _message(subject, body, recipients)


def starts_alert_message(entry) -> EmailMessage | None:
    """The alert for the audit entry ``entry`` of the site-wide limit on card starts; None if there is nobody to send
    it to."""
    recipients = alert_recipients()
    if not recipients:
        return None
    data = entry.data
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "site_name": settings.WAGTAIL_SITE_NAME,
            "limit": int(data["limit"]),
            "since": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
            "time_zone": settings.TIME_ZONE,
            "quiet_minutes": max(1, int(data["quiet_seconds"]) // 60),
            "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("support_card_payments"),
        }
        body = render_to_string("support/email/card_starts_alert.txt", context)
        subject = str(STARTS_ALERT_SUBJECT)
    return _message(subject, body, recipients)


def _message(subject, body, recipients) -> EmailMessage:
    domain = urlsplit(settings.CANONICAL_URL).hostname or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        to=recipients,
        headers={"Message-ID": make_msgid(domain=domain), "Auto-Submitted": "auto-generated"},
    )
