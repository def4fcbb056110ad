"""manage.py expire_card_attempts: end the card attempts nobody carried on with (``support.cards.expiry``)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "End card contributions left pending (or declined and left) for CARD_ATTEMPT_EXPIRY_HOURS, after checking "
        "with Stripe that nothing was paid; delete what they left at Stripe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many per run (default 100).")

    def handle(self, *args, limit, **options):
        from support.cards.expiry import expire_card_attempts

        for line in expire_card_attempts(limit=max(1, limit)):  # a line for each attempt ended or kept; else none
            if options["verbosity"] >= 1:
                self.stdout.write(line)
