"""Background work that runs a named action (``support.actions``): the tasks the scheduler's commands queue.

They sit above the actions, as views do; the mail tasks the actions start after commit are in ``support/tasks.py``,
below them. Tasks take ids, never an address or a token: the task table keeps a task's arguments until it has run.
"""

from django_tasks import task

from core.actions import Actor
from support.actions.reminders import send_reminder


@task()
def send_due_reminder(reminder_id: int) -> bool:
    """Send reminder ``reminder_id`` if it is confirmed and due, and delete it. Safe to run twice."""
    return send_reminder(actor=Actor.system("send_due_reminders"), reminder_id=reminder_id)
