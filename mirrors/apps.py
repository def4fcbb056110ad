import mimetypes

from django.apps import AppConfig

# What a static host (nginx, a bucket) sends for the mirror list's signature and key, whose extensions it does not
# know: the app sends the same, so the export and the published tree may hold them (their file names must give the
# type the app sent). Some systems map .pub to a publishing format; for us it is a minisign key.
SIGNATURE_SUFFIXES = (".minisig", ".pub")


class MirrorsConfig(AppConfig):
    name = "mirrors"
    verbose_name = "Mirrors"

    def ready(self):
        from django.core import checks

        from core.signals import demo_loaded, reading_pages_changed
        from mirrors.checks import check_onion_address
        from mirrors.demo import load_demo_mirrors
        from mirrors.tree.receivers import rewrite_what_changed

        for suffix in SIGNATURE_SUFFIXES:
            mimetypes.add_type("application/octet-stream", suffix)
        reading_pages_changed.connect(rewrite_what_changed, dispatch_uid="mirrors-published-tree")
        demo_loaded.connect(load_demo_mirrors, dispatch_uid="mirrors-demo")
        checks.register(check_onion_address)
