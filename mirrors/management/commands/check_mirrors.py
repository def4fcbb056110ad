"""manage.py check_mirrors: ask every mirror on a list whether it carries the current site, and record its health.

Static copies are compared with the origin's newest export (``MIRROR_EXPORT_DIR``, or ``--export OUT``) through their
signed ``manifest.json``; reverse proxies must serve the newest signed ``mirrors.json`` (:mod:`mirrors.health`).
Retired and blocked mirrors are left alone, and so are onions (they need Tor). Each finding is recorded by the named
action ``record_mirror_health`` (an audit entry when a mirror's health changes); the admin's *Mirrors* page and
dashboard show them. Prints one line per mirror and the totals; exits 1 when a mirror is down.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from core.actions import Actor
from mirrors import health, mirror_list
from mirrors.actions import record_mirror_health
from mirrors.models import Mirror
from mirrors.signing import Signer


def export_tree_hash(out: Path) -> str:
    """The tree hash of the export ``out`` holds (``out`` itself, or its ``current`` export)."""
    for candidate in (out / "current", out):
        try:
            info = json.loads((candidate / "export.json").read_bytes())
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as error:
            raise CommandError(f"{candidate / 'export.json'} cannot be read: {error}") from None
        if isinstance(info, dict) and isinstance(info.get("tree_hash"), str):
            return info["tree_hash"]
        raise CommandError(f"{candidate / 'export.json'} names no tree hash.")
    raise CommandError(f"{out} holds no export (no export.json there or in its current/ export).")


class Command(BaseCommand):
    help = "Check that every listed mirror carries the current site (signed manifest, tree hash) and record its health."

    def add_arguments(self, parser):
        parser.add_argument("--export", type=Path, help="The export to compare with (default: MIRROR_EXPORT_DIR).")
        parser.add_argument("--timeout", type=float, default=15.0, help="Seconds to wait for each answer (15).")

    def handle(self, *args, export, timeout, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")
        mirrors = list(Mirror.objects.filter(retired_at__isnull=True, blocked_at__isnull=True).order_by("pk"))
        to_check = [mirror for mirror in mirrors if not health.needs_tor(mirror)]
        reference = self.reference(export, needs_export=any(m.kind == Mirror.Kind.STATIC for m in to_check))
        actor = Actor.system("check_mirrors")
        totals = dict.fromkeys((Mirror.Health.FRESH, Mirror.Health.STALE, Mirror.Health.DOWN), 0)
        for mirror, finding in health.check_all(to_check, reference, timeout=timeout):
            record_mirror_health(actor=actor, mirror_id=mirror.pk, health=finding.health, detail=finding.detail)
            totals[finding.health] += 1
            self.stdout.write(f"{finding.health:5}  {mirror.url}  {finding.detail}")
        for mirror in mirrors:
            if health.needs_tor(mirror):
                self.stdout.write(f"-      {mirror.url}  not checked: onion services are reached only through Tor")
        skipped = len(mirrors) - len(to_check)
        summary = (
            f"{totals['fresh']} fresh, {totals['stale']} stale, {totals['down']} down"
            + (f", {skipped} not checked" if skipped else "")
            + "."
        )
        if totals["down"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def reference(export, *, needs_export) -> health.Reference:
        out = export or (Path(settings.MIRROR_EXPORT_DIR) if settings.MIRROR_EXPORT_DIR else None)
        if out is None and needs_export:
            raise CommandError(
                "Static mirrors are compared with the origin's export: set MIRROR_EXPORT_DIR to the directory "
                "export_mirror publishes into, or pass --export OUT."
            )
        try:
            public_key = Signer.from_settings().public_key
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        keys = (public_key, *filter(None, [mirror_list.next_public_key(public_key)]))
        latest = mirror_list.latest_list()
        return health.Reference(
            tree_hash=export_tree_hash(out) if out is not None else None,
            public_keys=keys,
            list_bytes=latest.body.encode() if latest else None,
            list_sequence=latest.sequence if latest else None,
            list_public_key=latest.public_key if latest else None,
        )
