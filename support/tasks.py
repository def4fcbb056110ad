"""Background work of the support app: the mails, which the named actions start after commit. Tasks take ids and
dates, never an address or a token: the task table keeps a task's arguments until it has run. A task that runs a named
action itself lives above the actions, in ``support/jobs.py``, so that actions and tasks never import each other."""

import datetime as dt

from django_tasks import task


@task()
def send_reminder_confirmation(reminder_id: int, due_on: str, onion: bool = False) -> bool:
    """Mail the link that confirms reminder ``reminder_id`` for ``due_on`` (on the onion service when it was asked
    for there). False if the reminder is gone meanwhile."""
    from support.models import Reminder
    from support.reminder_mail import confirmation_message, deliver

    reminder = Reminder.objects.filter(pk=reminder_id).first()
    if reminder is None:
        return False
    # An address refused for good stays unconfirmed, and the due-reminder job deletes it within a week.
    deliver(confirmation_message(reminder, dt.date.fromisoformat(due_on), onion=onion))
    return True


@task()
def send_receipt(payment_id: int) -> bool:
    """Mail the receipt of payment ``payment_id`` to its supporter. False if there is nobody to send it to (no address,
    or erased meanwhile) or the server refused the address for good. The payment is recorded whatever happens here; a
    failed send raises ``MailNotSent``, which never quotes the address, so the task table keeps none."""
    from support.models import Payment
    from support.receipts import receipt_message
    from support.reminder_mail import MailNotSent, deliver

    payment = Payment.objects.select_related("contribution__supporter").filter(pk=payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED or payment.contribution.supporter is None:
        return False
    try:
        deliver(receipt_message(payment))
    except MailNotSent as error:
        if error.permanent:
            return False
        raise
    return True


@task()
def send_manage_link(supporter_id: int, onion: bool = False) -> bool:
    """Mail a link to manage their support to supporter ``supporter_id`` (on the onion service when it was asked for
    there). False if they were erased meanwhile."""
    from support.models import Supporter
    from support.receipts import manage_link_message
    from support.reminder_mail import deliver

    supporter = Supporter.objects.filter(pk=supporter_id).first()
    if supporter is None:
        return False
    deliver(manage_link_message(supporter, onion=onion))
    return True


@task()
def send_card_pause_alert(audit_entry_id: int) -> bool:
    """Tell staff that card payments were paused, from the audit entry ``audit_entry_id`` of the pause. False if the
    entry is gone or nobody can be told."""
    from core.models import AuditEntry
    from support.cards.alert import alert_message
    from support.reminder_mail import deliver

    entry = AuditEntry.objects.filter(pk=audit_entry_id, action="card.paused").first()
    message = alert_message(entry) if entry is not None else None
    if message is None:
        return False
    deliver(message)
    return True


@task()
def send_card_starts_alert(audit_entry_id: int) -> bool:
    """Tell staff that the site-wide limit on starting card checkouts was reached, from its audit entry. False if
    the entry is gone or nobody can be told."""
    from core.models import AuditEntry
    from support.cards.alert import starts_alert_message
    from support.reminder_mail import deliver

    entry = AuditEntry.objects.filter(pk=audit_entry_id, action="card.starts_limited").first()
    message = starts_alert_message(entry) if entry is not None else None
    if message is None:
        return False
    deliver(message)
    return True
