"""The task that sends a failed renewal's first mail, queued by ``mark_past_due`` once it commits. Its argument is the
failed renewal's id only (the task table keeps arguments)."""

from django_tasks import task


@task()
def send_dunning_mail(dunning_id: int) -> bool:
    from support.dunning.schedule import send_dunning

    return send_dunning(dunning_id, number=1)
