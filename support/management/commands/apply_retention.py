from django.core.management import BaseCommand

from support.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the retention policy: drop the email address of checkouts never paid after "
        "RETENTION_UNPAID_CHECKOUT_DAYS, delete reminders nobody confirmed."
    )

    def handle(self, *args, **options):
        dropped, reminders = apply_retention()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{dropped} unpaid checkout address(es) dropped; {reminders} stale reminder(s) deleted.")
