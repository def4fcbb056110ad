import logging
import shlex
import time

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the commands in settings.SCHEDULED_COMMANDS every minute (scheduled pages, due reminders, …)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="Seconds between runs (default 60).")
        parser.add_argument("--once", action="store_true", help="Run once and exit.")

    def run_all(self):
        """Run every scheduled command; one that fails is logged and does not keep the others from running."""
        failed = []
        for name in settings.SCHEDULED_COMMANDS:
            try:
                command, *arguments = shlex.split(name)
                call_command(command, *arguments, verbosity=0)
            except Exception:
                logger.exception("Scheduled command %s failed", name)
                failed.append(name)
        return failed

    def handle(self, *args, interval, once, **options):
        while True:
            failed = self.run_all()
            if once:
                if failed:
                    raise CommandError(f"Failed: {', '.join(failed)}")
                return
            time.sleep(interval)
