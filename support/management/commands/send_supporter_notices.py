from django.core.management import BaseCommand

from support.dunning.schedule import run


class Command(BaseCommand):
    help = "Send the reminders of failed renewals, the notices before annual renewals and the win-back mails due now."

    def handle(self, *args, **options):
        reminders, notices, win_backs = run()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{reminders} reminder(s) of failed renewals, {notices} renewal notice(s) and "
                f"{win_backs} win-back mail(s) sent."
            )
