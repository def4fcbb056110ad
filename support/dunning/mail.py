"""The mails of dunning and of annual renewals: plain text, in the contribution's language, neutral subjects that say
nothing about the newsroom, absolute links (the signed notice link, and the bank-transfer page)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from support.dunning.links import LINK_MAX_AGE, link_url
from support.receipts import FREQUENCY_LABELS, _message
from support.reminders import absolute

FAILED_SUBJECT = _("About your regular contribution")
REMINDER_SUBJECT = _("A reminder about your regular contribution")
NOTICE_SUBJECT = _("Your regular contribution renews soon")


def _language(contribution):
    language = contribution.language or (contribution.supporter.language if contribution.supporter else "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _common(contribution, language):
    with translation.override(language):
        return {
            "amount": contribution.money.format(language),
            "frequency": str(FREQUENCY_LABELS.get(contribution.frequency, contribution.frequency)),
            "reference": contribution.reference,
            "manage_url": link_url(contribution, "manage"),
            "link_days": LINK_MAX_AGE // 86400,
        }


def dunning_message(dunning, number: int):
    """Mail ``number`` of a failed renewal: 1 is the first, after it the reminders."""
    contribution = dunning.contribution
    language = _language(contribution)
    context = _common(contribution, language)
    context.update(
        card_url=link_url(contribution, "card"),
        bank_transfer_url=absolute(reverse("support:bank_transfer", args=[language])),
        reminder=number > 1,
    )
    return _message(
        to=contribution.supporter.email,
        language=language,
        subject=FAILED_SUBJECT if number == 1 else REMINDER_SUBJECT,
        template="support/email/dunning.txt",
        context=context,
    )


def notice_message(contribution, renews_on):
    """The notice before an annual contribution renews on ``renews_on``."""
    language = _language(contribution)
    context = _common(contribution, language)
    with translation.override(language):
        context["date"] = date_format(renews_on, "DATE_FORMAT")
    return _message(
        to=contribution.supporter.email,
        language=language,
        subject=NOTICE_SUBJECT,
        template="support/email/renewal_notice.txt",
        context=context,
    )
