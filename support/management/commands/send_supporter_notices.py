from django.core.management import BaseCommand

from support.dunning.schedule import run


class Command(BaseCommand):
    help = "Send the reminders of failed renewals and the notices before annual renewals that are due now."

    def handle(self, *args, **options):
        reminders, notices = run()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{reminders} reminder(s) of failed renewals and {notices} renewal notice(s) sent.")
