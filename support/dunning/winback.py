"""The one win-back mail: ``WINBACK_MAIL_DAYS`` days after a regular contribution ended (cancelled or lapsed), its
supporter is asked, once, whether they would support again. Off when the setting is 0 (the default).

Who gets it: a supporter who did not choose "don't contact me", whose contribution had run (it was paid at least
once) and ended between ``WINBACK_MAIL_DAYS`` and ``WINBACK_MAIL_DAYS + CATCH_UP_DAYS`` days ago, who has nothing
running now and has not given again since. The window means a scheduler that was down for a few days still sends it,
while turning the setting on does not mail everyone who ever left. One mail per contribution, ever
(:class:`support.models.WinBackMail`), and one per supporter in a run.
"""

import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.actions import Actor, record
from support.dunning.links import LINK_MAX_AGE, link_url
from support.dunning.mail import _language
from support.models import Contribution, EndReason, WinBackMail
from support.receipts import FREQUENCY_LABELS, _message
from support.reminder_mail import MailNotSent, deliver
from support.reminders import absolute
from support.states import C, only_row

logger = logging.getLogger(__name__)
ACTOR = Actor.system("send_supporter_notices")
CATCH_UP_DAYS = 14
SUBJECT = _("Thank you for your past support")
RUNNING = (C.PENDING, C.ACTIVE, C.PAST_DUE)


def quiet_days() -> int:
    return int(settings.WINBACK_MAIL_DAYS or 0)


def _eligible(now):
    days = quiet_days()
    latest = now - dt.timedelta(days=days)
    return Contribution.objects.filter(
        frequency__in=("monthly", "annual"),
        status=C.CANCELLED,
        end_reason__in=(EndReason.CANCELLED, EndReason.LAPSED),
        started_at__isnull=False,
        ended_at__lte=latest,
        ended_at__gt=latest - dt.timedelta(days=CATCH_UP_DAYS),
        supporter__isnull=False,
        supporter__do_not_contact=False,
        win_back_mail__isnull=True,
    )


def _came_back(contribution) -> bool:
    """Something of theirs runs now, or they gave again after this one ended."""
    others = contribution.supporter.contributions.exclude(pk=contribution.pk)
    return others.filter(Q(status__in=RUNNING) | Q(started_at__gt=contribution.ended_at)).exists()


def due_win_backs(now) -> list[int]:
    """The contributions whose win-back mail is due at ``now`` (one per supporter), or none when it is off."""
    if quiet_days() <= 0:
        return []
    due, supporters = [], set()
    for contribution in _eligible(now).select_related("supporter").order_by("-ended_at", "-pk"):
        if contribution.supporter_id in supporters or _came_back(contribution):
            continue
        supporters.add(contribution.supporter_id)
        due.append(contribution.pk)
    return due


def win_back_message(contribution):
    language = _language(contribution)
    query = {
        "lang": language,
        "frequency": contribution.frequency,
        "amount": format(contribution.amount.normalize(), "f"),
        "currency": contribution.currency,
        "variant": "win-back-mail",
    }
    with translation.override(language):
        context = {
            "amount": contribution.money.format(language),
            "frequency": str(FREQUENCY_LABELS.get(contribution.frequency, contribution.frequency)),
            "ended_on": date_format(timezone.localtime(contribution.ended_at), "DATE_FORMAT"),
            "give_url": absolute(reverse("support:landing") + "?" + urlencode(query)),
            "manage_url": link_url(contribution, "manage"),
            "link_days": LINK_MAX_AGE // 86400,
        }
    return _message(
        to=contribution.supporter.email,
        language=language,
        subject=SUBJECT,
        template="support/email/win_back.txt",
        context=context,
    )


def send_win_back(contribution_id: int, now=None) -> bool:
    """Send the win-back mail of one contribution if it is still due; the named action ``contribution.win_back_mailed``
    (an audit entry) records it. A mail the server did not take is tried again at the next run."""
    now = now or timezone.now()
    with transaction.atomic():
        contribution = only_row(
            _eligible(now).select_for_update(of=("self",)).filter(pk=contribution_id).select_related("supporter")
        )
        if contribution is None or _came_back(contribution):
            return False
        try:
            with transaction.atomic():
                mail = WinBackMail.objects.create(contribution=contribution, sent_at=now)
        except IntegrityError:  # sent already
            return False
        try:
            deliver(win_back_message(contribution))
        except MailNotSent as error:
            logger.warning("Win-back mail of contribution #%s not sent: %s", contribution_id, error)
            transaction.set_rollback(True)
            return False
        record(actor=ACTOR, action="contribution.win_back_mailed", subject=contribution, mail=mail.pk)
    return True


def run(now) -> int:
    return sum(send_win_back(contribution_id, now) for contribution_id in due_win_backs(now))
