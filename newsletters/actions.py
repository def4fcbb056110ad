"""Every write of the newsletters app: a named action, atomic, with one audit entry that holds no address. Mails and
sending batches start after commit (:func:`core.actions.after_commit`)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actions import Actor, after_commit, record
from core.email_address import canonical_email
from newsletters.models import Delivery, Issue, Membership, NewsletterList, Subscriber, recipients
from newsletters.signals import issue_started
from newsletters.subscriptions import (
    BadLink,
    SubscribeError,
    first_confirmation_in_period,
    new_token,
    read_confirm_token,
)

ALL_LISTS = set(NewsletterList.values)


def _check_lists(lists) -> list[str]:
    chosen = sorted(set(lists))
    if not chosen or not set(chosen) <= ALL_LISTS:
        raise SubscribeError(_("Choose at least one of the newsletters."))
    return chosen


@transaction.atomic
def subscribe(*, actor: Actor, email: str, language: str, lists, onion: bool = False) -> bool:
    """Ask for ``lists`` for ``email``: the address is kept unconfirmed and gets one confirmation mail (at most one
    per address per ``NEWSLETTER_CONFIRMATION_PERIOD``). Nothing is ever sent to it before its owner confirms, and a
    confirmed address is not moved onto new lists until it confirms them. True if a confirmation was queued."""
    chosen = _check_lists(lists)
    address = canonical_email(email)
    subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
    created = subscriber is None
    if created:
        try:
            with transaction.atomic():  # a savepoint: another request may be adding the same address right now
                subscriber = Subscriber.objects.create(
                    email=address, language=language, token=new_token(), created_at=timezone.now()
                )
        except IntegrityError:
            subscriber, created = Subscriber.objects.select_for_update().get(email=address), False
    existing = set(subscriber.memberships.values_list("list", flat=True))
    Membership.objects.bulk_create(
        [Membership(subscriber=subscriber, list=name) for name in chosen if name not in existing]
    )
    needs_confirmation = subscriber.memberships.filter(confirmed=False).exists()
    mailed = needs_confirmation and first_confirmation_in_period(address)
    record(actor=actor, action="newsletter.subscribe_requested", subject=subscriber, lists=chosen, created=created)
    if mailed:
        from newsletters.tasks import send_confirmation

        after_commit(send_confirmation.enqueue, subscriber.pk, onion)
    return mailed


@dataclass(frozen=True)
class Confirmed:
    found: bool
    language: str = "en"
    linked_supporter: bool = False


def supporter_for(subscriber):
    """The supporter with the same address, if any (only ever shown to whoever holds the confirmation link)."""
    from support.models import Supporter

    for supporter in Supporter.objects.filter(email__iexact=subscriber.email):
        if canonical_email(supporter.email) == subscriber.email:
            return supporter
    return None


@transaction.atomic
def confirm_subscription(*, actor: Actor, token: str, same_as_supporter: bool = False) -> Confirmed:
    """Confirm the address and every list it asked for. ``same_as_supporter``: the reader agreed that their support
    and their subscription are one person, so erasing the supporter erases the subscriber too."""
    link = read_confirm_token(token)
    subscriber = Subscriber.objects.select_for_update().filter(pk=link.subscriber_id).first()
    if subscriber is None or not subscriber.token.startswith(link.key):
        return Confirmed(found=False)
    linked = False
    if same_as_supporter and subscriber.supporter_id is None:
        supporter = supporter_for(subscriber)
        if supporter is not None and not Subscriber.objects.filter(supporter=supporter).exists():
            subscriber.supporter = supporter
            linked = True
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
    subscriber.save(update_fields=["confirmed_at", "supporter"])
    lists = sorted(subscriber.memberships.filter(confirmed=False).values_list("list", flat=True))
    subscriber.memberships.update(confirmed=True)
    record(actor=actor, action="newsletter.subscription_confirmed", subject=subscriber, lists=lists, linked=linked)
    return Confirmed(found=True, language=subscriber.language, linked_supporter=linked)


@transaction.atomic
def unsubscribe(*, actor: Actor, token: str) -> str | None:
    """Delete the subscriber whose unsubscribe link this is, with every list and its send log. Returns their
    language, or None if there was nobody (already unsubscribed): the same outcome twice, never an error."""
    subscriber = Subscriber.objects.select_for_update().filter(token=token).first() if token else None
    if subscriber is None:
        return None
    language, pk = subscriber.language, subscriber.pk
    subscriber.delete()
    record(actor=actor, action="newsletter.unsubscribed", subscriber=pk)
    return language


@transaction.atomic
def purge_unconfirmed(*, actor: Actor, before) -> int:
    """Delete addresses nobody confirmed since ``before`` (their owners never asked, or forgot)."""
    count, _by_model = Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=before).delete()
    record(actor=actor, action="newsletter.unconfirmed_purged", count=count)
    return count


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int


@transaction.atomic
def import_subscribers(*, actor: Actor, rows) -> Imported:
    """Take subscribers from an export (``email, language, lists, confirmed_at, token``): an address already here keeps
    its row and gains the lists; the export's confirmations and unsubscribe links stay valid."""
    created = updated = 0
    for row in rows:
        subscriber = Subscriber.objects.select_for_update().filter(email=row.email).first()
        if subscriber is None:
            token = row.token if row.token and not Subscriber.objects.filter(token=row.token).exists() else new_token()
            subscriber = Subscriber.objects.create(
                email=row.email,
                language=row.language,
                token=token,
                created_at=row.created_at or timezone.now(),
                confirmed_at=row.confirmed_at,
            )
            created += 1
        else:
            if row.confirmed_at and subscriber.confirmed_at is None:
                subscriber.confirmed_at = row.confirmed_at
                subscriber.save(update_fields=["confirmed_at"])
            updated += 1
        existing = set(subscriber.memberships.values_list("list", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(subscriber=subscriber, list=name, confirmed=row.confirmed_at is not None)
                for name in row.lists
                if name not in existing
            ]
        )
    record(actor=actor, action="newsletter.subscribers_imported", created=created, updated=updated)
    return Imported(created=created, updated=updated)


# --- Issues ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_issue(*, actor: Actor, issue_id=None, list, language, subject, intro, article_ids) -> Issue:
    """Create a draft issue, or change one that has not started sending."""
    if issue_id is None:
        issue = Issue(created_at=timezone.now())
    else:
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise SubscribeError(_("This issue is being sent or was sent; it can no longer be changed."))
    issue.list, issue.language, issue.subject, issue.intro = list, language, subject, intro
    issue.article_ids = [int(pk) for pk in article_ids]
    issue.save()
    record(actor=actor, action="newsletter.issue_saved", subject=issue, articles=len(issue.article_ids))
    return issue


@transaction.atomic
def schedule_issue(*, actor: Actor, issue_id: int, send_at=None) -> Issue:
    """Send the issue at ``send_at`` (``send_scheduled_newsletters`` starts it), or now when it is None or past."""
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise SubscribeError(_("This issue is being sent or was sent already."))
    now = timezone.now()
    if send_at is not None and send_at > now:
        issue.status, issue.send_at = Issue.Status.SCHEDULED, send_at
        issue.save(update_fields=["status", "send_at"])
        record(actor=actor, action="newsletter.issue_scheduled", subject=issue)
        return issue
    return _start(actor, issue, now)


def _start(actor, issue, now):
    issue.status, issue.started_at, issue.send_at = Issue.Status.SENDING, now, issue.send_at or now
    issue.recipients = recipients(issue).count()
    issue.save(update_fields=["status", "started_at", "send_at", "recipients"])
    record(actor=actor, action="newsletter.issue_started", subject=issue, recipients=issue.recipients)
    # the sending itself is a task above the actions (newsletters/jobs.py), which listens for this
    after_commit(issue_started.send, sender=Issue, issue_id=issue.pk)
    return issue


@transaction.atomic
def start_due_issues(*, actor: Actor) -> int:
    now = timezone.now()
    due = list(Issue.objects.select_for_update().filter(status=Issue.Status.SCHEDULED, send_at__lte=now))
    for issue in due:
        _start(actor, issue, now)
    return len(due)


@transaction.atomic
def record_batch(*, actor: Actor, issue_id: int, finished: bool) -> Issue:
    """Bring the issue's progress up to its send log after a batch; mark it sent once nobody is left."""
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    deliveries = Delivery.objects.filter(issue=issue)
    issue.sent = deliveries.exclude(backend=Delivery.Backend.REFUSED).count()
    issue.through_fallback = deliveries.filter(backend=Delivery.Backend.FALLBACK).count()
    fields = ["sent", "through_fallback"]
    if finished and issue.status == Issue.Status.SENDING:
        issue.status, issue.finished_at = Issue.Status.SENT, timezone.now()
        fields += ["status", "finished_at"]
    issue.save(update_fields=fields)
    record(actor=actor, action="newsletter.batch_sent", subject=issue, sent=issue.sent, finished=finished)
    return issue


__all__ = ["BadLink", "Imported"]
