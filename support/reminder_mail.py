"""The two mails of “Remind me later”: the confirmation and the reminder itself.

Plain text (nothing remote to load, nothing to track), neutral subjects that say nothing about the newsroom, absolute
links on ``CANONICAL_URL``, in the reminder's language.
"""

import smtplib
from email.utils import make_msgid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.money import Money
from support.reminders import absolute, cancel_token, confirm_token, forget_token, plain_amount

CONFIRMATION_SUBJECT = _("Your reminder request")
REMINDER_SUBJECT = _("The reminder you asked for")


class MailNotSent(Exception):
    """A mail that did not go out, saying why without the address: the task queue keeps a failed task's traceback,
    and an SMTP error quotes the recipient. ``permanent``: the server refused the address for good."""

    def __init__(self, reason, *, permanent=False):
        super().__init__(reason)
        self.permanent = permanent


def deliver(message):
    """Send ``message``; raise ``MailNotSent`` (never an SMTP error, which would carry the address) if it fails."""
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _text in error.recipients.values()})
        raise MailNotSent(f"recipient refused {codes}", permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPResponseException as error:
        raise MailNotSent(f"{type(error).__name__} {error.smtp_code}") from None
    except smtplib.SMTPException as error:
        raise MailNotSent(type(error).__name__) from None


def confirm_url(reminder, due_on, *, onion=False):
    return absolute(reverse("support:remind_confirm", args=[confirm_token(reminder, due_on)]), onion=onion)


def cancel_url(reminder, *, onion=False):
    return absolute(reverse("support:remind_cancel", args=[cancel_token(reminder)]), onion=onion)


def forget_url(reminder):
    return absolute(reverse("support:remind_forget", args=[forget_token(reminder.email_digest, reminder.language)]))


def _campaign(reminder):
    if reminder.campaign is not None:
        return reminder.campaign
    from support.models import Campaign

    return Campaign.objects.filter(is_active=True, language=reminder.language).first()


def checkout_url(reminder):
    """A prefilled monthly checkout at the campaign's minimum, with the reminder's attribution."""
    campaign = _campaign(reminder)
    query = {}
    if campaign is not None:
        query.update(frequency="monthly", amount=plain_amount(campaign.min_monthly), currency=campaign.currency)
    if reminder.arm:
        query["variant"] = reminder.arm
    if reminder.article_id:
        query["article"] = reminder.article_id
    query["source"] = "reminder"
    return absolute("/support/?" + urlencode(query))


def _message(reminder, subject, template, context):
    with translation.override(reminder.language):
        body = render_to_string(template, {"site_name": settings.WAGTAIL_SITE_NAME, **context})
        subject = str(subject)
    # Our own Message-ID: Django's default names the sending machine's host.
    domain = urlsplit(settings.CANONICAL_URL).hostname or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[reminder.email],
        headers={"Message-ID": make_msgid(domain=domain), "Auto-Submitted": "auto-generated"},
    )


def confirmation_message(reminder, due_on, *, onion=False):
    """Asks the address's owner to confirm ``due_on`` (or, for a confirmed reminder, to move it there). ``onion``:
    the request came by the onion service, so the links go there."""
    with translation.override(reminder.language):
        context = {
            "due": date_format(due_on, "DATE_FORMAT"),
            "current_due": date_format(reminder.due_on, "DATE_FORMAT") if reminder.confirmed_at else "",
            "confirm_url": confirm_url(reminder, due_on, onion=onion),
            "cancel_url": cancel_url(reminder, onion=onion),
            "days_to_confirm": 7,
        }
    return _message(reminder, CONFIRMATION_SUBJECT, "support/email/reminder_confirm.txt", context)


def reminder_message(reminder):
    campaign = _campaign(reminder)
    minimum = Money(campaign.min_monthly, campaign.currency).format(reminder.language) if campaign else ""
    context = {"checkout_url": checkout_url(reminder), "forget_url": forget_url(reminder), "minimum": minimum}
    return _message(reminder, REMINDER_SUBJECT, "support/email/reminder_due.txt", context)
