"""“Remind me later”: request, confirm, cancel, send, forget and purge reminders.

Each action is atomic and, when it changes something, writes one audit entry about the reminder — never the address,
its digest or the reader's IP. Mails go out from tasks started after commit (``support.tasks``), except the reminder
itself: see :func:`send_reminder`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actions import Actor, after_commit, record
from core.email_address import normalise_email
from support.actions.stats import count_ask_events
from support.arms import valid_arms
from support.models import Campaign, Reminder
from support.reminder_mail import MailNotSent, deliver, reminder_message
from support.reminders import (
    CANCEL_SALT,
    CONFIRM_SALT,
    CONFIRM_WITHIN,
    OVERDUE_GRACE,
    BadLink,
    ReminderError,
    confirm_token,
    due_date,
    email_digest,
    read_link,
    take_address_allowance,
)
from support.tasks import send_reminder_confirmation


@dataclass(frozen=True)
class LinkOutcome:
    """What following a link did. ``found`` is False when there was nothing (any more) to act on."""

    language: str
    found: bool
    due_on: dt.date | None = None


def request_reminder(
    *,
    actor: Actor,
    email: str,
    when: str,
    arm: str = "",
    article_id: int | None = None,
    language: str = "en",
    onion: bool = False,
) -> tuple[Reminder, str]:
    """Ask for one reminder to ``email`` after ``when``; a confirmation mail goes out after commit (``onion``: asked
    for by the onion service, where the mail's links then lead).

    An address has one reminder at most. A new request replaces the due date of an unconfirmed one at once; a confirmed
    one changes only when its owner follows the new confirmation link (so a stranger who knows the address cannot move
    or cancel it). Returns the reminder and its confirmation token (a signed value: nothing secret is stored, and the
    mail task signs its own). Raises ``ReminderError`` (bad address or ``when``) or ``LimitReached``, changing nothing.
    """
    try:
        email = normalise_email(email)
    except ValidationError as error:
        raise ReminderError(error.message) from None
    due_on = due_date(when)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    digest = email_digest(email)
    take_address_allowance(digest)
    campaign = Campaign.objects.filter(is_active=True, language=language).first()
    if campaign is None or arm not in valid_arms(campaign):
        arm = ""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(email_digest=digest).first()
        created = False
        if reminder is None:
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        email=email,
                        email_digest=digest,
                        language=language,
                        due_on=due_on,
                        campaign=campaign,
                        arm=arm,
                        article_id=article_id,
                    )
                created = True
            except IntegrityError:  # a simultaneous request for the same address got there first
                reminder = Reminder.objects.select_for_update().get(email_digest=digest)
        if not created and reminder.confirmed_at is None:
            reminder.email, reminder.language, reminder.due_on = email, language, due_on
            reminder.campaign, reminder.arm, reminder.article_id = campaign, arm, article_id
            reminder.requested_at = timezone.now()  # a week to confirm, from this request
            reminder.save()
        if created and arm:
            count_ask_events(actor=actor, campaign=campaign, events=[(arm, "reminder")])
        record(
            actor=actor,
            action="reminder.requested",
            subject=reminder,
            due_on=due_on.isoformat(),
            arm=arm,
            article=article_id,
            language=language,
            new=created,
        )
        after_commit(send_reminder_confirmation.enqueue, reminder.pk, due_on.isoformat(), onion)
    return reminder, confirm_token(reminder, due_on)


def confirm_reminder(*, actor: Actor, token: str) -> LinkOutcome:
    """Confirm a reminder (or move a confirmed one to the date its new link carries). Following it twice is harmless.

    Raises ``BadLink`` for a tampered or expired token.
    """
    link = read_link(token, salt=CONFIRM_SALT, max_age=CONFIRM_WITHIN)
    if link.reminder_id is None or link.due_on is None:
        raise BadLink(_("This link is not valid. Please open the whole link from the email, or copy it exactly."))
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=link.reminder_id).first()
        if reminder is None:
            return LinkOutcome(link.language, found=False)
        if reminder.confirmed_at is None or reminder.due_on != link.due_on:
            moved = reminder.confirmed_at is not None
            reminder.confirmed_at = reminder.confirmed_at or timezone.now()
            reminder.due_on = link.due_on
            reminder.save(update_fields=["confirmed_at", "due_on"])
            record(
                actor=actor, action="reminder.confirmed", subject=reminder, due_on=link.due_on.isoformat(), moved=moved
            )
    return LinkOutcome(reminder.language, found=True, due_on=reminder.due_on)


def cancel_reminder(*, actor: Actor, token: str) -> LinkOutcome:
    """Delete a reminder, and with it the address, before it is sent. Following the link again is harmless."""
    link = read_link(token, salt=CANCEL_SALT)
    if link.reminder_id is None:
        raise BadLink(_("This link is not valid. Please open the whole link from the email, or copy it exactly."))
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=link.reminder_id).first()
        if reminder is None:
            return LinkOutcome(link.language, found=False)
        record(
            actor=actor,
            action="reminder.cancelled",
            subject=reminder,
            due_on=reminder.due_on.isoformat(),
            confirmed=reminder.confirmed_at is not None,
        )
        reminder.delete()
    return LinkOutcome(link.language, found=True)


def send_reminder(*, actor: Actor, reminder_id: int, today: dt.date | None = None) -> bool:
    """Send one confirmed, due reminder and delete it. False if nothing was sent (gone, unconfirmed, not due, or the
    mail server refused the address for good, which deletes it too).

    Unlike the other actions, the mail goes out inside the transaction, while the row is locked, just before the
    audit entry and the delete commit: the address must not outlive the reminder, and a failed send must not lose it.
    If sending fails nothing changes and the next run retries (``MailNotSent`` propagates); a second worker waits for
    the lock and finds the row gone. The one window left (the server accepted the mail, then the commit failed) would
    send it twice. ``EMAIL_TIMEOUT`` bounds how long the lock is held.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.confirmed_at is None or reminder.due_on > today:
            return False
        try:
            deliver(reminder_message(reminder))
            sent = True
        except MailNotSent as error:
            if not error.permanent:
                raise
            sent = False  # retrying would only keep the address longer
        action = "reminder.sent" if sent else "reminder.undeliverable"
        record(actor=actor, action=action, subject=reminder, due_on=reminder.due_on.isoformat(), arm=reminder.arm)
        reminder.delete()
    return sent


def forget_address(*, actor: Actor, email_digest: str) -> int:
    """Delete every reminder of the address with ``email_digest``; how many there were (0 once all are gone)."""
    with transaction.atomic():
        deleted, _by_model = Reminder.objects.filter(email_digest=email_digest).delete()
        if deleted:
            record(actor=actor, action="reminder.forgotten", count=deleted)
    return deleted


def purge_stale_reminders(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Delete reminders nobody confirmed within a week, and confirmed ones we could not send for a week after they
    fell due (keeping the address longer would be worse than missing the reminder)."""
    now = now or timezone.now()
    with transaction.atomic():
        unconfirmed, _by_model = Reminder.objects.filter(
            confirmed_at__isnull=True, requested_at__lt=now - CONFIRM_WITHIN
        ).delete()
        overdue, _by_model = Reminder.objects.filter(
            confirmed_at__isnull=False, due_on__lt=timezone.localdate(now) - OVERDUE_GRACE
        ).delete()
        if unconfirmed or overdue:
            record(actor=actor, action="reminder.purged", unconfirmed=unconfirmed, overdue=overdue)
    return unconfirmed + overdue
