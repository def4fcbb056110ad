"""manage.py verify_export OUT: check a static export against its signed manifest.

OUT is an export itself (it holds ``manifest.json``) or the directory ``export_mirror`` publishes into (it holds the
``current`` link). The signature is checked with the newsroom's key from the settings, or with ``--public-key RW…``
(the key published on the mirrors page), so anyone may check a copy of a mirror they did not make.
Exits 0 when every file matches; otherwise lists each problem and exits 1.
"""

import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from mirrors.export.manifest import MANIFEST, verify_tree
from mirrors.signing import BadSignature, Signer, key_id_text, parse_public_key


def export_root(out: Path) -> Path:
    """The export under ``out``: ``out`` itself, or what its ``current`` link points at."""
    for candidate in (out, out / "current", out / "exports" / "current"):
        if (candidate / MANIFEST).is_file():
            return candidate.resolve()
    raise CommandError(f"{out} holds no export: neither {MANIFEST} nor a current/ export with one.")


class Command(BaseCommand):
    help = "Check every file of a static export against its signed manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="The export, or the directory holding its 'current' link.")
        parser.add_argument(
            "--public-key", help="The minisign public key (RW…) to check with; default: the configured signing key."
        )

    def handle(self, *args, out, public_key, **options):
        root = export_root(out)
        if public_key is None:
            try:
                public_key = Signer.from_settings().public_key
            except ImproperlyConfigured as error:
                raise CommandError(f"{error} Or pass --public-key RW….") from None
        try:
            key_id, _ = parse_public_key(public_key)
        except BadSignature as error:
            raise CommandError(f"--public-key: {error}") from None

        problems = verify_tree(root, public_key)
        self.stdout.write(self.summary(root, key_id))
        if problems:
            for problem in problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(problems)} problem(s) in {root}.")
        self.stdout.write(self.style.SUCCESS("Every file matches the signed manifest."))

    @staticmethod
    def summary(root: Path, key_id: bytes) -> str:
        try:
            manifest = json.loads((root / MANIFEST).read_bytes())
            files = manifest["files"]
            size = sum(entry.get("size", 0) for entry in files)
            twins = sum(bool(entry.get(encoding)) for entry in files for encoding in ("gz", "br"))
            return (
                f"Export {manifest.get('export_id')} of {manifest.get('generated_at')}"
                f" for {manifest.get('canonical')}\n"
                f"  {len(files)} files, {size:,} bytes, {twins} compressed twins\n"
                f"  tree {manifest.get('tree_hash')}, key {key_id_text(key_id)}\n"
                f"  in {root}"
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return f"Export in {root}: its {MANIFEST} cannot be read."
