from django.core.management import BaseCommand, CommandError

from core.changes import KINDS, Change
from mirrors.tree.publish import TreeNotConfigured, publish


class Command(BaseCommand):
    help = (
        "Bring the published tree (PUBLISHED_TREE_DIR) up to date: every reading page rendered again and written where "
        "its bytes changed (after a deploy), or only what --change touches; --refresh renders the pages showing asks "
        "when they are due (the scheduler runs it every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--change",
            action="append",
            default=[],
            metavar="KIND:KEY",
            help=f"Only what this change touches (kinds: {', '.join(sorted(KINDS))}; e.g. page:12). Repeatable.",
        )
        parser.add_argument("--refresh", action="store_true", help="Render the pages showing asks if they are due.")

    def handle(self, *args, change, refresh, **options):
        changes = []
        for text in change:
            kind, _, key = text.partition(":")
            try:
                changes.append(Change(kind, key))
            except ValueError as error:
                raise CommandError(f"{error} (in --change {text!r})") from error
        if not changes and not refresh:
            full = True
        else:
            full = False
        try:
            report = publish(changes, full=full, refresh=refresh)
        except TreeNotConfigured as error:
            if refresh:  # the scheduler runs this everywhere; a site without a tree has nothing to refresh
                return
            raise CommandError(str(error)) from error
        for path, why in report.left_to_app:
            self.stderr.write(f"{path} {why}: left to the app")
        if options["verbosity"]:
            self.stdout.write(f"Published tree: {report.summary()}.")
