from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Reader support"

    def ready(self):
        from django.core import checks

        from core import slots
        from support import signals  # noqa: F401  (page-cache invalidation on campaign changes)
        from support.dunning import tasks  # noqa: F401  (a failed renewal's first mail)
        from support.providers.registry import check_payment_providers
        from support.surfaces import (
            render_after_paragraph,
            render_article_end,
            render_article_top,
            render_reader_script,
        )

        slots.register("article.top", render_article_top)
        slots.register("article.after_paragraph", render_after_paragraph)
        slots.register("article.end", render_article_end)
        slots.register("page.end", render_reader_script)
        checks.register(check_payment_providers)
