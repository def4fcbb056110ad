"""Readers never see a page from before a publish: anything that can change a reading page forgets the page cache.

The cache is forgotten after the transaction commits, so a reader cannot re-cache the old page in between.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from core.page_cache import invalidate_all_pages
from publishing.models import Author, Licence, NewsImage, Topic


def forget_pages_after_commit(**kwargs):
    transaction.on_commit(invalidate_all_pages)


for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
    signal.connect(forget_pages_after_commit, dispatch_uid=f"samizdat-page-cache-{id(signal)}")

for model in (Author, Licence, Topic, NewsImage, Site, Redirect, PageViewRestriction):
    post_save.connect(
        forget_pages_after_commit, sender=model, dispatch_uid=f"samizdat-page-cache-save-{model.__name__}"
    )
    post_delete.connect(
        forget_pages_after_commit, sender=model, dispatch_uid=f"samizdat-page-cache-del-{model.__name__}"
    )


@receiver(post_delete, dispatch_uid="samizdat-page-cache-page-delete")
def forget_pages_on_page_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        transaction.on_commit(invalidate_all_pages)
