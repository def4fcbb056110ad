"""``manage.py import_rates <file>``: the ECB's euro reference rates (CSV or XML, the daily file or the whole
history) from a file on disk into the exchange rates. A file that cannot be read changes nothing and exits 1."""

from django.core.management.base import BaseCommand, CommandError

from core.actions import Actor
from support.actions.rates import import_rates
from support.rates.ecb import RateFileError, read_file


class Command(BaseCommand):
    help = "Import the ECB's euro reference rates (eurofxref CSV or XML) from a local file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="eurofxref-hist.csv, eurofxref.csv or eurofxref-hist.xml, already downloaded")

    def handle(self, *args, path, **options):
        try:
            rates = read_file(path)
        except RateFileError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        result = import_rates(actor=Actor.system("import_rates"), rates=rates)
        self.stdout.write(
            f"{result.first} – {result.last}: {result.created} rates added, {result.updated} corrected, "
            f"{result.unchanged} already there."
        )
