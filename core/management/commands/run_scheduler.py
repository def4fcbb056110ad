import time

from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Publish and unpublish scheduled pages every minute (Wagtail's publish_scheduled in a loop)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60, help="Seconds between runs (default 60).")
        parser.add_argument("--once", action="store_true", help="Run once and exit.")

    def handle(self, *args, interval, once, **options):
        while True:
            call_command("publish_scheduled", verbosity=0)
            if once:
                return
            time.sleep(interval)
