from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self):
        from django.db.models.signals import post_migrate

        from publishing import signals  # noqa: F401  (connects page-cache invalidation)
        from publishing.roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="samizdat-newsroom-roles")
