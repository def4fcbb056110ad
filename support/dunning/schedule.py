"""What the scheduled command ``send_supporter_notices`` sends, and when, by the clock the actions read
(``timezone.now()``).

* A failed renewal's first mail goes out at once (its task); reminder *n* goes out ``DUNNING_REMINDER_DAYS[n-1]``
  days after the failure, while the contribution is past due, its card was not replaced and nobody stopped it.
* An annual contribution that runs (card, with a supporter) gets one notice ``ANNUAL_NOTICE_DAYS`` days or fewer
  before it renews: a year after its last payment. One notice per contribution and renewal date.
* A former supporter gets one win-back mail ``WINBACK_MAIL_DAYS`` after their contribution ended, if that is on
  (``support/dunning/winback.py``).
* Nobody who chose "don't contact me" on the manage page gets any of them.

Each mail is sent under its row's lock, and counted only once the SMTP server took it: a mail that fails is tried
again at the next run.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.actions import Actor, record
from support.dunning.actions import record_dunning_mail
from support.dunning.mail import dunning_message, notice_message
from support.models import Contribution, Dunning, RenewalNotice
from support.reminder_mail import MailNotSent, deliver
from support.states import C, only_row

logger = logging.getLogger(__name__)
ACTOR = Actor.system("send_supporter_notices")


def reminder_days() -> list[int]:
    return list(settings.DUNNING_REMINDER_DAYS)


def _contactable(contribution) -> bool:
    return contribution.supporter is not None and not contribution.supporter.do_not_contact


def send_dunning(dunning_id: int, *, number: int) -> bool:
    """Send mail ``number`` of a failed renewal if it is still due; returns whether it went out."""
    with transaction.atomic():
        dunning = only_row(Dunning.objects.select_for_update().filter(pk=dunning_id).select_related("contribution"))
        if dunning is None or dunning.mails_sent != number - 1 or dunning.ended_at or dunning.card_updated_at:
            return False
        contribution = dunning.contribution
        if contribution.status != C.PAST_DUE or not _contactable(contribution):
            return False
        try:
            deliver(dunning_message(dunning, number))
        except MailNotSent as error:
            logger.warning("Dunning mail %s of failed renewal #%s not sent: %s", number, dunning_id, error)
            return False
        record_dunning_mail(actor=ACTOR, dunning_id=dunning_id, number=number)
    return True


def due_reminders(now) -> list[tuple[int, int]]:
    """(failed renewal, mail number) of every reminder due at ``now``."""
    days = reminder_days()
    due = []
    open_ones = Dunning.objects.filter(
        ended_at__isnull=True, card_updated_at__isnull=True, mails_sent__gte=1, contribution__status=C.PAST_DUE
    )
    for dunning_id, failed_at, sent in open_ones.values_list("pk", "failed_at", "mails_sent"):
        if sent - 1 < len(days) and failed_at + dt.timedelta(days=days[sent - 1]) <= now:
            due.append((dunning_id, sent + 1))
    return due


def renews_on(contribution, last_paid) -> dt.date:
    """An annual contribution renews a year after its last payment (29 February renews on 28 February)."""
    day = timezone.localdate(last_paid)
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def due_notices(now) -> list[tuple[int, dt.date]]:
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.ANNUAL_NOTICE_DAYS)
    running = (
        Contribution.objects.filter(
            frequency="annual", method="card", status=C.ACTIVE, supporter__isnull=False, supporter__do_not_contact=False
        )
        .annotate(last_paid=Max("payments__succeeded_at"))
        .exclude(last_paid__isnull=True)
    )
    due = []
    for contribution in running:
        day = renews_on(contribution, contribution.last_paid)
        if today < day <= horizon and not contribution.renewal_notices.filter(renews_on=day).exists():
            due.append((contribution.pk, day))
    return due


def send_notice(contribution_id: int, day: dt.date) -> bool:
    with transaction.atomic():
        contribution = only_row(
            Contribution.objects.select_for_update(of=("self",))
            .filter(pk=contribution_id, status=C.ACTIVE)
            .select_related("supporter")
        )
        if contribution is None or not _contactable(contribution):
            return False
        try:
            with transaction.atomic():
                notice = RenewalNotice.objects.create(contribution=contribution, renews_on=day, sent_at=timezone.now())
        except IntegrityError:  # sent already
            return False
        try:
            deliver(notice_message(contribution, day))
        except MailNotSent as error:
            logger.warning("Renewal notice of contribution #%s not sent: %s", contribution_id, error)
            transaction.set_rollback(True)
            return False
        record(actor=ACTOR, action="contribution.renewal_notice", subject=contribution, notice=notice.pk)
    return True


def run(now=None) -> tuple[int, int, int]:
    """Send what is due at ``now`` (the clock's now): (reminders sent, notices sent, win-back mails sent)."""
    from support.dunning import winback

    now = now or timezone.now()
    reminders = sum(send_dunning(dunning_id, number=number) for dunning_id, number in due_reminders(now))
    notices = sum(send_notice(contribution_id, day) for contribution_id, day in due_notices(now))
    return reminders, notices, winback.run(now)
