"""The task that sends a failed renewal's first mail, queued when ``mark_past_due`` commits (``renewal_failed``).
Its argument is the failed renewal's id only (the task table keeps arguments)."""

from django.dispatch import receiver
from django_tasks import task

from support.dunning.schedule import send_dunning
from support.dunning.signals import renewal_failed


@task()
def send_dunning_mail(dunning_id: int) -> bool:
    return send_dunning(dunning_id, number=1)


@receiver(renewal_failed, dispatch_uid="support-dunning-first-mail")
def queue_the_first_mail(sender, dunning_id, **kwargs):
    send_dunning_mail.enqueue(dunning_id)
