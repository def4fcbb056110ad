"""Tasks that run named actions: sending an issue batch by batch. Each batch is a task of its own that queues the next,
so a long send never holds one worker for long, and the admin sees progress after every batch."""

from django_tasks import task


@task()
def send_issue_batch(issue_id: int) -> int:
    """Send the next batch of issue ``issue_id`` and queue the one after it. Returns how many went out."""
    from core.actions import Actor
    from newsletters.actions import record_batch
    from newsletters.models import Issue
    from newsletters.sending import send_batch

    if not Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
        return 0
    sent, more = send_batch(issue_id)
    record_batch(actor=Actor.system("newsletters"), issue_id=issue_id, finished=not more)
    if more:
        send_issue_batch.enqueue(issue_id)
    return sent
