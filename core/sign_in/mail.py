"""The mail to an account's owner when signing in to it was paused: plain text, in their admin language and time zone,
saying until when, that their password was not accepted, and how to choose a new one (which ends the pause)."""

import datetime as dt
import smtplib
import zoneinfo
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.account import password_reset_enabled

SUBJECT = _("Signing in to your account is paused")


class MailNotSent(Exception):
    """A mail that did not go out, saying why without the address (an SMTP error quotes the recipient, and the task
    table keeps a failed task's traceback)."""


def deliver(message):
    try:
        message.send()
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"{type(error).__name__} {error.smtp_code}") from None
    except smtplib.SMTPException as error:
        raise MailNotSent(type(error).__name__) from None


def _profile_choices(user):
    """The user's admin language and time zone (Wagtail's account settings), else the site's."""
    profile = getattr(user, "wagtail_userprofile", None)
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    zone_name = getattr(profile, "current_time_zone", "") or settings.TIME_ZONE
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return language, zone


def paused_notice(entry) -> EmailMessage | None:
    """The notice for audit entry ``entry`` of an account's pause; None if nobody can be told."""
    if not entry.subject_id:
        return None
    user = get_user_model()._default_manager.filter(pk=entry.subject_id, is_active=True).exclude(email="").first()
    if user is None:
        return None
    language, zone = _profile_choices(user)
    until = dt.datetime.fromisoformat(entry.data["until"]).astimezone(zone)
    admin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "site_name": settings.WAGTAIL_SITE_NAME,
            "username": user.get_username(),
            "failures": int(entry.data["failures"]),
            "window_minutes": max(1, int(entry.data["window_seconds"]) // 60),
            "until": until.strftime("%Y-%m-%d %H:%M"),
            "time_zone": until.tzname(),
            "reset_url": admin + reverse("wagtailadmin_password_reset") if password_reset_enabled() else "",
        }
        body = render_to_string("core/email/sign_in_paused.txt", context)
        subject = str(SUBJECT)
    domain = urlsplit(settings.CANONICAL_URL).hostname or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={"Message-ID": make_msgid(domain=domain), "Auto-Submitted": "auto-generated"},
    )
