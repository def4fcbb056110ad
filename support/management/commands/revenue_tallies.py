"""manage.py revenue_tallies: check the revenue history's running sums against the ledger, or rebuild them."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Compare the revenue tallies (plans by start and stop month, one-time gifts by day, payments by month and "
        "breakdown) with the ledger's rows "
        "(--check, the default; exits 1 when they differ), recompute them from the rows (--rebuild: after rows "
        "were written around the models, or after TIME_ZONE changed), or fold the rows each save appends into one per "
        "key (--compact, which the scheduler runs every minute)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="Say whether the tallies agree with the rows.")
        action.add_argument("--rebuild", action="store_true", help="Recompute the tallies from the rows.")
        action.add_argument(
            "--compact", action="store_true", help="Fold the rows appended since the last run into one row per key."
        )

    def handle(self, *args, rebuild=False, compact=False, **options):
        from core.actions import Actor
        from support.models.tallies import compact as compact_tallies
        from support.revenue.tallies import differences, rebuild_tallies

        if compact:
            folded = compact_tallies()
            if options["verbosity"] >= 1:
                self.stdout.write(f"Folded {folded} tally rows.")
            return
        if rebuild:
            plans, gifts, payments = rebuild_tallies(actor=Actor.system("revenue_tallies"))
            self.stdout.write(
                f"Rebuilt the revenue tallies: {plans} plan keys, {gifts} gift days, {payments} payment keys."
            )
            return
        lines = differences()
        if lines:
            for line in lines[:50]:
                self.stdout.write(line)
            more = " (the first 50 shown)" if len(lines) > 50 else ""
            raise CommandError(
                f"The revenue tallies differ from the ledger in {len(lines)} keys{more}: "
                "run manage.py revenue_tallies --rebuild."
            )
        self.stdout.write("The revenue tallies agree with the ledger.")
