import sys

from django.core.management.base import BaseCommand

from core.actions import Actor, record
from newsletters import csv_format


class Command(BaseCommand):
    help = (
        "Write every subscriber as CSV (email, language, lists, created_at, confirmed_at, token) to a file or stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="where to write (default: standard output)")

    def handle(self, *args, path, **options):
        if path == "-":
            count = csv_format.write(sys.stdout)
        else:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                count = csv_format.write(handle)
        record(actor=Actor.system("export_subscribers"), action="newsletter.subscribers_exported", count=count)
        self.stderr.write(f"{count} subscriber(s) exported")
