from django.core.management.base import BaseCommand, CommandError

from core.actions import Actor
from newsletters import csv_format
from newsletters.actions import import_subscribers


class Command(BaseCommand):
    help = "Add the subscribers of a CSV file written by export_subscribers (all of them, or none if a row is bad)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = csv_format.read(handle)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except (csv_format.BadRow, UnicodeDecodeError) as error:
            raise CommandError(f"nothing imported: {error}") from None
        result = import_subscribers(actor=Actor.system("import_subscribers"), rows=rows)
        self.stdout.write(f"{result.created} added, {result.updated} already here")
