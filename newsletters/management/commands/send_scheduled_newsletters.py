from django.core.management.base import BaseCommand

from core.actions import Actor
from newsletters.actions import start_due_issues


class Command(BaseCommand):
    help = "Start sending the newsletter issues whose time has come (run every minute by run_scheduler)."

    def handle(self, *args, **options):
        started = start_due_issues(actor=Actor.system("send_scheduled_newsletters"))
        if started:
            self.stdout.write(f"{started} issue(s) started")
