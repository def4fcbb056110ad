"""Readers never see a page from before a publish: anything that can change a reading page is announced.

``core.changes.announce`` runs after the transaction commits, so a reader cannot re-cache the old page in between:
the page cache forgets every page, and the published tree rewrites the pages that depend on what changed.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from core.changes import IMAGE, PAGE, SITE, SNIPPET, Change, announce
from publishing.models import Author, Licence, NewsImage, Topic


def announce_page(instance, **kwargs):
    announce(Change(PAGE, str(instance.pk)))


for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
    signal.connect(announce_page, dispatch_uid=f"samizdat-page-changed-{id(signal)}")


def announce_snippet(sender, instance, **kwargs):
    announce(Change(SNIPPET, f"{sender._meta.label_lower}:{instance.pk}"))


def announce_image(sender, instance, **kwargs):
    announce(Change(IMAGE, str(instance.pk)))


def announce_site(sender, instance, **kwargs):
    announce(Change(SITE))


for model, announcer in (
    (Author, announce_snippet),
    (Licence, announce_snippet),
    (Topic, announce_snippet),
    (NewsImage, announce_image),
    (Site, announce_site),
    (Redirect, announce_site),
    (PageViewRestriction, announce_site),
):
    post_save.connect(announcer, sender=model, dispatch_uid=f"samizdat-page-cache-save-{model.__name__}")
    post_delete.connect(announcer, sender=model, dispatch_uid=f"samizdat-page-cache-del-{model.__name__}")


@receiver(post_delete, dispatch_uid="samizdat-page-cache-page-delete")
def announce_deleted_page(sender, instance, **kwargs):
    if isinstance(instance, Page):
        announce(Change(PAGE, str(instance.pk)))
