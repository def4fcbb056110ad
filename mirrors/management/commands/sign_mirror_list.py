"""manage.py sign_mirror_list: sign a new mirror list when one is due (the scheduler runs it every minute).

Due: no list yet, what the list would say changed (the mirrors, the key, the announced next key, the origin's newest
export), or half of ``MIRROR_LIST_VALID_DAYS`` has passed since the newest was signed. ``--force`` signs anyway. Every
signing is the named action ``sign_mirror_list`` (audited as ``mirror_list.signed``); the published tree then rewrites
the list's files and pages.
"""

from django.core.management.base import BaseCommand, CommandError

from core.actions import Actor
from mirrors.actions import MirrorListNotSigned, sign_mirror_list


class Command(BaseCommand):
    help = "Sign a new mirror list (mirrors.json) if one is due; --force signs one anyway."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Sign a new list even if the newest still holds.")

    def handle(self, *args, force, **options):
        try:
            signing = sign_mirror_list(actor=Actor.system("sign_mirror_list"), force=force, reason="command")
        except MirrorListNotSigned as error:
            raise CommandError(error.message) from None
        signed = signing.mirror_list
        verb = "Signed" if signing.signed else "Still valid:"
        if options["verbosity"]:
            self.stdout.write(f"{verb} list {signed.sequence}, valid until {signed.valid_until:%Y-%m-%d %H:%M} UTC.")
