from django.core.cache import cache
from django.core.management import BaseCommand
from django.utils import timezone

from core.actions import Actor
from support.actions.reminders import purge_stale_reminders
from support.jobs import send_due_reminder
from support.models import Reminder

# The scheduler runs this every minute: a reminder already waiting in the queue (or failing to send) is queued again
# only after this long.
REQUEUE_AFTER = 10 * 60


class Command(BaseCommand):
    help = "Queue every confirmed reminder that is due, and delete unconfirmed ones older than a week."

    def handle(self, *args, **options):
        purged = purge_stale_reminders(actor=Actor.system("send_due_reminders"))
        due = Reminder.objects.filter(confirmed_at__isnull=False, due_on__lte=timezone.localdate())
        queued = 0
        for reminder_id in due.values_list("pk", flat=True):
            if cache.add(f"samizdat:reminder:queued:{reminder_id}", 1, REQUEUE_AFTER):
                send_due_reminder.enqueue(reminder_id)
                queued += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"{queued} due reminder(s) queued; {purged} stale reminder(s) deleted.")
