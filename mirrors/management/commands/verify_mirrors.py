"""manage.py verify_mirrors URL: check a mirror list wherever it is copied (the origin, a GitHub copy, a bucket) as
readers' software does, and remember the newest one accepted.

URL is the list (``…/mirrors.json``; a path on this machine works too); its signature is URL + ``.minisig`` unless
``--signature`` names it. A list is refused when it is not a list, its signature does not verify with a trusted key,
its signed comment disagrees with it, it has expired, or its sequence is lower than the newest accepted list's. The
first list is checked with the newsroom's own key (or ``--public-key RW…``); later ones with the key of the newest
accepted list or the one it announced (``next_public_key``): that is how a new key comes to be trusted
(:mod:`mirrors.verification`). Exits 0 when accepted, 1 (with the reason) when refused.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.actions import Actor
from mirrors import mirror_list
from mirrors.actions import accept_mirror_list
from mirrors.fetch import FetchFailed, fetch
from mirrors.signing import BadSignature, Signer, parse_public_key
from mirrors.verification import ListRefused, check_list

LIST_LIMIT = 4 << 20
SIGNATURE_LIMIT = 4096


class Command(BaseCommand):
    help = "Check a mirror list (signature, sequence, validity, key rotation) and remember it when it is accepted."

    def add_arguments(self, parser):
        parser.add_argument("url", help="The list: https://…/mirrors.json, or a file.")
        parser.add_argument("--signature", help="Its minisign signature (default: URL + .minisig).")
        parser.add_argument("--public-key", help="The key to trust first (RW…; default: the newsroom's own key).")
        parser.add_argument("--timeout", type=float, default=15.0, help="Seconds to wait for each answer (15).")

    def handle(self, *args, url, signature, public_key, timeout, **options):
        initial_key = self.initial_key(public_key)
        signature_url = signature or url + ".minisig"
        try:
            data = fetch(url, timeout=timeout, limit=LIST_LIMIT)
            signature_text = fetch(signature_url, timeout=timeout, limit=SIGNATURE_LIMIT).decode("utf-8")
        except FetchFailed as error:
            raise CommandError(f"Refused: cannot fetch {error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"Refused: {signature_url} is not a minisign signature (not text).") from None
        try:
            verified = check_list(data, signature_text, initial_key=initial_key, now=timezone.now())
        except ListRefused as error:
            raise CommandError(f"Refused {url}: {error.reason}.") from None
        if not verified.already_accepted:
            accept_mirror_list(
                actor=Actor.system("verify_mirrors"),
                sequence=verified.sequence,
                digest=verified.digest,
                public_key=verified.public_key,
                next_public_key=verified.next_public_key or "",
                source=url,
            )
        announced = (
            f"; it announces the next key {mirror_list.fingerprint(verified.next_public_key)}"
            if verified.next_public_key
            else ""
        )
        again = " (already accepted)" if verified.already_accepted else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Accepted list {verified.sequence}{again} from {url}: {verified.alternatives} mirror(s), valid until "
                f"{verified.valid_until:%Y-%m-%d %H:%M} UTC, signed by key "
                f"{mirror_list.fingerprint(verified.public_key)}{announced}."
            )
        )

    @staticmethod
    def initial_key(public_key):
        if public_key is None:
            try:
                return Signer.from_settings().public_key
            except ImproperlyConfigured as error:
                raise CommandError(f"{error} Or pass --public-key RW….") from None
        try:
            parse_public_key(public_key)
        except BadSignature as error:
            raise CommandError(f"--public-key: {error}") from None
        return public_key.strip().splitlines()[-1].strip()
