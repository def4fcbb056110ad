from django.apps import AppConfig


class MirrorsConfig(AppConfig):
    name = "mirrors"
    verbose_name = "Mirrors"

    def ready(self):
        from core.signals import reading_pages_changed
        from mirrors.tree.receivers import rewrite_what_changed

        reading_pages_changed.connect(rewrite_what_changed, dispatch_uid="mirrors-published-tree")
