from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from core.changes import ASKS, Change, announce
from core.signals import demo_loaded
from support.arms import forget_arms
from support.models import AskVariant, Campaign, Contribution, Payment
from support.models.tallies import campaign_deleted, contribution_deleted, payment_deleted


def forget_pages_after_commit(**kwargs):
    """Campaign and copy changes are live on the next request: every stored page with asks is forgotten or
    rewritten once the change commits."""
    announce(Change(ASKS))


for model in (Campaign, AskVariant):
    post_save.connect(forget_pages_after_commit, sender=model, dispatch_uid=f"support-page-cache-save-{model.__name__}")
    post_delete.connect(
        forget_pages_after_commit, sender=model, dispatch_uid=f"support-page-cache-del-{model.__name__}"
    )
for relation in (AskVariant.target_sections.through, AskVariant.target_topics.through):
    m2m_changed.connect(
        forget_pages_after_commit, sender=relation, dispatch_uid=f"support-page-cache-m2m-{relation.__name__}"
    )


@receiver(post_save, sender=AskVariant, dispatch_uid="support-forget-arms-save")
@receiver(post_delete, sender=AskVariant, dispatch_uid="support-forget-arms-delete")
def forget_campaign_arms(sender, instance, **kwargs):
    campaign_id = instance.campaign_id
    forget_arms(campaign_id)
    transaction.on_commit(lambda: forget_arms(campaign_id))  # and again once the change is visible to other processes


@receiver(demo_loaded, dispatch_uid="support-demo")
def load_support_demo(sender, **kwargs):
    """The demo campaigns, and (``DEMO_HISTORY``: in the demo, not in the tests) two years of the ledger's history."""
    from django.conf import settings

    from support.demo import load_campaigns
    from support.demo_history import load_history

    load_campaigns()
    if settings.DEMO_HISTORY:
        load_history(scale=settings.DEMO_HISTORY)


@receiver(post_delete, sender=Contribution, dispatch_uid="support-plan-tally-delete")
def take_plan_off_tally(sender, instance, **kwargs):
    contribution_deleted(instance)


@receiver(post_delete, sender=Payment, dispatch_uid="support-gift-tally-delete")
def take_gift_off_tally(sender, instance, **kwargs):
    payment_deleted(instance)


@receiver(pre_delete, sender=Campaign, dispatch_uid="support-payment-tally-campaign")
def tally_payments_without_campaign(sender, instance, **kwargs):
    campaign_deleted(instance.pk)
