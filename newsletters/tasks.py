"""Mail the newsletters app sends one at a time. Tasks take ids, never an address (the task table keeps arguments)."""

from django_tasks import task


@task()
def send_confirmation(subscriber_id: int, onion: bool = False) -> bool:
    """Mail the confirmation link to subscriber ``subscriber_id``. False if they are gone or already confirmed
    every list they asked for."""
    from newsletters.mail import confirmation_message
    from newsletters.models import Subscriber
    from support.reminder_mail import deliver

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.memberships.filter(confirmed=False).exists():
        return False
    deliver(confirmation_message(subscriber, onion_links=onion))
    return True
