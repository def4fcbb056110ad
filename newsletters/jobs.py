"""Tasks that run named actions: sending an issue batch by batch. Each batch is a task of its own that queues the next,
so a long send never holds one worker for long, and the admin sees progress after every batch."""

from django.dispatch import receiver
from django_tasks import task

from core.actions import Actor
from newsletters.actions import record_batch
from newsletters.models import Issue
from newsletters.sending import send_batch
from newsletters.signals import issue_started


@task()
def send_issue_batch(issue_id: int) -> int:
    """Send the next batch of issue ``issue_id`` and queue the one after it. Returns how many went out."""
    if not Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
        return 0
    sent, more = send_batch(issue_id)
    record_batch(actor=Actor.system("newsletters"), issue_id=issue_id, finished=not more)
    if more:
        send_issue_batch.enqueue(issue_id)
    return sent


@receiver(issue_started, dispatch_uid="newsletters-first-batch")
def queue_the_first_batch(sender, issue_id, **kwargs):
    send_issue_batch.enqueue(issue_id)
