"""Background work of the support app. Tasks take ids and dates, never an address or a token: the task table keeps a
task's arguments until it has run."""

import datetime as dt

from django_tasks import task

from core.actions import Actor


@task()
def send_reminder_confirmation(reminder_id: int, due_on: str) -> bool:
    """Mail the link that confirms reminder ``reminder_id`` for ``due_on``. False if the reminder is gone meanwhile."""
    from support.models import Reminder
    from support.reminder_mail import confirmation_message, deliver

    reminder = Reminder.objects.filter(pk=reminder_id).first()
    if reminder is None:
        return False
    # An address refused for good stays unconfirmed, and the due-reminder job deletes it within a week.
    deliver(confirmation_message(reminder, dt.date.fromisoformat(due_on)))
    return True


@task()
def send_due_reminder(reminder_id: int) -> bool:
    """Send reminder ``reminder_id`` if it is confirmed and due, and delete it. Safe to run twice."""
    from support.actions.reminders import send_reminder

    return send_reminder(actor=Actor.system("send_due_reminders"), reminder_id=reminder_id)
