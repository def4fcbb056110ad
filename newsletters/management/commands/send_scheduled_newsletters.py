import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.actions import Actor
from newsletters.actions import purge_unconfirmed, start_due_issues
from newsletters.subscriptions import CONFIRM_MAX_AGE


class Command(BaseCommand):
    help = (
        "Start sending the newsletter issues whose time has come, and delete the addresses nobody confirmed within "
        "the week their link was valid (run every minute by run_scheduler)."
    )

    def handle(self, *args, **options):
        actor = Actor.system("send_scheduled_newsletters")
        started = start_due_issues(actor=actor)
        if started:
            self.stdout.write(f"{started} issue(s) started")
        before = timezone.now() - dt.timedelta(seconds=CONFIRM_MAX_AGE)
        from newsletters.models import Subscriber

        if Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=before).exists():
            self.stdout.write(f"{purge_unconfirmed(actor=actor, before=before)} unconfirmed address(es) deleted")
